package spec

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxIDMappings is the kernel's limit on lines in uid_map/gid_map
// (user_namespaces(7), Linux 4.15+).
const maxIDMappings = 340

// checkUserNamespace checks linux.uidMappings and linux.gidMappings
// (config-linux.md "User namespace mappings") against linux.namespaces:
// mappings only mean something with a user namespace, and a new user
// namespace without both mappings leaves every ID unmapped (overflow), so
// like runc this refuses it instead of starting a container that cannot
// setuid/setgid.
func checkUserNamespace(s *specs.Spec) error {
	l := s.Linux
	if l == nil {
		return nil
	}
	if err := checkIDMappings("linux.uidMappings", l.UIDMappings); err != nil {
		return err
	}
	if err := checkIDMappings("linux.gidMappings", l.GIDMappings); err != nil {
		return err
	}
	i := namespaceIndex(s, specs.UserNamespace)
	if i < 0 {
		if len(l.UIDMappings) > 0 {
			return errorf("linux.uidMappings", "requires a user namespace (linux.namespaces has none)")
		}
		if len(l.GIDMappings) > 0 {
			return errorf("linux.gidMappings", "requires a user namespace (linux.namespaces has none)")
		}
		return nil
	}
	if l.Namespaces[i].Path != "" {
		// Joining: the namespace already has its mappings.
		return nil
	}
	if len(l.UIDMappings) == 0 {
		return errorf("linux.uidMappings", "required to create a new user namespace (linux.namespaces[%d])", i)
	}
	if len(l.GIDMappings) == 0 {
		return errorf("linux.gidMappings", "required to create a new user namespace (linux.namespaces[%d])", i)
	}
	return nil
}

// checkIDMappings checks one mapping list the way writing it to
// /proc/[pid]/uid_map would (user_namespaces(7)): at most 340 entries, each
// with a non-zero size, ranges within the 32-bit ID space, and no two
// entries overlapping on either the container or the host side.
func checkIDMappings(field string, m []specs.LinuxIDMapping) error {
	if len(m) > maxIDMappings {
		return errorf(field, "%d entries is over the kernel limit of %d", len(m), maxIDMappings)
	}
	for i, e := range m {
		f := at(field, i)
		if e.Size == 0 {
			return errorf(f+".size", "must be greater than 0")
		}
		if uint64(e.ContainerID)+uint64(e.Size) > 1<<32 {
			return errorf(f, "containerID %d + size %d overflows the 32-bit ID range", e.ContainerID, e.Size)
		}
		if uint64(e.HostID)+uint64(e.Size) > 1<<32 {
			return errorf(f, "hostID %d + size %d overflows the 32-bit ID range", e.HostID, e.Size)
		}
		for j := range i {
			if overlaps(m[j].ContainerID, m[j].Size, e.ContainerID, e.Size) {
				return errorf(f, "container range %s overlaps %s[%d]", idRange(e.ContainerID, e.Size), field, j)
			}
			if overlaps(m[j].HostID, m[j].Size, e.HostID, e.Size) {
				return errorf(f, "host range %s overlaps %s[%d]", idRange(e.HostID, e.Size), field, j)
			}
		}
	}
	return nil
}

func overlaps(a, an, b, bn uint32) bool {
	return uint64(a) < uint64(b)+uint64(bn) && uint64(b) < uint64(a)+uint64(an)
}

func idRange(start, size uint32) string {
	return fmt.Sprintf("%d-%d", start, uint64(start)+uint64(size)-1)
}
