package spec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// otherNamespaces starts a child in new net, ipc, uts and time namespaces
// and returns its /proc/<pid>/ns directory, or skips the test when that is
// not permitted here.
func otherNamespaces(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot create namespaces here: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return fmt.Sprintf("/proc/%d/ns", cmd.Process.Pid)
}

func TestValidateNamespaces(t *testing.T) {
	notNS := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notNS, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	set := func(list ...specs.LinuxNamespace) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.Namespaces = list }
	}
	runValidateCases(t, []validateCase{
		{"all types new", set(ns("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time")...), "linux.uidMappings: required"},
		{"all types but user", set(ns("pid", "network", "mount", "ipc", "uts", "cgroup", "time")...), ""},
		{"unknown type", set(ns("pid", "network", "foo")...),
			`config.json: linux.namespaces[2].type: unknown namespace type "foo"`},
		{"kernel name is not a spec type", set(ns("net", "uts")...),
			`config.json: linux.namespaces[0].type: unknown namespace type "net"`},
		{"empty type", set(ns("uts", "")...),
			`config.json: linux.namespaces[1].type: required`},
		{"duplicate", set(ns("pid", "uts", "pid")...),
			`config.json: linux.namespaces[2].type: duplicate namespace type "pid" (also linux.namespaces[0])`},
		{"join matching type", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "network", Path: "/proc/self/ns/net"},
			specs.LinuxNamespace{Type: "pid", Path: "/proc/self/ns/pid"},
			specs.LinuxNamespace{Type: "mount", Path: "/proc/self/ns/mnt"},
			specs.LinuxNamespace{Type: "time", Path: "/proc/self/ns/time"},
			specs.LinuxNamespace{Type: "cgroup", Path: "/proc/self/ns/cgroup"},
			specs.LinuxNamespace{Type: "ipc", Path: "/proc/self/ns/ipc"},
			specs.LinuxNamespace{Type: "user", Path: "/proc/self/ns/user"},
		), ""},
		{"wrong type", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "ipc", Path: "/proc/self/ns/net"},
		), "config.json: linux.namespaces[1].path: /proc/self/ns/net is a net namespace, not ipc"},
		{"wrong type mnt", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "pid", Path: "/proc/self/ns/mnt"},
		), "config.json: linux.namespaces[1].path: /proc/self/ns/mnt is a mnt namespace, not pid"},
		{"relative path", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "network", Path: "proc/self/ns/net"},
		), `config.json: linux.namespaces[1].path: "proc/self/ns/net" is not an absolute path`},
		{"missing path", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "network", Path: "/nonexistent/ns/net"},
		), "config.json: linux.namespaces[1].path: /nonexistent/ns/net: no such file or directory"},
		{"not a namespace", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "network", Path: notNS},
		), "config.json: linux.namespaces[1].path: " + notNS + " is not a namespace file"},
		{"device is not a namespace", set(
			specs.LinuxNamespace{Type: "uts"},
			specs.LinuxNamespace{Type: "network", Path: "/dev/null"},
		), "config.json: linux.namespaces[1].path: /dev/null is not a namespace file"},
		{"type errors before paths", set(
			specs.LinuxNamespace{Type: "network", Path: "/nonexistent"},
			specs.LinuxNamespace{Type: "bogus"},
		), `config.json: linux.namespaces[1].type: unknown namespace type "bogus"`},
		{"no linux section", func(s *specs.Spec) { s.Linux = nil; s.Hostname = "" }, ""},
	})
}

func TestHasNamespace(t *testing.T) {
	s := Default(false)
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time", Path: "/proc/1/ns/time"})
	for _, tc := range []struct {
		t        specs.LinuxNamespaceType
		wantPath string
		wantOK   bool
	}{
		{"pid", "", true},
		{"network", "", true},
		{"time", "/proc/1/ns/time", true},
		{"user", "", false},
	} {
		p, ok := HasNamespace(s, tc.t)
		if p != tc.wantPath || ok != tc.wantOK {
			t.Errorf("HasNamespace(%q) = %q, %v; want %q, %v", tc.t, p, ok, tc.wantPath, tc.wantOK)
		}
	}
	if _, ok := HasNamespace(&specs.Spec{}, "pid"); ok {
		t.Error("HasNamespace without linux section = true")
	}
	if _, ok := HasNamespace(nil, "pid"); ok {
		t.Error("HasNamespace(nil) = true")
	}
}

func TestValidateUTS(t *testing.T) {
	runValidateCases(t, []validateCase{
		{"hostname with uts", func(s *specs.Spec) { s.Domainname = "example.test" }, ""},
		{"hostname without uts", func(s *specs.Spec) { s.Linux.Namespaces = ns("pid", "mount") },
			"config.json: hostname: requires a new uts namespace (linux.namespaces has none)"},
		{"domainname without uts", func(s *specs.Spec) {
			s.Hostname = ""
			s.Domainname = "example.test"
			s.Linux.Namespaces = ns("pid", "mount")
		}, "config.json: domainname: requires a new uts namespace (linux.namespaces has none)"},
		{"no hostname without uts", func(s *specs.Spec) {
			s.Hostname = ""
			s.Linux.Namespaces = ns("pid", "mount")
		}, ""},
		{"hostname joining runtime uts", func(s *specs.Spec) {
			s.Linux.Namespaces = []specs.LinuxNamespace{{Type: "uts", Path: "/proc/self/ns/uts"}}
		}, "config.json: hostname: requires a new uts namespace (linux.namespaces[0].path is the runtime's own uts namespace)"},
		{"hostname nul", func(s *specs.Spec) { s.Hostname = "a\x00b" },
			"config.json: hostname: contains a NUL byte"},
		{"hostname 65 bytes", func(s *specs.Spec) {
			s.Hostname = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		}, "config.json: hostname: 65 bytes is longer than the kernel limit of 64"},
	})
}

func TestValidateUTSJoinedPrivate(t *testing.T) {
	dir := otherNamespaces(t)
	runValidateCases(t, []validateCase{
		{"hostname joining other uts", func(s *specs.Spec) {
			s.Linux.Namespaces = []specs.LinuxNamespace{{Type: "uts", Path: dir + "/uts"}}
		}, ""},
	})
}
