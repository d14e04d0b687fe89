package cgroups

import (
	"encoding/hex"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// devRequest is what the kernel asks a device program: one device and the
// access bits wanted (several at once for O_RDWR).
type devRequest struct {
	typ    string // "b" or "c"
	major  uint32
	minor  uint32
	access string // letters of rwm
}

func (q devRequest) String() string {
	return fmt.Sprintf("%s %d:%d %s", q.typ, q.major, q.minor, q.access)
}

func (q devRequest) ctx() [3]uint32 {
	typ := uint32(devcgDevChar)
	if q.typ == "b" {
		typ = devcgDevBlock
	}
	var acc uint32
	for _, c := range q.access {
		acc |= map[rune]uint32{'r': devcgAccRead, 'w': devcgAccWrite, 'm': devcgAccMknod}[c]
	}
	return [3]uint32{acc<<16 | typ, q.major, q.minor}
}

// runDeviceProgram interprets the subset of eBPF deviceFilter emits, with
// R1 pointing at a struct bpf_cgroup_dev_ctx. It decodes the encoded
// instructions and follows the jump offsets as the kernel would, so the
// encoder and the label fixup are under test too. Anything else fails the
// test, so a change to the emitted code cannot go untested by accident.
func runDeviceProgram(t *testing.T, insns []bpfInsn, q devRequest) bool {
	t.Helper()
	ctx := q.ctx()
	var reg [11]uint64
	for pc, steps := 0, 0; ; steps++ {
		if pc < 0 || pc >= len(insns) || steps > 10000 {
			t.Fatalf("pc %d out of the program (or looping) for %s", pc, q)
		}
		ins := insns[pc]
		pc++
		if ins.dst() > bpfR6 || ins.src() > bpfR6 {
			t.Fatalf("unexpected register in %v", ins)
		}
		src := uint64(int64(ins.imm)) // sign-extended, as the kernel does
		if ins.code&0x08 == unix.BPF_X {
			src = reg[ins.src()]
		} else if ins.src() != 0 && ins.code&0x07 != unix.BPF_LDX {
			t.Fatalf("immediate instruction with a source register: %v", ins)
		}
		switch ins.code & 0x07 {
		case unix.BPF_LDX:
			if ins.code != unix.BPF_LDX|unix.BPF_MEM|unix.BPF_W || ins.src() != bpfR1 || ins.imm != 0 ||
				ins.off%4 != 0 || ins.off < 0 || ins.off > 8 {
				t.Fatalf("unsupported load %v", ins)
			}
			reg[ins.dst()] = uint64(ctx[ins.off/4])
		case unix.BPF_ALU64:
			if ins.off != 0 {
				t.Fatalf("ALU op with an offset: %v", ins)
			}
			d := &reg[ins.dst()]
			switch ins.code & 0xf0 {
			case unix.BPF_MOV:
				*d = src
			case unix.BPF_AND:
				*d &= src
			case unix.BPF_OR:
				*d |= src
			case unix.BPF_XOR:
				*d ^= src
			case unix.BPF_RSH:
				*d >>= src
			default:
				t.Fatalf("unsupported ALU op %v", ins)
			}
		case unix.BPF_JMP:
			var taken bool
			switch ins.code & 0xf0 {
			case unix.BPF_EXIT:
				if ins != bpfExit() {
					t.Fatalf("malformed exit %v", ins)
				}
				return reg[bpfR0] == 1
			case unix.BPF_JNE:
				taken = reg[ins.dst()] != src
			case unix.BPF_JSET:
				taken = reg[ins.dst()]&src != 0
			default:
				t.Fatalf("unsupported jump %v", ins)
			}
			if taken {
				pc += int(ins.off)
			}
		default:
			t.Fatalf("unsupported instruction %v", ins)
		}
	}
}

// String disassembles, for the failure messages above.
func (i bpfInsn) String() string {
	return fmt.Sprintf("{code %#02x dst r%d src r%d off %d imm %d}", i.code, i.dst(), i.src(), i.off, i.imm)
}

// decideDevice is the reference semantics, written as plainly as possible:
// deny all, then for each access letter the last rule that matches the
// device and lists the letter decides.
func decideDevice(rules []specs.LinuxDeviceCgroup, q devRequest) bool {
	for _, want := range q.access {
		allowed := false
		for _, d := range rules {
			if d.Type == "" || d.Type == "a" {
				allowed = d.Allow
				continue
			}
			access := d.Access
			if access == "" {
				access = "rwm"
			}
			num := func(p *int64, v uint32) bool { return p == nil || *p == -1 || *p == int64(v) }
			if d.Type == q.typ && num(d.Major, q.major) && num(d.Minor, q.minor) && strings.ContainsRune(access, want) {
				allowed = d.Allow
			}
		}
		if !allowed {
			return false
		}
	}
	return true
}

func n(v int64) *int64 { return &v }

func dev(allow bool, typ string, major, minor *int64, access string) specs.LinuxDeviceCgroup {
	return specs.LinuxDeviceCgroup{Allow: allow, Type: typ, Major: major, Minor: minor, Access: access}
}

func TestDeviceFilter(t *testing.T) {
	denyAll := dev(false, "a", nil, nil, "rwm")
	null := devRequest{"c", 1, 3, ""}
	at := func(q devRequest, access string) devRequest { q.access = access; return q }
	zero := devRequest{"c", 1, 5, ""}
	full := devRequest{"c", 1, 7, ""}
	sda := devRequest{"b", 8, 0, ""}

	tests := []struct {
		name  string
		rules []specs.LinuxDeviceCgroup
		allow []devRequest
		deny  []devRequest
	}{{
		name:  "empty list denies everything",
		rules: nil,
		deny:  []devRequest{at(null, "r"), at(sda, "m")},
	}, {
		name: "deny all then allows",
		rules: []specs.LinuxDeviceCgroup{
			denyAll,
			dev(true, "c", n(1), n(3), "rwm"),
			dev(true, "c", n(1), n(5), "r"),
		},
		allow: []devRequest{at(null, "rw"), at(null, "m"), at(null, "rwm"), at(zero, "r")},
		deny:  []devRequest{at(zero, "w"), at(zero, "rw"), at(zero, "m"), at(full, "r"), at(sda, "r"), {"b", 1, 3, "r"}},
	}, {
		name:  "allow all",
		rules: []specs.LinuxDeviceCgroup{dev(true, "a", nil, nil, "rwm")},
		allow: []devRequest{at(null, "rwm"), at(sda, "rwm")},
	}, {
		name:  "type a ignores numbers and access, as devices.allow does",
		rules: []specs.LinuxDeviceCgroup{dev(true, "a", n(1), n(3), "r")},
		allow: []devRequest{at(full, "rwm"), at(sda, "w")},
	}, {
		name:  "empty type is a",
		rules: []specs.LinuxDeviceCgroup{dev(true, "", nil, nil, "")},
		allow: []devRequest{at(sda, "rwm")},
	}, {
		name:  "a later deny all wipes earlier allows",
		rules: []specs.LinuxDeviceCgroup{dev(true, "c", n(1), n(3), "rwm"), denyAll, dev(true, "c", n(1), n(5), "r")},
		allow: []devRequest{at(zero, "r")},
		deny:  []devRequest{at(null, "r")},
	}, {
		name:  "allow all then deny one",
		rules: []specs.LinuxDeviceCgroup{dev(true, "a", nil, nil, ""), dev(false, "c", n(1), n(7), "w")},
		allow: []devRequest{at(full, "r"), at(full, "m"), at(null, "rw"), at(sda, "rwm")},
		deny:  []devRequest{at(full, "w"), at(full, "rw")},
	}, {
		name: "a partial deny takes its bit out of an O_RDWR request",
		rules: []specs.LinuxDeviceCgroup{
			denyAll,
			dev(true, "c", n(1), n(5), "rw"),
			dev(false, "c", n(1), n(5), "w"),
		},
		allow: []devRequest{at(zero, "r")},
		deny:  []devRequest{at(zero, "w"), at(zero, "rw")},
	}, {
		name: "later allow overrides earlier deny",
		rules: []specs.LinuxDeviceCgroup{
			denyAll,
			dev(false, "c", n(1), n(3), "rwm"),
			dev(true, "c", n(1), nil, "rw"),
		},
		allow: []devRequest{at(null, "rw"), at(full, "r")},
		deny:  []devRequest{at(null, "m")},
	}, {
		name: "wildcards: nil and -1",
		rules: []specs.LinuxDeviceCgroup{
			denyAll,
			dev(true, "c", nil, n(3), "m"),
			dev(true, "b", n(8), n(-1), "r"),
			dev(true, "c", n(-1), n(-1), "w"),
		},
		allow: []devRequest{at(null, "m"), {"c", 99, 3, "m"}, at(sda, "r"), {"b", 8, 17, "r"}, at(full, "w")},
		deny:  []devRequest{{"c", 99, 4, "m"}, {"b", 8, 0, "w"}, {"b", 9, 0, "r"}, {"b", 1, 3, "m"}, at(full, "r")},
	}, {
		name:  "empty access is rwm",
		rules: []specs.LinuxDeviceCgroup{denyAll, dev(true, "b", n(8), n(0), "")},
		allow: []devRequest{at(sda, "rwm")},
		deny:  []devRequest{{"c", 8, 0, "r"}},
	}, {
		name: "the type field is checked",
		rules: []specs.LinuxDeviceCgroup{
			denyAll,
			dev(true, "b", n(1), n(3), "rwm"),
		},
		allow: []devRequest{{"b", 1, 3, "rwm"}},
		deny:  []devRequest{at(null, "r")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			insns, err := deviceFilter(tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tt.allow {
				if !runDeviceProgram(t, insns, q) {
					t.Errorf("%s: denied, want allowed\n%v", q, insns)
				}
				if !decideDevice(tt.rules, q) {
					t.Errorf("%s: reference denies, want allowed", q)
				}
			}
			for _, q := range tt.deny {
				if runDeviceProgram(t, insns, q) {
					t.Errorf("%s: allowed, want denied\n%v", q, insns)
				}
				if decideDevice(tt.rules, q) {
					t.Errorf("%s: reference allows, want denied", q)
				}
			}
		})
	}
}

// TestDeviceFilterMatchesReference compares the program with decideDevice
// on random rule lists over a small universe of devices, every request.
func TestDeviceFilterMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	types := []string{"a", "b", "c", "c", "c", ""}
	nums := []*int64{nil, n(-1), n(1), n(3), n(5)}
	accesses := []string{"", "r", "w", "m", "rw", "rm", "wm", "rwm", "mr"}
	var reqs []devRequest
	for _, typ := range []string{"b", "c"} {
		for _, maj := range []uint32{1, 3, 7} {
			for _, min := range []uint32{1, 5, 0} {
				for _, acc := range []string{"r", "w", "m", "rw", "rm", "wm", "rwm"} {
					reqs = append(reqs, devRequest{typ, maj, min, acc})
				}
			}
		}
	}
	for round := 0; round < 500; round++ {
		rules := make([]specs.LinuxDeviceCgroup, rng.Intn(8))
		for i := range rules {
			rules[i] = dev(rng.Intn(2) == 0, types[rng.Intn(len(types))],
				nums[rng.Intn(len(nums))], nums[rng.Intn(len(nums))], accesses[rng.Intn(len(accesses))])
		}
		insns, err := deviceFilter(rules)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range reqs {
			if got, want := runDeviceProgram(t, insns, q), decideDevice(rules, q); got != want {
				t.Fatalf("rules %+v, request %s: program says %v, reference %v\n%v", rules, q, got, want, insns)
			}
		}
	}
}

func TestDeviceFilterErrors(t *testing.T) {
	tests := []struct {
		rule specs.LinuxDeviceCgroup
		want string
	}{
		{dev(true, "u", nil, nil, "r"), `linux.resources.devices[1]: invalid type "u"`},
		{dev(true, "c", n(-2), nil, "r"), "linux.resources.devices[1]: major: -2 out of range"},
		{dev(true, "c", n(1), n(1<<40), "r"), "linux.resources.devices[1]: minor: 1099511627776 out of range"},
		{dev(true, "c", n(1), n(3), "rx"), `linux.resources.devices[1]: invalid access "rx"`},
	}
	for _, tt := range tests {
		_, err := deviceFilter([]specs.LinuxDeviceCgroup{dev(false, "a", nil, nil, ""), tt.rule})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%+v: got %v, want %q...", tt.rule, err, tt.want)
		}
	}
}

