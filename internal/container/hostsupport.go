package container

import (
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// checkHostSupport refuses what skiff cannot give this container rather
// than start it without: labels for a security module the host does not
// run (the container would run unconfined), Intel RDT (not implemented).
// It runs in the parent, which sees the host's /sys.
func checkHostSupport(s *specs.Spec) error {
	if s.Linux != nil && s.Linux.IntelRdt != nil {
		return fmt.Errorf("config.json: linux.intelRdt: not supported by skiff")
	}
	if p := s.Process; p != nil {
		if p.ApparmorProfile != "" && !apparmorEnabled() {
			return fmt.Errorf("config.json: process.apparmorProfile: %q requested, but AppArmor is not enabled on this host", p.ApparmorProfile)
		}
		if p.SelinuxLabel != "" && !selinuxEnabled() {
			return fmt.Errorf("config.json: process.selinuxLabel: %q requested, but SELinux is not enabled on this host", p.SelinuxLabel)
		}
	}
	if s.Linux != nil && s.Linux.MountLabel != "" && !selinuxEnabled() {
		return fmt.Errorf("config.json: linux.mountLabel: %q requested, but SELinux is not enabled on this host", s.Linux.MountLabel)
	}
	return nil
}

func apparmorEnabled() bool {
	b, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && strings.HasPrefix(string(b), "Y")
}

func selinuxEnabled() bool {
	_, err := os.Stat("/sys/fs/selinux/enforce")
	return err == nil
}
