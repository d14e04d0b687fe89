package seccomp

import "golang.org/x/sys/unix"

// Filter is linux.seccomp checked and translated into libseccomp's terms,
// as plain values: skiff-init builds the BPF program from it with
// libseccomp (libinit/seccompcompile.c), reading it in the form Encode
// writes. Every configuration error is found before that, by Translate.
type Filter struct {
	DefaultAction Action
	// ENOSYS says that syscalls newer than the profile fail with ENOSYS
	// instead of taking the default action (see needsENOSYS).
	ENOSYS bool
	Arches []Arch // as listed; libseccomp adds the native one itself
	Flags  uint   // SECCOMP_FILTER_FLAG_* bits
	// Listener says some rule is SCMP_ACT_NOTIFY: the filter is loaded
	// with a notification fd for linux.seccomp.listenerPath.
	Listener bool
	Rules    []Rule
	// Names is every syscall name of the profile, whatever its action
	// (rules that repeat the default action are dropped from Rules, not
	// from here): the highest of them is the profile's horizon, above
	// which the ENOSYS stub answers.
	Names []string
}

// Arch is one entry of linux.seccomp.architectures.
type Arch struct {
	Field string // "linux.seccomp.architectures[1]", for errors
	Name  string // SCMP_ARCH_X86_64, as config.json says it
	// Lib is libseccomp's name for it ("x86_64"), which skiff-init
	// resolves with seccomp_arch_resolve_name: the token is the linked
	// libseccomp's business.
	Lib string
}

// Rule is one entry of linux.seccomp.syscalls.
type Rule struct {
	Field  string // "linux.seccomp.syscalls[3]", for errors
	Names  []string
	Action Action
	// Conds holds one condition set per libseccomp rule
	// (seccomp_rule_add_array), or none for an unconditional rule.
	Conds [][]Cond
}

// Cond is one comparison of a syscall argument, libseccomp's struct
// scmp_arg_cmp.
type Cond struct {
	Arg uint // 0 to 5
	Op  Op
	// Value and ValueTwo are datum_a and datum_b. For SCMP_CMP_MASKED_EQ
	// libseccomp takes the mask first and the expected value second, as
	// config.json's value and valueTwo do (runc, Docker's profiles).
	Value, ValueTwo uint64
}

// Action is an SCMP_ACT_* value. libseccomp defines them as the kernel's
// SECCOMP_RET_* values (seccomp.h; libinit/seccompcompile.c asserts it):
// the action in the high 16 bits and, for ERRNO and TRACE, the errno or
// tracer's value in the low 16 (SECCOMP_RET_DATA).
type Action uint32

const (
	ActKillThread  Action = unix.SECCOMP_RET_KILL_THREAD
	ActKillProcess Action = unix.SECCOMP_RET_KILL_PROCESS
	ActTrap        Action = unix.SECCOMP_RET_TRAP
	ActErrno       Action = unix.SECCOMP_RET_ERRNO
	ActTrace       Action = unix.SECCOMP_RET_TRACE
	ActLog         Action = unix.SECCOMP_RET_LOG
	ActAllow       Action = unix.SECCOMP_RET_ALLOW
	ActNotify      Action = unix.SECCOMP_RET_USER_NOTIF
)

// withData sets the 16-bit errno or trace value of ERRNO and TRACE.
func (a Action) withData(v uint16) Action {
	return a&^unix.SECCOMP_RET_DATA | Action(v)
}

// Op is a comparison operator, libseccomp's enum scmp_compare (seccomp.h;
// libinit/seccompcompile.c asserts the numbers).
type Op uint32

const (
	OpNotEqual       Op = iota + 1 // SCMP_CMP_NE
	OpLess                         // SCMP_CMP_LT
	OpLessOrEqual                  // SCMP_CMP_LE
	OpEqual                        // SCMP_CMP_EQ
	OpGreaterOrEqual               // SCMP_CMP_GE
	OpGreater                      // SCMP_CMP_GT
	OpMaskedEqual                  // SCMP_CMP_MASKED_EQ
)
