package cgroups

import (
	"reflect"
	"strings"
	"testing"
)

const hybridMountinfo = `22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:5 - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`

const hybridProcCgroup = `9:name=systemd:/user.slice
4:memory:/process_api/abc
3:cpu,cpuacct:/
6:freezer:/
5:devices:/
0::/user.slice
`

const unifiedMountinfo = `25 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
26 1 0:23 / /mnt/with\040space rw - ext4 /dev/sda rw
`

func layout(t *testing.T, mi, pc string) []hierarchy {
	t.Helper()
	ms, err := parseMountinfo(strings.NewReader(mi))
	if err != nil {
		t.Fatal(err)
	}
	cgs, err := parseProcCgroup(strings.NewReader(pc))
	if err != nil {
		t.Fatal(err)
	}
	return matchHierarchies(ms, cgs)
}

func TestModeOf(t *testing.T) {
	for _, tt := range []struct {
		mi, pc string
		want   Mode
	}{
		{hybridMountinfo, hybridProcCgroup, Hybrid},
		{unifiedMountinfo, "0::/user.slice/session-1.scope\n", Unified},
		{strings.ReplaceAll(hybridMountinfo, "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n", ""), hybridProcCgroup, Legacy},
	} {
		got, err := modeOf(layout(t, tt.mi, tt.pc))
		if err != nil || got != tt.want {
			t.Errorf("modeOf = %v, %v; want %v", got, err, tt.want)
		}
	}
	if _, err := modeOf(nil); err == nil {
		t.Error("modeOf(nil): want an error")
	}
}

func TestResolvePaths(t *testing.T) {
	hs := layout(t, hybridMountinfo, hybridProcCgroup)
	tests := []struct {
		path string
		want map[string]string
	}{
		{"/a/b", map[string]string{
			"cpu": "/sys/fs/cgroup/cpu,cpuacct/a/b", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/a/b",
			"memory": "/sys/fs/cgroup/memory/a/b", "freezer": "/sys/fs/cgroup/freezer/a/b",
			"name=systemd": "/sys/fs/cgroup/systemd/a/b", "": "/sys/fs/cgroup/unified/a/b",
		}},
		{"a/b", map[string]string{
			"cpu": "/sys/fs/cgroup/cpu,cpuacct/a/b", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/a/b",
			"memory": "/sys/fs/cgroup/memory/process_api/abc/a/b", "freezer": "/sys/fs/cgroup/freezer/a/b",
			"name=systemd": "/sys/fs/cgroup/systemd/user.slice/a/b", "": "/sys/fs/cgroup/unified/user.slice/a/b",
		}},
	}
	for _, tt := range tests {
		got, mounts, err := resolvePaths(hs, tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("resolvePaths(%q):\n got %v\nwant %v", tt.path, got, tt.want)
		}
		if mounts["memory"] != "/sys/fs/cgroup/memory" || mounts[""] != "/sys/fs/cgroup/unified" {
			t.Errorf("mounts = %v", mounts)
		}
	}
}

// A container without cgroup namespace sees its own cgroup mounted as the
// hierarchy root: relative paths must start there, not repeat it.
func TestResolveBindMountedRoot(t *testing.T) {
	mi := "40 30 0:37 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	hs := layout(t, mi, "0::/docker/abc/init\n")
	got, _, err := resolvePaths(hs, "x")
	if err != nil {
		t.Fatal(err)
	}
	if got[""] != "/sys/fs/cgroup/init/x" {
		t.Errorf("got %q", got[""])
	}
	hs = layout(t, mi, "0::/elsewhere\n")
	if _, _, err := resolvePaths(hs, "x"); err == nil {
		t.Error("want an error for a cgroup outside the mounted root")
	}
}

func TestCleanCgroupsPath(t *testing.T) {
	tests := []struct{ in, id, want, err string }{
		{"", "abc", "/abc", ""},
		{"", "", "", "id cannot name a cgroup directory"},
		{"", "a/b", "", "id cannot name a cgroup directory"},
		{"/a//b/", "x", "/a/b", ""},
		{"a/./b", "x", "a/b", ""},
		{"../a", "x", "", `must not contain ".."`},
		{"a/../../b", "x", "", `must not contain ".."`},
		{"/", "x", "", "must name a cgroup of the container's own"},
		{".", "x", "", "must name a cgroup of the container's own"},
		{"system.slice:docker:abc", "x", "", "systemd cgroup driver"},
	}
	for _, tt := range tests {
		got, err := cleanCgroupsPath(tt.in, tt.id)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("cleanCgroupsPath(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("cleanCgroupsPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMountinfoEscapes(t *testing.T) {
	ms, err := parseMountinfo(strings.NewReader(`1 0 0:1 / /a\040b rw - cgroup2 cgroup2 rw` + "\n"))
	if err != nil || len(ms) != 1 || ms[0].mountpoint != "/a b" {
		t.Fatalf("got %+v, %v", ms, err)
	}
}
