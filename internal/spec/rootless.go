package spec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// toRootless turns the default config into one an unprivileged user can run,
// like `runc spec --rootless`:
//   - a new user namespace maps the caller's uid and gid to root (one ID
//     each: an unprivileged user may only map itself, user_namespaces(7));
//   - no network namespace (nothing could configure it without privilege)
//     and no cgroup namespace or cgroup mount (an unprivileged user usually
//     has no cgroup of its own to show);
//   - sysfs cannot be mounted without owning the network namespace, so /sys
//     is a read-only recursive bind of the host's;
//   - no gid=/uid= mount options: those IDs may be unmapped;
//   - no resources: cgroup limits need a delegated cgroup.
func toRootless(s *specs.Spec) {
	s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		switch ns.Type {
		case specs.NetworkNamespace, specs.CgroupNamespace, specs.UserNamespace:
			return true
		}
		return false
	})
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getuid()), Size: 1}}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getgid()), Size: 1}}

	var mounts []specs.Mount
	for _, m := range s.Mounts {
		switch filepath.Clean(m.Destination) {
		case "/sys/fs/cgroup":
			continue
		case "/sys":
			m = specs.Mount{Destination: "/sys", Type: "none", Source: "/sys",
				Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
		}
		m.Options = slices.DeleteFunc(m.Options, func(o string) bool {
			return strings.HasPrefix(o, "gid=") || strings.HasPrefix(o, "uid=")
		})
		mounts = append(mounts, m)
	}
	s.Mounts = mounts
	s.Linux.Resources = nil
}
