package cgroups

import (
	"testing"
	"unsafe"
)

// TestBPFAttrLayout checks the offsets in bpfsys.go's comments against
// the Go layout; the numbers are gcc's for Linux 6.18's
// include/uapi/linux/bpf.h (offsetof on union bpf_attr and struct
// bpf_prog_info, as dumped from the running kernel's BTF by bpftool).
func TestBPFAttrLayout(t *testing.T) {
	var load bpfProgLoadAttr
	var attach bpfProgAttachAttr
	var query bpfProgQueryAttr
	var info bpfInfoByFDAttr
	var prog bpfProgInfo
	tests := []struct {
		field     string
		got, want uintptr
	}{
		{"bpf_insn size", unsafe.Sizeof(bpfInsn{}), 8},
		{"prog_type", unsafe.Offsetof(load.progType), 0},
		{"insn_cnt", unsafe.Offsetof(load.insnCnt), 4},
		{"insns", unsafe.Offsetof(load.insns), 8},
		{"license", unsafe.Offsetof(load.license), 16},
		{"log_level", unsafe.Offsetof(load.logLevel), 24},
		{"log_size", unsafe.Offsetof(load.logSize), 28},
		{"log_buf", unsafe.Offsetof(load.logBuf), 32},
		{"prog_name", unsafe.Offsetof(load.progName), 48},
		{"target_fd", unsafe.Offsetof(attach.targetFD), 0},
		{"attach_bpf_fd", unsafe.Offsetof(attach.attachBPFFD), 4},
		{"attach_type", unsafe.Offsetof(attach.attachType), 8},
		{"attach_flags", unsafe.Offsetof(attach.attachFlags), 12},
		{"query.attach_type", unsafe.Offsetof(query.attachType), 4},
		{"query.prog_ids", unsafe.Offsetof(query.progIDs), 16},
		{"query.prog_cnt", unsafe.Offsetof(query.progCnt), 24},
		{"info.info_len", unsafe.Offsetof(info.infoLen), 4},
		{"info.info", unsafe.Offsetof(info.info), 8},
		{"bpf_prog_info.id", unsafe.Offsetof(prog.id), 4},
		{"bpf_prog_info.map_ids", unsafe.Offsetof(prog.mapIDs), 56},
		{"bpf_prog_info.name", unsafe.Offsetof(prog.name), 64},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s at %d, want %d", tt.field, tt.got, tt.want)
		}
	}
}
