package cgroups

import (
	"fmt"
	"math"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Values the kernel passes in struct bpf_cgroup_dev_ctx
// (include/uapi/linux/bpf.h): access_type is access<<16 | type, as
// __cgroup_bpf_check_dev_permission builds it (kernel/bpf/cgroup.c).
const (
	devcgDevBlock = 1 // BPF_DEVCG_DEV_BLOCK
	devcgDevChar  = 2 // BPF_DEVCG_DEV_CHAR

	devcgAccMknod = 1 // BPF_DEVCG_ACC_MKNOD
	devcgAccRead  = 2 // BPF_DEVCG_ACC_READ
	devcgAccWrite = 4 // BPF_DEVCG_ACC_WRITE
	devcgAccAll   = devcgAccMknod | devcgAccRead | devcgAccWrite

	// Offsets of the u32 fields of struct bpf_cgroup_dev_ctx.
	devCtxAccessType = 0
	devCtxMajor      = 4
	devCtxMinor      = 8
)

// deviceMatch is one rule of linux.resources.devices in the form the
// program tests: devType 0 is any type, major/minor -1 any number.
type deviceMatch struct {
	allow   bool
	devType int32
	major   int32
	minor   int32
	access  int32 // devcgAcc* bits
}

// deviceMatches normalises rules the way v1Devices renders them for
// devices.allow/deny (deviceRule): type "" or "a" is every device with
// every access whatever the other fields say (the kernel reads nothing
// after "a"), a nil or -1 number is "*", and an empty access is "rwm".
func deviceMatches(rules []specs.LinuxDeviceCgroup) ([]deviceMatch, error) {
	out := make([]deviceMatch, 0, len(rules))
	for i, d := range rules {
		field := indexed(fDevices, i)
		m := deviceMatch{allow: d.Allow, major: -1, minor: -1}
		switch d.Type {
		case "", "a":
			m.access = devcgAccAll
			out = append(out, m)
			continue
		case "b":
			m.devType = devcgDevBlock
		case "c":
			m.devType = devcgDevChar
		default:
			return nil, fmt.Errorf("%s: invalid type %q (want a, b or c)", field, d.Type)
		}
		var err error
		if m.major, err = deviceNumber(d.Major); err != nil {
			return nil, fmt.Errorf("%s: major: %w", field, err)
		}
		if m.minor, err = deviceNumber(d.Minor); err != nil {
			return nil, fmt.Errorf("%s: minor: %w", field, err)
		}
		access := d.Access
		if access == "" {
			access = "rwm"
		}
		for _, c := range access {
			switch c {
			case 'r':
				m.access |= devcgAccRead
			case 'w':
				m.access |= devcgAccWrite
			case 'm':
				m.access |= devcgAccMknod
			default:
				return nil, fmt.Errorf("%s: invalid access %q (want letters of rwm)", field, d.Access)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// deviceNumber maps nil and -1 to the wildcard -1. Linux device numbers
// are 12 (major) and 20 (minor) bits, so anything that does not fit the
// program's 32-bit signed immediates cannot name a device.
func deviceNumber(p *int64) (int32, error) {
	switch {
	case p == nil || *p == -1:
		return -1, nil
	case *p < -1 || *p > math.MaxInt32:
		return 0, fmt.Errorf("%d out of range", *p)
	}
	return int32(*p), nil
}

// deviceFilter compiles rules into a BPF_PROG_TYPE_CGROUP_DEVICE program
// with the semantics skiff gives the list on cgroup v1 (v1Devices): start
// from "deny everything", then apply the rules in order, so for every
// access bit the last rule that matches the device and names that bit
// decides. A request (which may carry several bits, r|w for O_RDWR) is
// allowed when each of its bits is.
//
// runc walks the rules backwards and returns at the first match; that
// decides a request as a whole, so "allow c 1:5 rw" followed by
// "deny c 1:5 w" would still let O_RDWR through. Walking forwards and
// keeping the set of allowed bits in a register gets that case right and
// is as long: per rule at most three compares and one ALU op.
//
//	r2 = type, r3 = requested access, r4 = major, r5 = minor
//	r6 = allowed access bits so far (starts as none: deny all)
//	per rule:  if it matches: r6 |= bits (allow) or r6 &= ^bits (deny)
//	end:       return (r3 & ^r6) == 0
func deviceFilter(rules []specs.LinuxDeviceCgroup) ([]bpfInsn, error) {
	ms, err := deviceMatches(rules)
	if err != nil {
		return nil, err
	}
	// A rule for every device and access overrides all before it, as
	// writing "a" to devices.allow or devices.deny clears the v1 list, so
	// the program starts from the last one ("deny a" usually comes first).
	allowed := int32(0)
	for i := len(ms) - 1; i >= 0; i-- {
		if m := ms[i]; m.devType == 0 && m.major == -1 && m.minor == -1 && m.access == devcgAccAll {
			if m.allow {
				allowed = devcgAccAll
			}
			ms = ms[i+1:]
			break
		}
	}

	var a bpfAsm
	a.emit(
		bpfLoadWord(bpfR2, bpfR1, devCtxAccessType),
		bpfALUReg(unix.BPF_MOV, bpfR3, bpfR2),
		bpfALUImm(unix.BPF_AND, bpfR2, 0xffff),
		bpfALUImm(unix.BPF_RSH, bpfR3, 16),
		bpfLoadWord(bpfR4, bpfR1, devCtxMajor),
		bpfLoadWord(bpfR5, bpfR1, devCtxMinor),
		bpfALUImm(unix.BPF_MOV, bpfR6, allowed),
	)
	for i, m := range ms {
		// A mismatch skips to the end of the rule: the next one's start.
		next := fmt.Sprintf("rule%d_end", i)
		if m.devType != 0 {
			a.jump(bpfJumpImm(unix.BPF_JNE, bpfR2, m.devType), next)
		}
		if m.major != -1 {
			a.jump(bpfJumpImm(unix.BPF_JNE, bpfR4, m.major), next)
		}
		if m.minor != -1 {
			a.jump(bpfJumpImm(unix.BPF_JNE, bpfR5, m.minor), next)
		}
		if m.allow {
			a.emit(bpfALUImm(unix.BPF_OR, bpfR6, m.access))
		} else {
			a.emit(bpfALUImm(unix.BPF_AND, bpfR6, ^m.access))
		}
		a.label(next)
	}
	a.emit(
		bpfALUImm(unix.BPF_XOR, bpfR6, -1), // r6 = denied bits
		bpfALUImm(unix.BPF_MOV, bpfR0, 0),
	)
	a.jump(bpfJumpReg(unix.BPF_JSET, bpfR3, bpfR6), "deny")
	a.emit(bpfALUImm(unix.BPF_MOV, bpfR0, 1))
	a.label("deny")
	a.emit(bpfExit())
	return a.program()
}
