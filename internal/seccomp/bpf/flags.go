package bpf

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// filterFlags names the SECCOMP_FILTER_FLAG_* bits of seccomp(2), in bit
// order, so that a refused flag can be named in an error.
var filterFlags = [...]struct {
	bit  uint
	name string
}{
	{unix.SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC"},
	{unix.SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG"},
	{unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
	{unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER"},
	{unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"},
	{unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
}

// FlagBit returns the seccomp(2) bit of a flag named as in linux.seccomp.flags
// (config-linux.md "Seccomp").
func FlagBit(name string) (uint, bool) {
	for _, f := range filterFlags {
		if f.name == name {
			return f.bit, true
		}
	}
	return 0, false
}

// flagName names one flag bit, or gives its value when it has no name.
func flagName(bit uint) string {
	for _, f := range filterFlags {
		if f.bit == bit {
			return f.name
		}
	}
	return fmt.Sprintf("flag %#x", bit)
}

// flagNames names a set of flags: "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_LOG".
func flagNames(flags uint) string {
	var names []string
	for _, f := range filterFlags {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, "|")
}

// ConfigFlags lists the flags linux.seccomp.flags may name (NEW_LISTENER
// and TSYNC_ESRCH are the runtime's own business), and those of them the
// running kernel accepts.
func ConfigFlags() (known, supported []string) {
	for _, f := range filterFlags {
		if f.bit == unix.SECCOMP_FILTER_FLAG_NEW_LISTENER || f.bit == unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH {
			continue
		}
		known = append(known, f.name)
		if flagSupported(f.bit) {
			supported = append(supported, f.name)
		}
	}
	return known, supported
}

// FlagSupported tells whether the running kernel accepts the flag named as
// in linux.seccomp.flags.
func FlagSupported(name string) bool {
	bit, ok := FlagBit(name)
	return ok && flagSupported(bit)
}
