package cgroups

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// subset limits m to some of its hierarchies, so the pure-v1 and pure-v2
// code paths (freezer, kill, stats) also run on a hybrid host.
func subset(m Manager, keep func(key string) bool) *manager {
	full := m.(*manager)
	out := &manager{paths: map[string]string{}, mounts: map[string]string{}}
	for k, d := range full.paths {
		if keep(k) {
			out.paths[k] = d
			out.mounts[k] = full.mounts[k]
		}
	}
	return out
}

// exercise runs a sleep through AddProc, Pids, Freeze/Thaw, Stats and
// Destroy of m, checking the sleep dies and the dirs go away.
func exercise(t *testing.T, m *manager) {
	t.Helper()
	cmd, done := startSleep(t)
	if err := m.AddProc(cmd.Process.Pid); err != nil {
		t.Fatalf("AddProc: %v", err)
	}
	if pids, err := m.Pids(); err != nil || !slices.Contains(pids, cmd.Process.Pid) {
		t.Fatalf("Pids() = %v, %v", pids, err)
	}
	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if frozen, err := m.Frozen(); err != nil || !frozen {
		t.Errorf("Frozen() = %v, %v", frozen, err)
	}
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	if _, err := m.Stats(); err != nil {
		t.Errorf("Stats: %v", err)
	}
	// Destroy a frozen cgroup: the kill must still get through.
	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if err := m.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("sleep survived Destroy")
	}
	for _, d := range m.paths {
		if exists(d) {
			t.Errorf("%s left behind", d)
		}
	}
}

func TestV1OnlyPaths(t *testing.T) {
	requireRoot(t)
	id := randomID(t)
	m := newTestManager(t, "/skiff-test/"+id, id, 1)
	v1 := subset(m, func(k string) bool { return k != "" })
	if len(v1.paths) == 0 {
		t.Skip("no v1 hierarchy")
	}
	exercise(t, v1)
}

func TestV2OnlyPaths(t *testing.T) {
	requireRoot(t)
	id := randomID(t)
	m := newTestManager(t, "/skiff-test/"+id, id, 1)
	v2 := subset(m, func(k string) bool { return k == "" })
	if len(v2.paths) == 0 {
		t.Skip("no cgroup2 hierarchy")
	}
	avail, err := readWords(filepath.Join(v2.mounts[""], "cgroup.controllers"))
	if err != nil {
		t.Fatal(err)
	}
	err = v2.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)}})
	if slices.Contains(avail, "memory") {
		if err != nil {
			t.Errorf("Set memory: %v", err)
		}
	} else if err == nil || !strings.Contains(err.Error(), "linux.resources.memory.limit: memory controller not available") {
		t.Errorf("Set memory without the controller: %v", err)
	}
	exercise(t, v2)
}

func TestLoadRejectsMountRoots(t *testing.T) {
	m, err := New("/skiff-test/x", "x")
	if err != nil {
		t.Skipf("no cgroups here: %v", err)
	}
	for k, d := range m.Paths() {
		root := filepath.Dir(filepath.Dir(d))
		if _, err := Load(map[string]string{k: root}); err == nil {
			t.Errorf("Load accepted %s = %s, the hierarchy root", keyName(k), root)
		}
		if _, err := Load(map[string]string{k: d + "/../x"}); err == nil {
			t.Errorf("Load accepted an unclean path")
		}
	}
	if _, err := Load(map[string]string{"no-such-controller": "/x/y"}); err == nil {
		t.Error("Load accepted a map with no mounted hierarchy")
	}
}
