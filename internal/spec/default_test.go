package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestDefaultValidates(t *testing.T) {
	for _, rootless := range []bool{false, true} {
		bundle := newBundle(t)
		if err := Validate(Default(rootless), bundle); err != nil {
			t.Errorf("Validate(Default(%v)): %v", rootless, err)
		}
		// And through Load, as `skiff spec` followed by `skiff create` would.
		data, err := json.MarshalIndent(Default(rootless), "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Load(bundle)
		if err != nil {
			t.Fatalf("Load(Default(%v)): %v", rootless, err)
		}
		if !reflect.DeepEqual(got, Default(rootless)) {
			t.Errorf("Load(Default(%v)) does not round-trip", rootless)
		}
	}
}

func TestDefault(t *testing.T) {
	s := Default(false)
	if s.Version != "1.3.0" {
		t.Errorf("ociVersion = %q", s.Version)
	}
	if s.Root == nil || s.Root.Path != "rootfs" || !s.Root.Readonly {
		t.Errorf("root = %+v", s.Root)
	}
	if s.Hostname != "skiff" {
		t.Errorf("hostname = %q", s.Hostname)
	}
	p := s.Process
	if !p.Terminal || !slices.Equal(p.Args, []string{"sh"}) || p.Cwd != "/" || !p.NoNewPrivileges {
		t.Errorf("process = %+v", p)
	}
	if !slices.Equal(p.Env, []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}) {
		t.Errorf("env = %q", p.Env)
	}
	caps := []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	c := p.Capabilities
	if !slices.Equal(c.Bounding, caps) || !slices.Equal(c.Effective, caps) || !slices.Equal(c.Permitted, caps) ||
		c.Inheritable != nil || c.Ambient != nil {
		t.Errorf("capabilities = %+v", c)
	}
	if !reflect.DeepEqual(p.Rlimits, []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}}) {
		t.Errorf("rlimits = %+v", p.Rlimits)
	}
	wantMounts := map[string]string{
		"/proc": "proc", "/dev": "tmpfs", "/dev/pts": "devpts", "/dev/shm": "tmpfs",
		"/dev/mqueue": "mqueue", "/sys": "sysfs", "/sys/fs/cgroup": "cgroup",
	}
	if len(s.Mounts) != len(wantMounts) {
		t.Errorf("%d mounts, want %d", len(s.Mounts), len(wantMounts))
	}
	for _, m := range s.Mounts {
		if wantMounts[m.Destination] != m.Type {
			t.Errorf("mount %s has type %q", m.Destination, m.Type)
		}
	}
	if dev := mountAt(s, "/dev"); !slices.Equal(dev.Options, []string{"nosuid", "strictatime", "mode=755", "size=65536k"}) {
		t.Errorf("/dev options = %q", dev.Options)
	}
	if !slices.Contains(mountAt(s, "/dev/pts").Options, "gid=5") {
		t.Error("/dev/pts has no gid=5")
	}
	if !slices.Contains(mountAt(s, "/sys").Options, "ro") || !slices.Contains(mountAt(s, "/sys/fs/cgroup").Options, "ro") {
		t.Error("/sys or /sys/fs/cgroup not read-only")
	}
	if got := nsTypes(s); !slices.Equal(got, []specs.LinuxNamespaceType{"pid", "network", "ipc", "uts", "mount", "cgroup"}) {
		t.Errorf("namespaces = %q", got)
	}
	if len(s.Linux.MaskedPaths) != 10 || !slices.Contains(s.Linux.MaskedPaths, "/proc/kcore") {
		t.Errorf("maskedPaths = %q", s.Linux.MaskedPaths)
	}
	if !slices.Equal(s.Linux.ReadonlyPaths, []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}) {
		t.Errorf("readonlyPaths = %q", s.Linux.ReadonlyPaths)
	}
	if s.Linux.Resources == nil || len(s.Linux.Resources.Devices) != 1 || s.Linux.Resources.Devices[0].Allow {
		t.Errorf("resources = %+v", s.Linux.Resources)
	}
}

func TestDefaultRootless(t *testing.T) {
	s := Default(true)
	if got := nsTypes(s); !slices.Equal(got, []specs.LinuxNamespaceType{"pid", "ipc", "uts", "mount", "user"}) {
		t.Errorf("namespaces = %q", got)
	}
	want := []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getuid()), Size: 1}}
	if !reflect.DeepEqual(s.Linux.UIDMappings, want) {
		t.Errorf("uidMappings = %+v, want %+v", s.Linux.UIDMappings, want)
	}
	want = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getgid()), Size: 1}}
	if !reflect.DeepEqual(s.Linux.GIDMappings, want) {
		t.Errorf("gidMappings = %+v, want %+v", s.Linux.GIDMappings, want)
	}
	sys := mountAt(s, "/sys")
	if sys.Type != "none" || sys.Source != "/sys" || !slices.Equal(sys.Options, []string{"rbind", "nosuid", "noexec", "nodev", "ro"}) {
		t.Errorf("/sys mount = %+v", sys)
	}
	if m := mountAt(s, "/sys/fs/cgroup"); m.Destination != "" {
		t.Errorf("cgroup mount kept: %+v", m)
	}
	if slices.Contains(mountAt(s, "/dev/pts").Options, "gid=5") {
		t.Error("/dev/pts keeps gid=5")
	}
	if s.Linux.Resources != nil {
		t.Errorf("resources = %+v", s.Linux.Resources)
	}
	if s.Hostname != "skiff" {
		t.Errorf("hostname = %q", s.Hostname)
	}
}

func TestDefaultIsFresh(t *testing.T) {
	a := Default(false)
	a.Process.Capabilities.Bounding[0] = "CAP_SYS_ADMIN"
	a.Mounts[1].Options[0] = "x"
	a.Linux.MaskedPaths[0] = "/x"
	b := Default(false)
	if b.Process.Capabilities.Bounding[0] != "CAP_AUDIT_WRITE" || b.Mounts[1].Options[0] != "nosuid" || b.Linux.MaskedPaths[0] != "/proc/acpi" {
		t.Error("Default shares state between calls")
	}
	if &b.Process.Capabilities.Bounding[0] == &b.Process.Capabilities.Effective[0] {
		t.Error("capability sets share a backing array")
	}
}

func mountAt(s *specs.Spec, dest string) specs.Mount {
	for _, m := range s.Mounts {
		if m.Destination == dest {
			return m
		}
	}
	return specs.Mount{}
}

func nsTypes(s *specs.Spec) []specs.LinuxNamespaceType {
	var out []specs.LinuxNamespaceType
	for _, n := range s.Linux.Namespaces {
		out = append(out, n.Type)
	}
	return out
}
