// Package initplan decides what a container's init does, step by step,
// and encodes it for skiff-init (libinit/*.c), which only executes.
//
// Every decision that needs no answer from inside the new namespaces is
// made here, in Go, on the host side: which mounts in which order with
// which flags, which devices, which capabilities and limits as numbers,
// where the seccomp filter is loaded. What must be looked up in the
// container's view of the world (a destination path inside the rootfs, a
// bind source's type, the program on PATH) stays a step for init. This
// keeps the C program a thin syscall layer that starts like /bin/true,
// and leaves the logic here, where a table test can reach it.
package initplan

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Op is a step of the plan. The numbers are the wire format and must match
// the enum in libinit/init.h (TestOpsMatchInitHeader).
type Op uint16

const (
	OpCloexecFrom Op = iota + 1
	OpUmask
	OpOOMScoreAdj
	OpLoopbackUp
	OpHostname
	OpDomainname
	OpWriteFile
	OpKeyring
	OpMount
	OpOpenRoot
	OpMountAt
	OpRecvFds
	OpIDMapAt
	OpCgroupAt
	OpDeviceAt
	OpSymlinkAt
	OpMkdirAt
	OpHooksInParent
	OpHook
	OpPivotRoot
	OpMoveRoot
	OpChroot
	OpMask
	OpReadonly
	OpRemount
	OpConsole
	OpCwd
	OpLookPath
	OpRlimit
	OpPersonality
	OpScheduler
	OpIOPrio
	OpMemPolicy
	OpAffinity
	OpSeccompProgram
	OpSeccomp
	OpReady
	OpOpenFifo
	OpCloseSocket
	OpStart
	OpLSMLabel
	OpCredentials
	OpExec
	opMax
)

// Step is one operation with its arguments; Args[0] is the context that
// prefixes the step's errors, e.g. "config.json: mounts[3] (/proc)".
type Step struct {
	Op   Op
	Args []string
}

// Plan is the ordered list of steps.
type Plan struct {
	Steps []Step
}

// add appends a step. Arguments are strings, byte slices, integers or
// booleans; numbers travel as decimal text.
func (p *Plan) add(op Op, ctx string, args ...any) {
	s := Step{Op: op, Args: make([]string, 0, 1+len(args))}
	s.Args = append(s.Args, ctx)
	for _, a := range args {
		s.Args = append(s.Args, argString(a))
	}
	p.Steps = append(p.Steps, s)
}

func argString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint32:
		return strconv.FormatUint(uint64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case uintptr:
		return strconv.FormatUint(uint64(v), 10)
	case bool:
		if v {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(a)
}

// Encode renders the plan as skiff-init reads it (libinit/plan.c): a u32
// length, then per step a u16 code and a u16 argument count, then per
// argument a u32 length, the bytes and a NUL.
func (p *Plan) Encode() []byte {
	n := 4
	for _, s := range p.Steps {
		n += 4
		for _, a := range s.Args {
			n += 5 + len(a)
		}
	}
	out := make([]byte, 4, n)
	binary.NativeEndian.PutUint32(out, uint32(n-4))
	for _, s := range p.Steps {
		out = binary.NativeEndian.AppendUint16(out, uint16(s.Op))
		out = binary.NativeEndian.AppendUint16(out, uint16(len(s.Args)))
		for _, a := range s.Args {
			out = binary.NativeEndian.AppendUint32(out, uint32(len(a)))
			out = append(out, a...)
			out = append(out, 0)
		}
	}
	return out
}
