package seccomp

import (
	"context"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/internal/initbin"
	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// EnvArches selects skiff-init's architectures mode (libinit/init.c): it
// prints, one a line, those of the libseccomp names given as arguments
// for which the linked libseccomp can build a filter.
const EnvArches = "_SKIFF_SECCOMP_ARCHES"

// Support is what this build and host can do with linux.seccomp, for the
// features document (features-linux.md "Seccomp").
type Support struct {
	Actions        []string
	Operators      []string
	Archs          []string
	KnownFlags     []string
	SupportedFlags []string
}

// Supported lists the names Translate accepts, the architectures the
// libseccomp linked into skiff-init can build filters for, and the filter
// flags the running kernel accepts.
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
	s.Archs = supportedArches()
	s.KnownFlags, s.SupportedFlags = bpf.ConfigFlags()
	return s
}

// supportedArches asks skiff-init which architectures its libseccomp can
// build filters for. libseccomp has no list to offer: skiff-init tries each
// of ours. Without skiff-init (a plain `go build`) the answer is none,
// which is true of such a build: it cannot start a container.
func supportedArches() []string {
	names := make([]string, len(arches))
	for i, a := range arches {
		names[i] = a.lib
	}
	out, err := initbin.Run(context.Background(), EnvArches+"=1", nil, names...)
	if err != nil {
		return nil
	}
	ok := map[string]bool{}
	for _, name := range strings.Fields(string(out)) {
		ok[name] = true
	}
	var list []string
	for _, a := range arches {
		if ok[a.lib] {
			list = append(list, string(a.name))
		}
	}
	return list
}
