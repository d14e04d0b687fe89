package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateSeccomp(t *testing.T) {
	set := func(sc specs.LinuxSeccomp) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.Seccomp = &sc }
	}
	eperm := ptr(uint(1))
	runValidateCases(t, []validateCase{
		{"full", set(specs.LinuxSeccomp{
			DefaultAction:    specs.ActErrno,
			DefaultErrnoRet:  eperm,
			Architectures:    []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
			Flags:            []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow, specs.LinuxSeccompFlagWaitKillableRecv},
			ListenerPath:     "/run/seccomp.sock",
			ListenerMetadata: "meta",
			Syscalls: []specs.LinuxSyscall{
				{Names: []string{"read", "write"}, Action: specs.ActAllow},
				{Names: []string{"mkdir"}, Action: specs.ActNotify},
				{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{
					{Index: 0, Value: 8, Op: specs.OpEqualTo},
					{Index: 5, Value: 0xff, ValueTwo: 1, Op: specs.OpMaskedEqual},
				}},
				{Names: []string{"ptrace"}, Action: specs.ActTrace, ErrnoRet: eperm},
				{Names: []string{"kexec_load"}, Action: specs.ActKillProcess},
			},
		}), ""},
		{"every action", func(s *specs.Spec) {
			sc := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
			for a := range seccompActions {
				sc.Syscalls = append(sc.Syscalls, specs.LinuxSyscall{Names: []string{"x"}, Action: a})
			}
			s.Linux.Seccomp = sc
		}, ""},
		{"no default action", set(specs.LinuxSeccomp{}),
			"config.json: linux.seccomp.defaultAction: required"},
		{"unknown default action", set(specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_NOPE"}),
			`config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"`},
		{"notify default", set(specs.LinuxSeccomp{DefaultAction: specs.ActNotify}),
			"config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
		{"default errno with allow", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, DefaultErrnoRet: eperm}),
			"config.json: linux.seccomp.defaultAction: SCMP_ACT_ALLOW does not take an errno return"},
		{"unknown arch", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{"SCMP_ARCH_X86_64", "x86_64"}}),
			`config.json: linux.seccomp.architectures[1]: unknown architecture "x86_64"`},
		{"unknown flag", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_NEW_LISTENER"}}),
			`config.json: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"`},
		{"metadata without path", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerMetadata: "x"}),
			"config.json: linux.seccomp.listenerMetadata: set without listenerPath"},
		{"no names", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Action: specs.ActErrno}}}),
			"config.json: linux.seccomp.syscalls[0].names: must have at least one entry"},
		{"empty name", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read", ""}, Action: specs.ActErrno}}}),
			"config.json: linux.seccomp.syscalls[0].names[1]: empty syscall name"},
		{"unknown action", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: "SCMP_ACT_FOO"}}}),
			`config.json: linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_FOO"`},
		{"no action", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}}}}),
			"config.json: linux.seccomp.syscalls[0].action: required"},
		{"errno with kill", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActKill, ErrnoRet: eperm}}}),
			"config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_KILL does not take an errno return"},
		{"unknown op", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActErrno,
			Args: []specs.LinuxSeccompArg{{Index: 0, Op: "SCMP_CMP_EQUAL"}}}}}),
			`config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_EQUAL"`},
		{"arg index", set(specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActErrno,
			Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}}),
			"config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range [0, 5]"},
	})
}
