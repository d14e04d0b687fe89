package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Value lists of config-linux.md "Seccomp" (libseccomp v2.6.0 names). Only
// names are checked here; the filter is compiled elsewhere.
var (
	seccompActions = map[specs.LinuxSeccompAction]bool{
		specs.ActKill:        true,
		specs.ActKillProcess: true,
		specs.ActKillThread:  true,
		specs.ActTrap:        true,
		specs.ActErrno:       true,
		specs.ActTrace:       true,
		specs.ActAllow:       true,
		specs.ActLog:         true,
		specs.ActNotify:      true,
	}
	seccompArches = map[specs.Arch]bool{
		specs.ArchX86: true, specs.ArchX86_64: true, specs.ArchX32: true,
		specs.ArchARM: true, specs.ArchAARCH64: true,
		specs.ArchMIPS: true, specs.ArchMIPS64: true, specs.ArchMIPS64N32: true,
		specs.ArchMIPSEL: true, specs.ArchMIPSEL64: true, specs.ArchMIPSEL64N32: true,
		specs.ArchPPC: true, specs.ArchPPC64: true, specs.ArchPPC64LE: true,
		specs.ArchS390: true, specs.ArchS390X: true,
		specs.ArchPARISC: true, specs.ArchPARISC64: true,
		specs.ArchRISCV64: true, specs.ArchLOONGARCH64: true,
		specs.ArchM68K: true, specs.ArchSH: true, specs.ArchSHEB: true,
	}
	seccompFlags = map[specs.LinuxSeccompFlag]bool{
		"SECCOMP_FILTER_FLAG_TSYNC":            true,
		specs.LinuxSeccompFlagLog:              true,
		specs.LinuxSeccompFlagSpecAllow:        true,
		specs.LinuxSeccompFlagWaitKillableRecv: true,
	}
	seccompOps = map[specs.LinuxSeccompOperator]bool{
		specs.OpNotEqual:     true,
		specs.OpLessThan:     true,
		specs.OpLessEqual:    true,
		specs.OpEqualTo:      true,
		specs.OpGreaterEqual: true,
		specs.OpGreaterThan:  true,
		specs.OpMaskedEqual:  true,
	}
)

// maxSyscallArgs is the number of arguments a seccomp filter can inspect
// (struct seccomp_data.args).
const maxSyscallArgs = 6

// checkSeccomp checks the names in linux.seccomp (config-linux.md
// "Seccomp").
func checkSeccomp(l *specs.Linux) error {
	if l == nil || l.Seccomp == nil {
		return nil
	}
	sc := l.Seccomp
	const f = "linux.seccomp"
	if err := checkAction(f+".defaultAction", sc.DefaultAction, sc.DefaultErrnoRet != nil); err != nil {
		return err
	}
	// A notify default would route the runtime's own remaining syscalls
	// during setup to a listener that is not connected yet, hanging create
	// (runc refuses it for the same reason).
	if sc.DefaultAction == specs.ActNotify {
		return errorf(f+".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action")
	}
	for i, a := range sc.Architectures {
		if !seccompArches[a] {
			return errorf(at(f+".architectures", i), "unknown architecture %q", a)
		}
	}
	for i, fl := range sc.Flags {
		if !seccompFlags[fl] {
			return errorf(at(f+".flags", i), "unknown flag %q", fl)
		}
	}
	if err := checkString(f+".listenerPath", sc.ListenerPath); err != nil {
		return err
	}
	// "listenerMetadata ... MUST NOT be set if listenerPath is not set."
	if sc.ListenerMetadata != "" && sc.ListenerPath == "" {
		return errorf(f+".listenerMetadata", "set without listenerPath")
	}
	for i, sys := range sc.Syscalls {
		sf := at(f+".syscalls", i)
		// "names MUST contain at least one entry."
		if len(sys.Names) == 0 {
			return errorf(sf+".names", "must have at least one entry")
		}
		for j, n := range sys.Names {
			if n == "" {
				return errorf(at(sf+".names", j), "empty syscall name")
			}
		}
		if err := checkAction(sf+".action", sys.Action, sys.ErrnoRet != nil); err != nil {
			return err
		}
		for j, a := range sys.Args {
			af := at(sf+".args", j)
			if a.Index >= maxSyscallArgs {
				return errorf(af+".index", "%d is out of range [0, %d]", a.Index, maxSyscallArgs-1)
			}
			if !seccompOps[a.Op] {
				return errorf(af+".op", "unknown operator %q", a.Op)
			}
		}
	}
	return nil
}

// checkAction checks one action name and whether an errno return may go
// with it: config-linux.md "Seccomp" defaultErrnoRet/errnoRet: "When the
// action doesn't support an errno, the runtime MUST print and error and
// fail"; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE carry one.
func checkAction(field string, a specs.LinuxSeccompAction, hasErrno bool) error {
	if a == "" {
		return errorf(field, "required")
	}
	if !seccompActions[a] {
		return errorf(field, "unknown action %q", a)
	}
	if hasErrno && a != specs.ActErrno && a != specs.ActTrace {
		return errorf(field, "%s does not take an errno return", a)
	}
	return nil
}
