package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// rootfsPropagations are the accepted linux.rootfsPropagation values.
// config-linux.md "Rootfs Mount Propagation" names shared, slave, private and
// unbindable; the recursive r* forms are accepted as runc does, since
// runtime configs in the wild use them.
var rootfsPropagations = map[string]bool{
	"shared": true, "slave": true, "private": true, "unbindable": true,
	"rshared": true, "rslave": true, "rprivate": true, "runbindable": true,
}

// checkLinuxPaths checks rootfsPropagation, and maskedPaths and
// readonlyPaths, whose values MUST be absolute paths in the container
// (config-linux.md "Masked Paths", "Readonly Paths").
func checkLinuxPaths(l *specs.Linux) error {
	if l == nil {
		return nil
	}
	if l.RootfsPropagation != "" && !rootfsPropagations[l.RootfsPropagation] {
		return errorf("linux.rootfsPropagation", "unknown propagation %q (want shared, slave, private or unbindable, optionally r-prefixed)", l.RootfsPropagation)
	}
	if err := checkAbsList("linux.maskedPaths", l.MaskedPaths); err != nil {
		return err
	}
	if err := checkAbsList("linux.readonlyPaths", l.ReadonlyPaths); err != nil {
		return err
	}
	return checkString("linux.mountLabel", l.MountLabel)
}
