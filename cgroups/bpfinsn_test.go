package cgroups

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestBPFAsmLabels(t *testing.T) {
	var a bpfAsm
	a.label("top")
	a.emit(bpfALUImm(unix.BPF_MOV, bpfR0, 0))
	a.jump(bpfJumpImm(unix.BPF_JNE, bpfR2, 1), "end")
	a.jump(bpfJumpImm(unix.BPF_JNE, bpfR2, 2), "top")
	a.label("end")
	a.label("also-end")
	a.jump(bpfJumpImm(unix.BPF_JNE, bpfR2, 3), "also-end")
	a.emit(bpfExit())
	insns, err := a.program()
	if err != nil {
		t.Fatal(err)
	}
	var offs []int16
	for _, ins := range insns {
		offs = append(offs, ins.off)
	}
	// Offsets count from the next instruction: +1 skips one, -3 from
	// index 2 is index 0, -1 is the jump itself.
	if want := []int16{0, 1, -3, -1, 0}; !slices.Equal(offs, want) {
		t.Errorf("offsets %v, want %v", offs, want)
	}
	if insns[1].dst() != bpfR2 || insns[1].src() != bpfR0 || insns[1].imm != 1 {
		t.Errorf("jump decoded as %v", insns[1])
	}

	for name, a := range map[string]*bpfAsm{
		"unknown label": func() *bpfAsm {
			var a bpfAsm
			a.jump(bpfJumpImm(unix.BPF_JNE, bpfR2, 1), "nowhere")
			a.emit(bpfExit())
			return &a
		}(),
		"label past the end": func() *bpfAsm {
			var a bpfAsm
			a.jump(bpfJumpImm(unix.BPF_JNE, bpfR2, 1), "end")
			a.emit(bpfExit())
			a.label("end")
			return &a
		}(),
	} {
		if _, err := a.program(); err == nil || !strings.Contains(err.Error(), "no instruction there") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
