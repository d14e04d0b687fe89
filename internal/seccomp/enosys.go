package seccomp

import (
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// x32SyscallBit marks x32 syscalls, which arrive with
// seccomp_data.arch == AUDIT_ARCH_X86_64 (__X32_SYSCALL_BIT in
// arch/x86/include/uapi/asm/unistd.h).
const x32SyscallBit = 0x40000000

// Offsets into struct seccomp_data (include/uapi/linux/seccomp.h).
const (
	offsetNr   = 0
	offsetArch = 4
)

// horizon is, for one architecture, the highest syscall number the profile
// names.
type horizon struct {
	audit uint32 // AUDIT_ARCH_*
	max   uint32
	x32   bool // the architecture is x86_64, whose numbers may carry the x32 bit
}

// needsENOSYS tells whether syscalls newer than the profile should fail
// with ENOSYS rather than take the default action. A deny-by-default
// profile cannot list syscalls that did not exist when it was written, so
// a new libc trying clone3 or openat2 would get EPERM and give up, where
// ENOSYS makes it fall back to clone or openat (runc does the same). A
// default that lets syscalls through (ALLOW, LOG) needs no help, nor does a
// default that already returns ENOSYS.
func needsENOSYS(p *plan) bool {
	d := p.defaultAction
	return d != libseccomp.ActAllow && d != libseccomp.ActLog && d != libseccomp.ActErrno.SetReturnCode(int16(unix.ENOSYS))
}

// enosysStub returns the BPF block that goes in front of libseccomp's
// program: for each architecture, a syscall numbered above the profile's
// horizon returns ENOSYS; everything else falls through to libseccomp's
// program, which starts right after the block. Classic BPF only jumps
// forward and relatively, so prepending needs no change to libseccomp's
// instructions.
//
// Per architecture, with A the accumulator:
//
//	A = seccomp_data.arch           (once, before the first block)
//	if A != audit: skip this block  (A still holds arch for the next one)
//	A = seccomp_data.nr
//	if A & x32SyscallBit: goto out  (x86_64 only: x32 is libseccomp's to judge)
//	if A <= max: goto out
//	return SECCOMP_RET_ERRNO|ENOSYS
//	out: ja to libseccomp's program
//
// Conditional jumps have 8-bit offsets, so every one stays inside its own
// block; only the final "ja", whose offset is 32 bits, crosses the rest of
// the stub, however many architectures there are.
func enosysStub(hs []horizon) []unix.SockFilter {
	if len(hs) == 0 {
		return nil
	}
	stub := []unix.SockFilter{bpf.Stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetArch)}
	var jas []int // indexes of the "ja" instructions, patched below
	for _, h := range hs {
		block := []unix.SockFilter{
			bpf.Stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetNr),
		}
		if h.x32 {
			// Skip the next two (jgt, ret) to land on ja.
			block = append(block, bpf.Jump(unix.BPF_JMP|unix.BPF_JSET|unix.BPF_K, x32SyscallBit, 2, 0))
		}
		block = append(block,
			bpf.Jump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, h.max, 0, 1),
			bpf.Stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS)),
			bpf.Stmt(unix.BPF_JMP|unix.BPF_JA, 0),
		)
		stub = append(stub, bpf.Jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, h.audit, 0, uint8(len(block))))
		stub = append(stub, block...)
		jas = append(jas, len(stub)-1)
	}
	for _, i := range jas {
		stub[i].K = uint32(len(stub) - i - 1)
	}
	return stub
}
