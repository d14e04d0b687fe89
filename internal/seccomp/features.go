package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// Support is what this build and host can do with linux.seccomp, for the
// features document (features-linux.md "Seccomp").
type Support struct {
	Actions        []string
	Operators      []string
	Archs          []string
	KnownFlags     []string
	SupportedFlags []string
}

// Supported lists the names Compile accepts, the architectures the linked
// libseccomp can build filters for, and the filter flags the running
// kernel accepts.
func Supported() Support {
	var s Support
	for _, a := range []specs.LinuxSeccompAction{
		specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap, specs.ActErrno,
		specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify,
	} {
		if _, ok := action(a); ok {
			s.Actions = append(s.Actions, string(a))
		}
	}
	for _, op := range []specs.LinuxSeccompOperator{
		specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
		specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
	} {
		if _, ok := operator(op); ok {
			s.Operators = append(s.Operators, string(op))
		}
	}
	if f, err := libseccomp.NewFilter(libseccomp.ActAllow); err == nil {
		native, _ := libseccomp.GetNativeArch()
		for _, a := range arches {
			if a.scmp == native || f.AddArch(a.scmp) == nil {
				s.Archs = append(s.Archs, string(a.name))
			}
		}
		f.Release()
	}
	s.KnownFlags, s.SupportedFlags = bpf.ConfigFlags()
	return s
}