// TestDeviceFilterLeadingDenyAll: the usual list starts with "deny a",
// which costs nothing; a program for it is the prologue, one compare per
// specified number and the epilogue.
func TestDeviceFilterLeadingDenyAll(t *testing.T) {
	insns, err := deviceFilter([]specs.LinuxDeviceCgroup{
		dev(false, "a", nil, nil, "rwm"),
		dev(true, "c", n(1), n(3), "rwm"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(insns), 7+4+5; got != want {
		t.Errorf("got %d instructions, want %d:\n%v", got, want, insns)
	}
}

// progBytes is the program as the kernel reads it.
func progBytes(insns []bpfInsn) []byte {
	if len(insns) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&insns[0])), len(insns)*int(unsafe.Sizeof(insns[0])))
}

// TestDeviceFilterEncoding: the programs are byte for byte what
// cilium/ebpf v0.22.0's asm package encoded for the same rules (skiff
// e517972, Instructions.Marshal little-endian), before skiff dropped it.
func TestDeviceFilterEncoding(t *testing.T) {
	if bpfBigEndian() {
		t.Skip("the golden encodings are little-endian")
	}
	tests := []struct {
		rules []specs.LinuxDeviceCgroup
		want  string
	}{{
		rules: []specs.LinuxDeviceCgroup{dev(false, "a", nil, nil, "rwm"), dev(true, "c", n(1), n(3), "rwm"), dev(true, "c", n(1), n(5), "r")},
		want:  "6112000000000000bf2300000000000057020000ffff0000770300001000000061140400000000006115080000000000b70600000000000055020300020000005504020001000000550501000300000047060000070000005502030002000000550402000100000055050100050000004706000002000000a7060000ffffffffb7000000000000004d63010000000000b7000000010000009500000000000000",
	}, {
		rules: []specs.LinuxDeviceCgroup{dev(true, "a", nil, nil, ""), dev(false, "c", n(1), n(7), "w"), dev(true, "b", n(8), nil, "m"), dev(false, "c", nil, n(-1), "rw")},
		want:  "6112000000000000bf2300000000000057020000ffff0000770300001000000061140400000000006115080000000000b70600000700000055020300020000005504020001000000550501000700000057060000fbffffff550202000100000055040100080000004706000001000000550201000200000057060000f9ffffffa7060000ffffffffb7000000000000004d63010000000000b7000000010000009500000000000000",
	}, {
		rules: nil,
		want:  "6112000000000000bf2300000000000057020000ffff0000770300001000000061140400000000006115080000000000b706000000000000a7060000ffffffffb7000000000000004d63010000000000b7000000010000009500000000000000",
	}}
	for i, tt := range tests {
		insns, err := deviceFilter(tt.rules)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(progBytes(insns)); got != tt.want {
			t.Errorf("program %d:\ngot  %s\nwant %s", i, got, tt.want)
		}
	}
}
