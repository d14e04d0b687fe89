package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// maxSyscallArgs is the number of arguments a seccomp filter can inspect
// (struct seccomp_data.args).
const maxSyscallArgs = 6

// Translate checks sc and turns it into the Filter skiff-init compiles.
// It returns nil for a nil sc (no seccomp). Configuration errors name the
// field, as "config.json: linux.seccomp.syscalls[4].args[0].op: unknown
// operator ...", and are all found here, before any process starts.
func Translate(sc *specs.LinuxSeccomp) (*Filter, error) {
	if sc == nil {
		return nil, nil
	}
	const f = "linux.seccomp"
	p := &Filter{}
	var err error
	p.DefaultAction, err = actionWithErrno(f+".defaultAction", f+".defaultErrnoRet", sc.DefaultAction, sc.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	// A notify default would route every syscall init makes after loading
	// the filter to a listener nobody holds yet, hanging create (runc
	// refuses it for the same reason).
	if p.DefaultAction == ActNotify {
		return nil, errorf(f+".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action")
	}
	for i, name := range sc.Architectures {
		a, ok := archByName(name)
		field := at(f+".architectures", i)
		if !ok {
			return nil, errorf(field, "unknown architecture %q", name)
		}
		p.Arches = append(p.Arches, Arch{Field: field, Name: string(a.name), Lib: a.lib})
	}
	for i, name := range sc.Flags {
		bit, ok := bpf.FlagBit(string(name))
		// NEW_LISTENER and TSYNC_ESRCH are the runtime's business, not
		// the profile's: the specification does not list them.
		if !ok || bit == unix.SECCOMP_FILTER_FLAG_NEW_LISTENER || bit == unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH {
			return nil, errorf(at(f+".flags", i), "unknown flag %q", name)
		}
		p.Flags |= bit
	}
	for i, sys := range sc.Syscalls {
		r, err := translateRule(at(f+".syscalls", i), sys)
		if err != nil {
			return nil, err
		}
		p.Names = append(p.Names, sys.Names...)
		if r.Action == ActNotify {
			p.Listener = true
		}
		// libseccomp refuses a rule that repeats the default action, and
		// it would change nothing.
		if r.Action != p.DefaultAction {
			p.Rules = append(p.Rules, r)
		}
	}
	// config-linux.md: listenerPath is where the runtime sends the notify
	// fd; without it nobody could answer and the container would hang.
	if p.Listener && sc.ListenerPath == "" {
		return nil, errorf(f+".listenerPath", "required when an action is SCMP_ACT_NOTIFY")
	}
	// seccomp(2) refuses WAIT_KILLABLE_RECV without NEW_LISTENER;
	// libseccomp drops it when no rule notifies, and so do we, so that one
	// flags list can serve profiles with and without notify rules.
	if !p.Listener {
		p.Flags &^= unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	}
	p.ENOSYS = needsENOSYS(p.DefaultAction)
	return p, nil
}

// translateRule checks one linux.seccomp.syscalls entry at field.
func translateRule(field string, sys specs.LinuxSyscall) (Rule, error) {
	r := Rule{Field: field, Names: sys.Names}
	// "names MUST contain at least one entry."
	if len(sys.Names) == 0 {
		return r, errorf(field+".names", "must have at least one entry")
	}
	var err error
	r.Action, err = actionWithErrno(field+".action", field+".errnoRet", sys.Action, sys.ErrnoRet)
	if err != nil {
		return r, err
	}
	for j, n := range sys.Names {
		if n == "" {
			return r, errorf(at(field+".names", j), "empty syscall name")
		}
		// init writes to the runtime after loading the filter, before
		// the runtime has handed the listener to an agent: a notified
		// write would wait forever (runc refuses it too).
		if n == "write" && r.Action == ActNotify {
			return r, errorf(at(field+".names", j), "SCMP_ACT_NOTIFY cannot be used for write")
		}
	}
	conds := make([]Cond, len(sys.Args))
	for j, a := range sys.Args {
		af := at(field+".args", j)
		if a.Index >= maxSyscallArgs {
			return r, errorf(af+".index", "%d is out of range [0, %d]", a.Index, maxSyscallArgs-1)
		}
		op, ok := operator(a.Op)
		if !ok {
			return r, errorf(af+".op", "unknown operator %q", a.Op)
		}
		// For SCMP_CMP_MASKED_EQ libseccomp takes the mask first and
		// the expected value second: value is the mask, valueTwo the
		// value, as in runc and Docker's profiles.
		conds[j] = Cond{Arg: a.Index, Op: op, Value: a.Value, ValueTwo: a.ValueTwo}
	}
	r.Conds = conditionSets(conds)
	return r, nil
}

// conditionSets groups a syscall's conditions into libseccomp rules, with
// runc's semantics: conditions on distinct arguments all hold at once (one
// rule, AND), but libseccomp cannot put two conditions on the same argument
// in one rule, so when any argument repeats, every condition becomes a rule
// of its own (OR). That is how Docker's profile allows personality(0) or
// personality(8) with one entry.
func conditionSets(conds []Cond) [][]Cond {
	if len(conds) == 0 {
		return nil
	}
	seen := map[uint]bool{}
	repeated := false
	for _, c := range conds {
		repeated = repeated || seen[c.Arg]
		seen[c.Arg] = true
	}
	if !repeated {
		return [][]Cond{conds}
	}
	sets := make([][]Cond, len(conds))
	for i, c := range conds {
		sets[i] = []Cond{c}
	}
	return sets
}

// actionWithErrno translates an action name and its optional errno return
// (config-linux.md "Seccomp" defaultErrnoRet/errnoRet: "When the action
// doesn't support an errno, the runtime MUST print and error and fail"; the
// default is EPERM). For SCMP_ACT_TRACE the number is the value the tracer
// reads with PTRACE_GETEVENTMSG.
func actionWithErrno(field, errnoField string, name specs.LinuxSeccompAction, errnoRet *uint) (Action, error) {
	if name == "" {
		return 0, errorf(field, "required")
	}
	a, ok := action(name)
	if !ok {
		return a, errorf(field, "unknown action %q", name)
	}
	if a != ActErrno && a != ActTrace {
		if errnoRet != nil {
			return a, errorf(field, "%s does not take an errno return", name)
		}
		return a, nil
	}
	ret := uint(unix.EPERM)
	if errnoRet != nil {
		ret = *errnoRet
	}
	// The filter returns SECCOMP_RET_ERRNO or SECCOMP_RET_TRACE with the
	// number in the 16-bit SECCOMP_RET_DATA.
	if ret > 0xffff {
		return a, errorf(errnoField, "%d does not fit in 16 bits", ret)
	}
	return a.withData(uint16(ret)), nil
}
