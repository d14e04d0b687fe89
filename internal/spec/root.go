package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// RootfsPath returns the absolute, cleaned path of the container's root
// filesystem. config.md "Root": root.path is either absolute or relative to
// the bundle. It returns "" when s has no root.
func RootfsPath(s *specs.Spec, bundle string) string {
	if s == nil || s.Root == nil || s.Root.Path == "" {
		return ""
	}
	p := s.Root.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(bundle, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// checkRoot checks root: REQUIRED on Linux, path REQUIRED, and "A directory
// MUST exist at the path declared by the field" (config.md "Root"). A symlink
// to a directory is accepted; the runtime resolves it.
func checkRoot(s *specs.Spec, bundle string) error {
	if s.Root == nil {
		return errorf("root", "required")
	}
	if s.Root.Path == "" {
		return errorf("root.path", "required")
	}
	if err := checkString("root.path", s.Root.Path); err != nil {
		return err
	}
	p := RootfsPath(s, bundle)
	fi, err := os.Stat(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return wrapf("root.path", err, "%s: %v", p, pe.Err)
		}
		return wrapf("root.path", err, "%v", err)
	}
	if !fi.IsDir() {
		return errorf("root.path", "%s: not a directory", p)
	}
	return nil
}
