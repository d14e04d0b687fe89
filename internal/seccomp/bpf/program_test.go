package bpf

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestEncodeDecode(t *testing.T) {
	insns := []unix.SockFilter{
		Stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 4),
		Jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, unix.AUDIT_ARCH_X86_64, 1, 0),
		Stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_KILL_PROCESS),
		Stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ALLOW),
	}
	b := Encode(insns)
	if len(b) != 8*len(insns) {
		t.Fatalf("%d bytes for %d instructions", len(b), len(insns))
	}
	// Through JSON, as the program crosses from the host side to init.
	j, err := json.Marshal(Program{Filter: b, Flags: 1, Listener: true})
	if err != nil {
		t.Fatal(err)
	}
	var p Program
	if err := json.Unmarshal(j, &p); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(p.Filter)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, insns) || p.Flags != 1 || !p.Listener {
		t.Errorf("round trip gave %+v %+v", got, p)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"ragged", make([]byte, 12), "decode seccomp filter: 12 bytes is not a whole number of 8-byte instructions"},
		{"empty", nil, "decode seccomp filter: empty program"},
		{"too long", make([]byte, 8*(MaxInstructions+1)), "decode seccomp filter: 4097 instructions, the kernel allows 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.b); err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestFlagBit(t *testing.T) {
	for name, want := range map[string]uint{
		"SECCOMP_FILTER_FLAG_TSYNC":              unix.SECCOMP_FILTER_FLAG_TSYNC,
		"SECCOMP_FILTER_FLAG_LOG":                unix.SECCOMP_FILTER_FLAG_LOG,
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW":         unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
	} {
		if got, ok := FlagBit(name); !ok || got != want {
			t.Errorf("FlagBit(%s) = %#x, %v; want %#x", name, got, ok, want)
		}
	}
	if _, ok := FlagBit("SECCOMP_FILTER_FLAG_BOGUS"); ok {
		t.Error("a bogus flag has a bit")
	}
	if got := flagNames(unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_LOG); got != "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_LOG" {
		t.Errorf("flagNames = %s", got)
	}
}

// The failures below happen before the kernel installs anything, so they
// are safe to provoke in the test process itself.

func TestLoadUnknownFlag(t *testing.T) {
	p := Program{Filter: Encode([]unix.SockFilter{Stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ALLOW)}), Flags: 1 << 30}
	fd, err := p.Load()
	const want = "load seccomp filter: unknown flag 0x40000000: seccomp: invalid argument"
	if err == nil || err.Error() != want || fd != -1 {
		t.Fatalf("got %d, %v; want -1, %s", fd, err, want)
	}
}

func TestLoadBadProgram(t *testing.T) {
	if unix.Geteuid() != 0 {
		// Without CAP_SYS_ADMIN or no_new_privs the kernel says EACCES
		// before it looks at the program.
		t.Skip("needs root")
	}
	// A program must end in a return (bpf_check_classic).
	p := Program{Filter: Encode([]unix.SockFilter{Stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0)})}
	_, err := p.Load()
	const want = "load seccomp filter: kernel refused the 1-instruction program: seccomp: invalid argument"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if !strings.Contains(err.Error(), "invalid argument") || !errors.Is(err, unix.EINVAL) {
		t.Errorf("%v does not wrap EINVAL", err)
	}
}

func TestLoadDecodeError(t *testing.T) {
	if _, err := (&Program{}).Load(); err == nil || err.Error() != "decode seccomp filter: empty program" {
		t.Fatalf("got %v", err)
	}
}
