package libinit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// hasNewNamespace: the config asks for a new namespace of this type.
func hasNewNamespace(s *specs.Spec, typ specs.LinuxNamespaceType) bool {
	if s.Linux == nil {
		return false
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == typ && ns.Path == "" {
			return true
		}
	}
	return false
}

// joinsNamespace: the config joins an existing namespace of this type.
func joinsNamespace(s *specs.Spec, typ specs.LinuxNamespaceType) bool {
	if s.Linux == nil {
		return false
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == typ && ns.Path != "" {
			return true
		}
	}
	return false
}

func userNamespaced(s *specs.Spec) bool {
	return hasNewNamespace(s, specs.UserNamespace) || joinsNamespace(s, specs.UserNamespace)
}

// loopbackUp brings up "lo" in a new network namespace. One ioctl does it;
// a netlink socket would cost more for the same result.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up lo: socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: get flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	return nil
}

// writeSysctls writes linux.sysctl. /proc/sys files of namespaced keys act
// on the namespaces of the writer, so the host's /proc serves before
// pivot_root. Keys are sorted so errors are deterministic.
func writeSysctls(sysctl map[string]string) error {
	keys := make([]string, 0, len(sysctl))
	for k := range sysctl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rel := strings.ReplaceAll(k, ".", "/")
		if strings.Contains(k, "/") || strings.Contains(rel, "..") {
			return fmt.Errorf("config.json: linux.sysctl: invalid key %q", k)
		}
		p := filepath.Join("/proc/sys", rel)
		if err := os.WriteFile(p, []byte(sysctl[k]), 0); err != nil {
			return fmt.Errorf("config.json: linux.sysctl: set %s=%q: %w", k, sysctl[k], err)
		}
	}
	return nil
}
