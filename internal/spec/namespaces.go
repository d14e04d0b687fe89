package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// nsKind describes one namespace type of config-linux.md "Namespaces".
type nsKind struct {
	flag int    // CLONE_NEW* flag, also what NS_GET_NSTYPE returns
	proc string // name under /proc/[pid]/ns/
}

// nsKinds maps every namespace type the spec defines to its kernel identity.
var nsKinds = map[specs.LinuxNamespaceType]nsKind{
	specs.PIDNamespace:     {unix.CLONE_NEWPID, "pid"},
	specs.NetworkNamespace: {unix.CLONE_NEWNET, "net"},
	specs.MountNamespace:   {unix.CLONE_NEWNS, "mnt"},
	specs.IPCNamespace:     {unix.CLONE_NEWIPC, "ipc"},
	specs.UTSNamespace:     {unix.CLONE_NEWUTS, "uts"},
	specs.UserNamespace:    {unix.CLONE_NEWUSER, "user"},
	specs.CgroupNamespace:  {unix.CLONE_NEWCGROUP, "cgroup"},
	specs.TimeNamespace:    {unix.CLONE_NEWTIME, "time"},
}

// HasNamespace reports whether linux.namespaces lists type t and, if so, the
// path of the namespace to join ("" means a new namespace is created;
// config-linux.md "Namespaces"). A type that is not listed is inherited from
// the runtime.
func HasNamespace(s *specs.Spec, t specs.LinuxNamespaceType) (path string, ok bool) {
	i := namespaceIndex(s, t)
	if i < 0 {
		return "", false
	}
	return s.Linux.Namespaces[i].Path, true
}

// namespaceIndex returns the index of the first linux.namespaces entry of
// type t, or -1.
func namespaceIndex(s *specs.Spec, t specs.LinuxNamespaceType) int {
	if s == nil || s.Linux == nil {
		return -1
	}
	for i, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return i
		}
	}
	return -1
}

// checkNamespaces checks linux.namespaces (config-linux.md "Namespaces"):
// known types, no duplicated type (MUST error), and for a namespace to join,
// an absolute path that is a namespace of that type (MUST error otherwise).
func checkNamespaces(s *specs.Spec) error {
	if s.Linux == nil {
		return nil
	}
	first := map[specs.LinuxNamespaceType]int{}
	for i, ns := range s.Linux.Namespaces {
		f := at("linux.namespaces", i)
		if _, ok := nsKinds[ns.Type]; !ok {
			if ns.Type == "" {
				return errorf(f+".type", "required")
			}
			return errorf(f+".type", "unknown namespace type %q", ns.Type)
		}
		if j, dup := first[ns.Type]; dup {
			return errorf(f+".type", "duplicate namespace type %q (also linux.namespaces[%d])", ns.Type, j)
		}
		first[ns.Type] = i
	}
	// Paths are checked after the types so that a typo in a type is reported
	// before any file system access.
	for i, ns := range s.Linux.Namespaces {
		if ns.Path == "" {
			continue
		}
		f := at("linux.namespaces", i) + ".path"
		if err := checkAbs(f, ns.Path); err != nil {
			return err
		}
		if err := checkNamespaceFile(f, ns.Path, ns.Type); err != nil {
			return err
		}
	}
	return nil
}
