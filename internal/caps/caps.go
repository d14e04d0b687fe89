// Package caps maps capability names of config.json to their numbers.
package caps

import (
	"fmt"
	"strings"
)

// byName lists every capability of the Linux kernel headers up to 6.x
// (capability.h). A name not listed here is an error: runtime-spec
// config.md says the runtime MUST error on unknown capabilities.
var byName = map[string]int{
	"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3,
	"CAP_FSETID": 4, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
	"CAP_LINUX_IMMUTABLE": 9, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11,
	"CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13, "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15,
	"CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19,
	"CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
	"CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27,
	"CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31,
	"CAP_MAC_OVERRIDE": 32, "CAP_MAC_ADMIN": 33, "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35,
	"CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37, "CAP_PERFMON": 38, "CAP_BPF": 39,
	"CAP_CHECKPOINT_RESTORE": 40,
}

// Last is the highest capability number skiff knows.
const Last = 40

// Parse returns the number of a capability name ("CAP_SYS_ADMIN").
func Parse(name string) (int, error) {
	if n, ok := byName[strings.ToUpper(name)]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("unknown capability %q", name)
}

// Names returns every known capability name, for `features`.
func Names() []string {
	out := make([]string, Last+1)
	for n, v := range byName {
		out[v] = n
	}
	return out
}

// Set is a capability bitmask.
type Set uint64

// ParseSet turns a list of names into a mask.
func ParseSet(names []string) (Set, error) {
	var s Set
	for _, n := range names {
		v, err := Parse(n)
		if err != nil {
			return 0, err
		}
		s |= 1 << uint(v)
	}
	return s, nil
}

// Has reports whether capability c is in the set.
func (s Set) Has(c int) bool { return s&(1<<uint(c)) != 0 }
