package spec

import (
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Kernel dev_t limits: 12 bits of major, 20 of minor (linux/kdev_t.h).
const (
	maxDevMajor = 1<<12 - 1
	maxDevMinor = 1<<20 - 1
)

// checkDevices checks linux.devices (config-linux.md "Devices"): type one of
// c, b, u, p; path REQUIRED and a full (absolute) path; major and minor
// REQUIRED unless type is p. The Go types cannot tell an omitted number from
// 0, so 0:0 for c/b/u counts as omitted (no real device has that number).
// Two entries may not name the same path: the second would replace the first.
func checkDevices(l *specs.Linux) error {
	if l == nil {
		return nil
	}
	first := map[string]int{}
	for i, d := range l.Devices {
		f := at("linux.devices", i)
		if err := checkAbs(f+".path", d.Path); err != nil {
			return err
		}
		p := filepath.Clean(d.Path)
		if p == "/" {
			return errorf(f+".path", "must not be /")
		}
		if j, dup := first[p]; dup {
			return errorf(f+".path", "duplicate device %s (also linux.devices[%d])", p, j)
		}
		first[p] = i
		switch d.Type {
		case "c", "b", "u":
			if d.Major == 0 && d.Minor == 0 {
				return errorf(f, "major and minor are required for type %q", d.Type)
			}
			if d.Major < 0 || d.Major > maxDevMajor {
				return errorf(f+".major", "%d is out of range [0, %d]", d.Major, maxDevMajor)
			}
			if d.Minor < 0 || d.Minor > maxDevMinor {
				return errorf(f+".minor", "%d is out of range [0, %d]", d.Minor, maxDevMinor)
			}
		case "p":
		case "":
			return errorf(f+".type", "required")
		default:
			return errorf(f+".type", "unknown device type %q (want c, b, u or p)", d.Type)
		}
		// fileMode holds permission bits only (the type comes from type);
		// anything above 07777 would be mixed into the file type by mknod(2).
		if d.FileMode != nil && *d.FileMode > 0o7777 {
			return errorf(f+".fileMode", "%d has bits other than permissions (max 4095, i.e. 07777)", uint32(*d.FileMode))
		}
	}
	return nil
}
