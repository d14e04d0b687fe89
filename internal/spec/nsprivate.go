package spec

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// privateNamespace reports whether the container gets a namespace of type t
// that is not the runtime's: listed in linux.namespaces either without a path
// (a new one) or with a path to some other namespace (config-linux.md
// "Namespaces"). When it does not, why says so in words for an error message.
//
// Settings such as hostname and namespaced sysctls need this: applied in the
// runtime's own namespace they would change the host.
func privateNamespace(s *specs.Spec, t specs.LinuxNamespaceType) (ok bool, why string) {
	i := namespaceIndex(s, t)
	if i < 0 {
		return false, "linux.namespaces has none"
	}
	p := s.Linux.Namespaces[i].Path
	if p != "" && isRuntimeNamespace(p, t) {
		return false, fmt.Sprintf("linux.namespaces[%d].path is the runtime's own %s namespace", i, t)
	}
	return true, ""
}
