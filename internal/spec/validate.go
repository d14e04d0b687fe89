package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Validate checks s before anything is created (runtime.md "Create": a
// property that cannot be applied MUST make create fail without creating the
// container). bundle is the bundle directory root.path is relative to.
//
// It returns the first problem found, checking sections in a fixed order, as
// one line: "config.json: <field path>: <reason>".
//
// Only two checks look at the host: that the rootfs directory exists, and
// that namespace paths to join are namespaces of the declared type. Resource
// limits (linux.resources) are left to the cgroups package.
func Validate(s *specs.Spec, bundle string) error {
	if s == nil {
		return errorf("", "no configuration")
	}
	checks := []func() error{
		func() error { return checkVersion(s.Version) },
		func() error { return checkRoot(s, bundle) },
		func() error { return checkProcess(s.Process) },
		func() error { return checkNamespaces(s) },
		func() error { return checkUTS(s) },
		func() error { return checkUserNamespace(s) },
		func() error { return checkTimeOffsets(s) },
		func() error { return checkSysctl(s) },
		func() error { return checkMounts(s) },
		func() error { return checkHooks(s.Hooks) },
		func() error { return checkAnnotations(s.Annotations) },
		func() error { return checkDevices(s.Linux) },
		func() error { return checkNetDevices(s) },
		func() error { return checkSeccomp(s.Linux) },
		func() error { return checkLinuxPaths(s.Linux) },
		func() error { return checkIntelRdt(s.Linux) },
		func() error { return checkMemoryPolicy(s.Linux) },
		func() error { return checkPersonality(s.Linux) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}
