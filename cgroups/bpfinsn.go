package cgroups

import (
	"encoding/binary"
	"fmt"
	"math"

	"golang.org/x/sys/unix"
)

// A tiny eBPF encoder: only the instructions deviceFilter emits. skiff
// starts for every container operation, and cilium/ebpf with what it
// pulled in (crypto, compress/gzip, debug/dwarf, go/parser, ...) cost
// 2.7 ms of package init on each start and 1.5 MB of binary. The opcodes
// are Documentation/bpf/standardization/instruction-set.rst.

// bpfInsn mirrors struct bpf_insn (include/uapi/linux/bpf.h), 8 bytes in
// native byte order:
//
//	0  __u8  code     class | op | source (or class | mode | size)
//	1  __u8  dst_reg:4, src_reg:4
//	2  __s16 off      jump offset in instructions, or load offset in bytes
//	4  __s32 imm
type bpfInsn struct {
	code uint8
	regs uint8
	off  int16
	imm  int32
}

type bpfReg uint8

// R0 is the return value, R1 the context (struct bpf_cgroup_dev_ctx *),
// R2 to R5 caller-saved, R6 to R9 callee-saved, R10 the frame pointer.
const (
	bpfR0 bpfReg = iota
	bpfR1
	bpfR2
	bpfR3
	bpfR4
	bpfR5
	bpfR6
)

func bpfBigEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) != 1
}

// bpfRegs packs dst_reg and src_reg. C allocates bitfields from the low
// bits on little-endian ABIs and from the high bits on big-endian ones,
// so dst_reg, declared first, is the low nibble on amd64 and arm64.
func bpfRegs(dst, src bpfReg) uint8 {
	if bpfBigEndian() {
		return uint8(dst)<<4 | uint8(src)&0xf
	}
	return uint8(src)<<4 | uint8(dst)&0xf
}

func (i bpfInsn) dst() bpfReg {
	if bpfBigEndian() {
		return bpfReg(i.regs >> 4)
	}
	return bpfReg(i.regs & 0xf)
}

func (i bpfInsn) src() bpfReg {
	if bpfBigEndian() {
		return bpfReg(i.regs & 0xf)
	}
	return bpfReg(i.regs >> 4)
}

// bpfLoadWord is dst = *(u32 *)(src + off), zero-extended.
func bpfLoadWord(dst, src bpfReg, off int16) bpfInsn {
	return bpfInsn{code: unix.BPF_LDX | unix.BPF_MEM | unix.BPF_W, regs: bpfRegs(dst, src), off: off}
}

// bpfALUImm is the 64-bit dst = dst op imm (imm sign-extended); op is
// unix.BPF_MOV, BPF_AND, BPF_OR, BPF_XOR, BPF_RSH, ...
func bpfALUImm(op uint8, dst bpfReg, imm int32) bpfInsn {
	return bpfInsn{code: unix.BPF_ALU64 | op | unix.BPF_K, regs: bpfRegs(dst, 0), imm: imm}
}

// bpfALUReg is the 64-bit dst = dst op src.
func bpfALUReg(op uint8, dst, src bpfReg) bpfInsn {
	return bpfInsn{code: unix.BPF_ALU64 | op | unix.BPF_X, regs: bpfRegs(dst, src)}
}

// bpfJumpImm is "if dst op imm goto"; op is unix.BPF_JNE, BPF_JSET, ...
// The target is set by bpfAsm.jump.
func bpfJumpImm(op uint8, dst bpfReg, imm int32) bpfInsn {
	return bpfInsn{code: unix.BPF_JMP | op | unix.BPF_K, regs: bpfRegs(dst, 0), imm: imm}
}

// bpfJumpReg is "if dst op src goto".
func bpfJumpReg(op uint8, dst, src bpfReg) bpfInsn {
	return bpfInsn{code: unix.BPF_JMP | op | unix.BPF_X, regs: bpfRegs(dst, src)}
}

// bpfExit returns R0.
func bpfExit() bpfInsn {
	return bpfInsn{code: unix.BPF_JMP | unix.BPF_EXIT}
}

// bpfAsm collects instructions and resolves jumps to named labels, so the
// code that writes a program need not count instructions.
type bpfAsm struct {
	insns  []bpfInsn
	labels map[string]int // label -> index of the instruction it names
	jumps  map[int]string // index of a jump -> label it goes to
}

// emit appends instructions.
func (a *bpfAsm) emit(insns ...bpfInsn) {
	a.insns = append(a.insns, insns...)
}

// label names the next instruction emitted; one instruction can have
// several names.
func (a *bpfAsm) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.insns)
}

// jump appends a jump instruction whose target is the label, placed
// before or after it.
func (a *bpfAsm) jump(ins bpfInsn, label string) {
	if a.jumps == nil {
		a.jumps = map[int]string{}
	}
	a.jumps[len(a.insns)] = label
	a.insns = append(a.insns, ins)
}

// program sets every jump's offset, which counts from the instruction
// after the jump, and returns the instructions.
func (a *bpfAsm) program() ([]bpfInsn, error) {
	for at, label := range a.jumps {
		target, ok := a.labels[label]
		if !ok || target >= len(a.insns) {
			return nil, fmt.Errorf("bpf: jump at %d to label %q: no instruction there", at, label)
		}
		off := target - (at + 1)
		if off < math.MinInt16 || off > math.MaxInt16 {
			return nil, fmt.Errorf("bpf: jump at %d to label %q: offset %d out of range", at, label, off)
		}
		a.insns[at].off = int16(off)
	}
	return a.insns, nil
}
