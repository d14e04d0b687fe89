package bpf

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// InstructionSize is the size of one struct sock_filter: u16 code, u8 jt,
// u8 jf, u32 k.
const InstructionSize = 8

// MaxInstructions is the kernel's limit on one classic BPF program
// (BPF_MAXINSNS in include/uapi/linux/bpf_common.h); seccomp(2) fails with
// EINVAL above it.
const MaxInstructions = 4096

// Program is a seccomp filter ready for seccomp(2). It is plain data so that
// it can cross a pipe as JSON, as it does to the kernel tests' child.
type Program struct {
	// Filter is the classic BPF program: struct sock_filter after struct
	// sock_filter, 8 bytes each in native byte order. Raw bytes rather than
	// a slice of structs because JSON encodes them as one base64 string,
	// a fifth of the size of an array of objects: Docker's default
	// profile is about 1,000 instructions.
	Filter []byte `json:"filter"`
	// Flags are the SECCOMP_FILTER_FLAG_* bits that linux.seccomp.flags
	// asked for. Load adds the ones that follow from Listener.
	Flags uint `json:"flags,omitempty"`
	// Listener is set when some rule returns SECCOMP_RET_USER_NOTIF: Load
	// then asks the kernel for a notification fd and returns it.
	Listener bool `json:"listener,omitempty"`
}

// Encode packs instructions into the byte form of Program.Filter.
func Encode(insns []unix.SockFilter) []byte {
	b := make([]byte, 0, len(insns)*InstructionSize)
	for _, in := range insns {
		b = binary.NativeEndian.AppendUint16(b, in.Code)
		b = append(b, in.Jt, in.Jf)
		b = binary.NativeEndian.AppendUint32(b, in.K)
	}
	return b
}

// Decode unpacks the byte form of a filter into instructions, checking only
// what the kernel would refuse without saying why: a ragged or empty
// program, or one over MaxInstructions.
func Decode(b []byte) ([]unix.SockFilter, error) {
	if len(b)%InstructionSize != 0 {
		return nil, fmt.Errorf("decode seccomp filter: %d bytes is not a whole number of %d-byte instructions", len(b), InstructionSize)
	}
	n := len(b) / InstructionSize
	if n == 0 {
		return nil, fmt.Errorf("decode seccomp filter: empty program")
	}
	if n > MaxInstructions {
		return nil, fmt.Errorf("decode seccomp filter: %d instructions, the kernel allows %d", n, MaxInstructions)
	}
	insns := make([]unix.SockFilter, n)
	for i := range insns {
		in := b[i*InstructionSize:]
		insns[i] = unix.SockFilter{
			Code: binary.NativeEndian.Uint16(in[0:]),
			Jt:   in[2],
			Jf:   in[3],
			K:    binary.NativeEndian.Uint32(in[4:]),
		}
	}
	return insns, nil
}

// Stmt is BPF_STMT from linux/filter.h: an instruction without branches.
func Stmt(code uint16, k uint32) unix.SockFilter {
	return unix.SockFilter{Code: code, K: k}
}

// Jump is BPF_JUMP from linux/filter.h: a conditional jump that skips jt
// instructions when the test holds and jf when it does not.
func Jump(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
}
