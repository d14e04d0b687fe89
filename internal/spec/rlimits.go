package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// rlimitTypes maps every getrlimit(2) resource name to its number. config.md
// "POSIX process": the runtime MUST error for values that cannot be mapped to
// a kernel interface.
var rlimitTypes = map[string]int{
	"RLIMIT_AS":         unix.RLIMIT_AS,
	"RLIMIT_CORE":       unix.RLIMIT_CORE,
	"RLIMIT_CPU":        unix.RLIMIT_CPU,
	"RLIMIT_DATA":       unix.RLIMIT_DATA,
	"RLIMIT_FSIZE":      unix.RLIMIT_FSIZE,
	"RLIMIT_LOCKS":      unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK":    unix.RLIMIT_MEMLOCK,
	"RLIMIT_MSGQUEUE":   unix.RLIMIT_MSGQUEUE,
	"RLIMIT_NICE":       unix.RLIMIT_NICE,
	"RLIMIT_NOFILE":     unix.RLIMIT_NOFILE,
	"RLIMIT_NPROC":      unix.RLIMIT_NPROC,
	"RLIMIT_RSS":        unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO":     unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME":     unix.RLIMIT_RTTIME,
	"RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK":      unix.RLIMIT_STACK,
}

// checkRlimits checks process.rlimits (config.md "POSIX process"): known
// types, no duplicated type (MUST error), and soft <= hard, which
// setrlimit(2) would otherwise reject with EINVAL mid-create.
func checkRlimits(rl []specs.POSIXRlimit) error {
	first := map[string]int{}
	for i, r := range rl {
		f := at("process.rlimits", i)
		if _, ok := rlimitTypes[r.Type]; !ok {
			return errorf(f+".type", "unknown resource %q (want RLIMIT_*, see getrlimit(2))", r.Type)
		}
		if j, dup := first[r.Type]; dup {
			return errorf(f+".type", "duplicate %s (also process.rlimits[%d])", r.Type, j)
		}
		first[r.Type] = i
		if r.Soft > r.Hard {
			return errorf(f, "soft limit %d is above hard limit %d", r.Soft, r.Hard)
		}
	}
	return nil
}
