package seccomp

import (
	"fmt"
	"testing"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// run interprets the few classic BPF instructions the stub uses over a
// seccomp_data holding only nr and arch, and fails on anything else, on a
// jump out of the program, or on falling off its end.
func run(t *testing.T, prog []unix.SockFilter, arch, nr uint32) uint32 {
	t.Helper()
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			switch in.K {
			case offsetNr:
				a = nr
			case offsetArch:
				a = arch
			default:
				t.Fatalf("pc %d: load from offset %d", pc, in.K)
			}
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K, unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			var hold bool
			switch in.Code &^ (unix.BPF_JMP | unix.BPF_K) {
			case unix.BPF_JEQ:
				hold = a == in.K
			case unix.BPF_JGT:
				hold = a > in.K
			case unix.BPF_JSET:
				hold = a&in.K != 0
			}
			if hold {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return in.K
		default:
			t.Fatalf("pc %d: unexpected instruction %+v", pc, in)
		}
		if pc+1 > len(prog) {
			t.Fatalf("pc %d: jump past the end", pc)
		}
	}
	t.Fatal("fell off the end of the program")
	return 0
}

// libMarker stands in for libseccomp's program: reaching it means the stub
// passed the syscall on.
const libMarker = 0x7fff1234

const retENOSYS = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)

func TestENOSYSStub(t *testing.T) {
	stub := enosysStub([]horizon{
		{audit: unix.AUDIT_ARCH_X86_64, max: 300, x32: true},
		{audit: unix.AUDIT_ARCH_I386, max: 400},
	})
	prog := append(stub, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: libMarker})
	for _, tc := range []struct {
		name     string
		arch, nr uint32
		want     uint32
	}{
		{"x86_64 known", unix.AUDIT_ARCH_X86_64, 39, libMarker},
		{"x86_64 at the horizon", unix.AUDIT_ARCH_X86_64, 300, libMarker},
		{"x86_64 newer", unix.AUDIT_ARCH_X86_64, 301, retENOSYS},
		{"x86_64 far newer", unix.AUDIT_ARCH_X86_64, 1 << 20, retENOSYS},
		{"x32 low", unix.AUDIT_ARCH_X86_64, x32SyscallBit | 39, libMarker},
		{"x32 above the x86_64 horizon", unix.AUDIT_ARCH_X86_64, x32SyscallBit | 1000, libMarker},
		{"i386 at the horizon", unix.AUDIT_ARCH_I386, 400, libMarker},
		{"i386 newer", unix.AUDIT_ARCH_I386, 401, retENOSYS},
		{"i386 nr with the x32 bit is just large", unix.AUDIT_ARCH_I386, x32SyscallBit | 39, retENOSYS},
		{"arch without a horizon", unix.AUDIT_ARCH_AARCH64, 9999, libMarker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, prog, tc.arch, tc.nr); got != tc.want {
				t.Errorf("got %#x, want %#x", got, tc.want)
			}
		})
	}
}

func TestENOSYSStubManyArches(t *testing.T) {
	// Far more blocks than an 8-bit conditional jump can cross: only the
	// 32-bit "ja" may reach libseccomp's program from the first block.
	var hs []horizon
	for i := range 100 {
		hs = append(hs, horizon{audit: 0x1000 + uint32(i), max: uint32(i), x32: i%2 == 0})
	}
	stub := enosysStub(hs)
	if len(stub) < 256 {
		t.Fatalf("stub has %d instructions, the test needs more than 255", len(stub))
	}
	prog := append(stub, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: libMarker})
	for _, i := range []uint32{0, 1, 50, 99} {
		if got := run(t, prog, 0x1000+i, i); got != libMarker {
			t.Errorf("arch %d nr %d: got %#x, want libseccomp's program", i, i, got)
		}
		if got := run(t, prog, 0x1000+i, i+1); got != retENOSYS {
			t.Errorf("arch %d nr %d: got %#x, want ENOSYS", i, i+1, got)
		}
	}
	if got := run(t, prog, 0x9999, 5); got != libMarker {
		t.Errorf("unknown arch: got %#x, want libseccomp's program", got)
	}
}

func TestENOSYSStubEmpty(t *testing.T) {
	if stub := enosysStub(nil); stub != nil {
		t.Errorf("no horizons gave %d instructions, want none", len(stub))
	}
}

func TestNeedsENOSYS(t *testing.T) {
	for _, tc := range []struct {
		def  libseccomp.ScmpAction
		want bool
	}{
		{libseccomp.ActAllow, false},
		{libseccomp.ActLog, false},
		{libseccomp.ActErrno.SetReturnCode(int16(unix.ENOSYS)), false},
		{libseccomp.ActErrno.SetReturnCode(int16(unix.EPERM)), true},
		{libseccomp.ActKillProcess, true},
		{libseccomp.ActKillThread, true},
		{libseccomp.ActTrap, true},
		{libseccomp.ActTrace.SetReturnCode(int16(unix.ENOSYS)), true},
	} {
		t.Run(fmt.Sprint(tc.def), func(t *testing.T) {
			if got := needsENOSYS(&plan{defaultAction: tc.def}); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
