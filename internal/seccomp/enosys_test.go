package seccomp

import (
	"encoding/binary"
	"fmt"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestNeedsENOSYS(t *testing.T) {
	for _, tc := range []struct {
		def  Action
		want bool
	}{
		{ActAllow, false},
		{ActLog, false},
		{ActErrno.withData(uint16(unix.ENOSYS)), false},
		{ActErrno.withData(uint16(unix.EPERM)), true},
		{ActKillProcess, true},
		{ActKillThread, true},
		{ActTrap, true},
		{ActTrace.withData(uint16(unix.ENOSYS)), true},
	} {
		t.Run(fmt.Sprintf("%#x", uint32(tc.def)), func(t *testing.T) {
			if got := needsENOSYS(tc.def); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The AUDIT_ARCH_* values of the little-endian architectures the stub test
// uses, with the number of clone3 on each: 435 for every architecture
// with the unified syscall table, in MIPS's own ranges for MIPS.
var stubArches = []struct {
	name   specs.Arch
	audit  uint32
	clone3 uint32
}{
	{specs.ArchX86_64, unix.AUDIT_ARCH_X86_64, 435},
	{specs.ArchX86, unix.AUDIT_ARCH_I386, 435},
	{specs.ArchAARCH64, unix.AUDIT_ARCH_AARCH64, 435},
	{specs.ArchARM, unix.AUDIT_ARCH_ARM, 435},
	{specs.ArchRISCV64, unix.AUDIT_ARCH_RISCV64, 435},
	{specs.ArchPPC64LE, unix.AUDIT_ARCH_PPC64LE, 435},
	{specs.ArchMIPSEL, unix.AUDIT_ARCH_MIPSEL, 4000 + 435},
	{specs.ArchMIPSEL64, unix.AUDIT_ARCH_MIPSEL64, 5000 + 435},
	{specs.ArchMIPSEL64N32, unix.AUDIT_ARCH_MIPSEL64N32, 6000 + 435},
}

// TestENOSYSStub runs the program skiff-init compiles for a many-arch
// deny-by-default profile whose newest syscall is clone3, through an
// interpreter: above clone3's number each architecture says ENOSYS, at
// or below it libseccomp's program answers, and whatever the stub does
// not own (x32 numbers, unknown architectures) passes through to it.
func TestENOSYSStub(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the architectures of the test are little-endian, as the host must be to filter them")
	}
	sc := &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX32},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write", "openat"}, Action: specs.ActAllow},
			{Names: []string{"clone3"}, Action: specs.ActTrap},
			// Dropped (it repeats the default), but its number still
			// counts for the horizon.
			{Names: []string{"epoll_pwait2"}, Action: specs.ActErrno},
		},
	}
	for _, a := range stubArches {
		sc.Architectures = append(sc.Architectures, a.name)
	}
	// Without epoll_pwait2 first: clone3 is then the horizon.
	first := *sc
	first.Syscalls = sc.Syscalls[:2]
	prog := mustCompile(t, &first)
	const trap = unix.SECCOMP_RET_TRAP
	eperm := unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	for _, a := range stubArches {
		t.Run(string(a.name), func(t *testing.T) {
			for _, tc := range []struct {
				nr   uint32
				want uint32
			}{
				{a.clone3, trap},          // the horizon itself: the rule
				{a.clone3 - 1, eperm},     // older and not listed: the default
				{a.clone3 + 1, retENOSYS}, // newer: ENOSYS
				{a.clone3 + 1000, retENOSYS},
				{x32SyscallBit - 1, retENOSYS},
			} {
				if got := run(t, prog, seccompInput{nr: tc.nr, arch: a.audit}); got != tc.want {
					t.Errorf("nr %d: got %#x, want %#x", tc.nr, got, tc.want)
				}
			}
		})
	}
	// x32: its numbers carry the x32 bit, above every x86_64 horizon, but
	// they are libseccomp's to judge, under x32's own rules.
	x32 := func(nr uint32) seccompInput {
		return seccompInput{nr: x32SyscallBit | nr, arch: unix.AUDIT_ARCH_X86_64}
	}
	if got := run(t, prog, x32(435)); got != trap {
		t.Errorf("x32 clone3: got %#x, want the rule's SIGSYS", got)
	}
	if got := run(t, prog, x32(440)); got == retENOSYS {
		t.Errorf("x32 nr 440: ENOSYS from the stub, want libseccomp's answer")
	}
	// Elsewhere the x32 bit only makes a large number.
	if got := run(t, prog, seccompInput{nr: x32SyscallBit | 1, arch: unix.AUDIT_ARCH_I386}); got != retENOSYS {
		t.Errorf("i386 nr with the x32 bit: got %#x, want ENOSYS", got)
	}
	// An architecture outside the filter: libseccomp's bad-arch action.
	if got := run(t, prog, seccompInput{nr: 9999, arch: unix.AUDIT_ARCH_S390X}); got == retENOSYS {
		t.Errorf("an architecture outside the filter got ENOSYS from the stub")
	}

	// With epoll_pwait2 named, even by a dropped rule, the horizon
	// moves up to it.
	prog = mustCompile(t, sc)
	const epollPwait2 = 441
	for _, nr := range []uint32{436, epollPwait2} {
		if got := run(t, prog, seccompInput{nr: nr, arch: unix.AUDIT_ARCH_X86_64}); got != eperm {
			t.Errorf("x86_64 nr %d: got %#x, want the default EPERM", nr, got)
		}
	}
	if got := run(t, prog, seccompInput{nr: epollPwait2 + 1, arch: unix.AUDIT_ARCH_X86_64}); got != retENOSYS {
		t.Errorf("x86_64 nr %d: got %#x, want ENOSYS", epollPwait2+1, got)
	}
}

func TestENOSYSStubNoNames(t *testing.T) {
	// Nothing named, no horizon: the default answers everything.
	prog := mustCompile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActErrno})
	if returnsENOSYS(prog) {
		t.Error("a profile without names has an ENOSYS stub")
	}
}
