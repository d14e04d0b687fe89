package spec

import (
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// checkMounts checks mounts (config.md "Mounts", "POSIX-platform Mounts").
//
// A relative destination is accepted: on Linux the spec deprecates it but
// says it MUST be interpreted relative to "/", and older generators still
// emit such configs. Unknown options are accepted too: config.md "Linux
// mount options" says to pass them to the file system as data. Sources are
// not looked up here; they are host paths the mount code resolves.
func checkMounts(s *specs.Spec) error {
	for i, m := range s.Mounts {
		f := at("mounts", i)
		if m.Destination == "" {
			return errorf(f+".destination", "required")
		}
		if err := checkString(f+".destination", m.Destination); err != nil {
			return err
		}
		if err := checkString(f+".source", m.Source); err != nil {
			return err
		}
		if err := checkString(f+".type", m.Type); err != nil {
			return err
		}
		for j, o := range m.Options {
			if o == "" {
				return errorf(at(f+".options", j), "empty option")
			}
			if err := checkString(at(f+".options", j), o); err != nil {
				return err
			}
		}
		bind := slices.Contains(m.Options, "bind") || slices.Contains(m.Options, "rbind")
		// config.md "POSIX-platform Mounts": type is the file system type;
		// only bind mounts may leave it out. mount(2) would fail with ENODEV.
		if m.Type == "" && !bind {
			return errorf(f+".type", "required unless options include bind or rbind")
		}
		if err := checkMountIDMap(s, f, m); err != nil {
			return err
		}
	}
	return nil
}

// checkMountIDMap checks the id-mapped mount fields (config.md "Linux mount
// options" idmap/ridmap, "POSIX-platform Mounts" uidMappings/gidMappings):
// uidMappings and gidMappings MUST come together, and idmap/ridmap without
// them MUST error unless the container has a user namespace whose mapping
// can be used.
func checkMountIDMap(s *specs.Spec, f string, m specs.Mount) error {
	if err := checkIDMappings(f+".uidMappings", m.UIDMappings); err != nil {
		return err
	}
	if err := checkIDMappings(f+".gidMappings", m.GIDMappings); err != nil {
		return err
	}
	hasUID, hasGID := len(m.UIDMappings) > 0, len(m.GIDMappings) > 0
	if hasUID && !hasGID {
		return errorf(f+".gidMappings", "required with uidMappings")
	}
	if hasGID && !hasUID {
		return errorf(f+".uidMappings", "required with gidMappings")
	}
	idmap := slices.Contains(m.Options, "idmap") || slices.Contains(m.Options, "ridmap")
	if idmap && !hasUID && namespaceIndex(s, specs.UserNamespace) < 0 {
		return errorf(f+".options", "idmap needs uidMappings and gidMappings, or a user namespace (linux.namespaces has none)")
	}
	return nil
}
