package seccomp

import (
	"testing"

	"golang.org/x/sys/unix"
)

type bpfInsn = unix.SockFilter

// seccompData is the input of a filter (struct seccomp_data,
// include/uapi/linux/seccomp.h); its layout is the offsets the program
// loads from.
type seccompInput struct {
	nr   uint32
	arch uint32
	args [6]uint64
}

// Offsets into struct seccomp_data.
const (
	offsetNr   = 0
	offsetArch = 4
	offsetArgs = 16
)

// x32SyscallBit marks x32 syscalls, which arrive with
// seccomp_data.arch == AUDIT_ARCH_X86_64 (__X32_SYSCALL_BIT in
// arch/x86/include/uapi/asm/unistd.h).
const x32SyscallBit = 0x40000000

// word returns the 32-bit word of in at a seccomp_data offset, as the
// kernel does for BPF_LD|BPF_W|BPF_ABS on a little-endian machine.
func (in seccompInput) word(t *testing.T, off uint32) uint32 {
	switch {
	case off == offsetNr:
		return in.nr
	case off == offsetArch:
		return in.arch
	case off >= offsetArgs && off < offsetArgs+6*8 && off%4 == 0:
		a := in.args[(off-offsetArgs)/8]
		if (off-offsetArgs)%8 == 0 {
			return uint32(a)
		}
		return uint32(a >> 32)
	}
	t.Fatalf("load from seccomp_data offset %d", off)
	return 0
}

// run interprets a classic BPF seccomp program over in, as the kernel
// would, for the instructions libseccomp and the ENOSYS stub emit; it
// fails the test on any other, on a jump out of the program, or on
// falling off its end.
func run(t *testing.T, prog []bpfInsn, in seccompInput) uint32 {
	t.Helper()
	var a, x uint32
	for pc := 0; pc < len(prog); pc++ {
		ins := prog[pc]
		switch ins.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			a = in.word(t, ins.K)
		case unix.BPF_LD | unix.BPF_IMM:
			a = ins.K
		case unix.BPF_LDX | unix.BPF_IMM:
			x = ins.K
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			a &= ins.K
		case unix.BPF_MISC | unix.BPF_TAX:
			x = a
		case unix.BPF_MISC | unix.BPF_TXA:
			a = x
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(ins.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K,
			unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K, unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			var hold bool
			switch ins.Code &^ (unix.BPF_JMP | unix.BPF_K) {
			case unix.BPF_JEQ:
				hold = a == ins.K
			case unix.BPF_JGT:
				hold = a > ins.K
			case unix.BPF_JGE:
				hold = a >= ins.K
			case unix.BPF_JSET:
				hold = a&ins.K != 0
			}
			if hold {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return ins.K
		case unix.BPF_RET | unix.BPF_A:
			return a
		default:
			t.Fatalf("pc %d: unexpected instruction %+v", pc, ins)
		}
		if pc+1 > len(prog) {
			t.Fatalf("pc %d: jump past the end", pc)
		}
	}
	t.Fatal("fell off the end of the program")
	return 0
}
