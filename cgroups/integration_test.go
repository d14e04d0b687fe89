package cgroups

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// These tests drive the real kernel and need root. Every cgroup they make
// is removed by t.Cleanup, also when a test fails half way.

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
}

func randomID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "t" + hex.EncodeToString(b)
}

// newTestManager creates the cgroup and arranges for it, and for the
// given number of parent levels the test created, to be removed.
func newTestManager(t *testing.T, cgroupsPath, id string, parents int) Manager {
	t.Helper()
	m, err := New(cgroupsPath, id)
	if err != nil {
		t.Fatal(err)
	}
	paths := m.Paths()
	t.Cleanup(func() {
		if err := m.Destroy(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		for _, dir := range paths {
			d := dir
			for i := 0; i < parents; i++ {
				d = filepath.Dir(d)
				// Another test may share the parent; it removes it then.
				_ = unix.Rmdir(d)
			}
		}
	})
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	return m
}

// startSleep starts a child that is reaped as soon as it dies, so a killed
// child never lingers as a zombie. done is closed once it is reaped.
func startSleep(t *testing.T) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("sleep %d not reaped", cmd.Process.Pid)
		}
	})
	return cmd, done
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestManagerLifecycle(t *testing.T) {
	requireRoot(t)
	mode, err := DetectMode()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("host cgroup mode: %v", mode)
	id := randomID(t)
	m := newTestManager(t, "/skiff-test/"+id, id, 1)
	paths := m.Paths()
	if len(paths) == 0 {
		t.Fatal("no paths")
	}
	for k, dir := range paths {
		if !strings.HasSuffix(dir, "/skiff-test/"+id) {
			t.Errorf("Paths()[%q] = %q", k, dir)
		}
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("after Create: %v", err)
		}
	}
	if err := m.Create(); err != nil {
		t.Fatalf("second Create: %v", err)
	}

	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](32)},
		CPU:    &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](20000), Period: ptr[uint64](100000)},
	}
	if err := m.Set(r); err != nil {
		t.Fatalf("Set: %v", err)
	}
	v2 := paths[""]
	if d, ok := paths["memory"]; ok {
		if got := readFile(t, filepath.Join(d, "memory.limit_in_bytes")); got != "67108864" {
			t.Errorf("memory.limit_in_bytes = %s", got)
		}
	} else if got := readFile(t, filepath.Join(v2, "memory.max")); got != "67108864" {
		t.Errorf("memory.max = %s", got)
	}
	if d, ok := paths["pids"]; ok {
		if got := readFile(t, filepath.Join(d, "pids.max")); got != "32" {
			t.Errorf("pids.max = %s", got)
		}
	} else if got := readFile(t, filepath.Join(v2, "pids.max")); got != "32" {
		t.Errorf("pids.max = %s", got)
	}
	if d, ok := paths["cpu"]; ok {
		if got := readFile(t, filepath.Join(d, "cpu.shares")); got != "512" {
			t.Errorf("cpu.shares = %s", got)
		}
		if got := readFile(t, filepath.Join(d, "cpu.cfs_quota_us")); got != "20000" {
			t.Errorf("cpu.cfs_quota_us = %s", got)
		}
	} else {
		if got := readFile(t, filepath.Join(v2, "cpu.max")); got != "20000 100000" {
			t.Errorf("cpu.max = %s", got)
		}
		if got := readFile(t, filepath.Join(v2, "cpu.weight")); got != "20" {
			t.Errorf("cpu.weight = %s", got)
		}
	}

	// A live update of the memory limit, growing it.
	if err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](128 << 20)}}); err != nil {
		t.Fatalf("update: %v", err)
	}

	cmd, done := startSleep(t)
	pid := cmd.Process.Pid
	if err := m.AddProc(pid); err != nil {
		t.Fatalf("AddProc: %v", err)
	}
	for k, dir := range paths {
		if !slices.Contains(strings.Fields(readFile(t, filepath.Join(dir, "cgroup.procs"))), itoa(int64(pid))) {
			t.Errorf("pid %d not in %s cgroup.procs (%q)", pid, dir, k)
		}
	}
	pids, err := m.Pids()
	if err != nil || !slices.Contains(pids, pid) {
		t.Fatalf("Pids() = %v, %v; want %d in it", pids, err, pid)
	}

	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if frozen, err := m.Frozen(); err != nil || !frozen {
		t.Errorf("Frozen() after Freeze = %v, %v", frozen, err)
	}
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	if frozen, err := m.Frozen(); err != nil || frozen {
		t.Errorf("Frozen() after Thaw = %v, %v", frozen, err)
	}

	st, err := m.Stats()
	if err != nil || st == nil {
		t.Fatalf("Stats() = %v, %v", st, err)
	}
	if st.Pids.Current < 1 || st.Pids.Limit != 32 {
		t.Errorf("Stats().Pids = %+v", st.Pids)
	}
	if st.Memory.Usage.Limit != 128<<20 {
		t.Errorf("Stats().Memory.Usage.Limit = %d", st.Memory.Usage.Limit)
	}
	if _, err := json.Marshal(st); err != nil {
		t.Error(err)
	}
	if _, err := m.OOMKillCount(); err != nil {
		t.Errorf("OOMKillCount: %v", err)
	}

	// Load from saved paths reaches the same cgroup.
	loaded, err := Load(paths)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if pids, err := loaded.Pids(); err != nil || !slices.Contains(pids, pid) {
		t.Errorf("loaded Pids() = %v, %v", pids, err)
	}

	// Destroy must also get through to a frozen (paused) container.
	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if err := loaded.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("sleep survived Destroy")
	}
	for _, dir := range paths {
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there after Destroy (%v)", dir, err)
		}
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
}

func TestRelativePath(t *testing.T) {
	requireRoot(t)
	hs, err := discover()
	if err != nil {
		t.Fatal(err)
	}
	id := randomID(t)
	m := newTestManager(t, "skiff-test-rel/"+id, id, 1)
	paths := m.Paths()
	for _, h := range hs {
		base, err := relToRoot(h.current, h.root)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(h.mountpoint, base, "skiff-test-rel", id)
		for _, k := range h.keys() {
			if paths[k] != want {
				t.Errorf("Paths()[%q] = %q, want %q", k, paths[k], want)
			}
		}
	}

	// A process in the relative cgroup is found and signalled.
	cmd, done := startSleep(t)
	if err := m.AddProc(cmd.Process.Pid); err != nil {
		t.Fatalf("AddProc: %v", err)
	}
	if pids, err := m.Pids(); err != nil || !slices.Contains(pids, cmd.Process.Pid) {
		t.Errorf("Pids() = %v, %v", pids, err)
	}
	if err := m.Signal(unix.SIGTERM); err != nil {
		t.Fatalf("Signal: %v", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Signal(SIGTERM) did not end the process")
	}
}

// TestKernelRejectionNamesField: a CPU the host does not have passes
// Validate but the kernel refuses it; the error names field, value, file.
func TestKernelRejectionNamesField(t *testing.T) {
	requireRoot(t)
	id := randomID(t)
	m := newTestManager(t, "/skiff-test/"+id, id, 1)
	err := m.Set(&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "1000"}})
	if err == nil {
		t.Fatal("Set accepted cpuset.cpus 1000")
	}
	dir := m.Paths()["cpuset"]
	if dir == "" {
		dir = m.Paths()[""]
	}
	want := "linux.resources.cpu.cpus: write 1000 to " + filepath.Join(dir, "cpuset.cpus") + ": "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
}

// TestHostSpecificKnobs exercises the knobs whose files differ per host:
// BFQ-only block weights and hugetlb bound to cgroup2 on hybrid hosts.
func TestHostSpecificKnobs(t *testing.T) {
	requireRoot(t)
	id := randomID(t)
	m := newTestManager(t, "/skiff-test/"+id, id, 1)
	paths := m.Paths()

	if d, ok := paths["blkio"]; ok {
		err := m.Set(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](300)}})
		switch {
		case exists(filepath.Join(d, "blkio.weight")) || exists(filepath.Join(d, "blkio.bfq.weight")):
			if err != nil {
				t.Errorf("blkio weight: %v", err)
			}
			f := filepath.Join(d, "blkio.weight")
			if !exists(f) {
				f = filepath.Join(d, "blkio.bfq.weight")
			}
			if got := readFile(t, f); !strings.HasSuffix(got, "300") {
				t.Errorf("%s = %q", f, got)
			}
		case err == nil || !strings.Contains(err.Error(), fBlkWeight):
			t.Errorf("blkio weight without weight files: err = %v", err)
		}
	}

	if !exists("/sys/kernel/mm/hugepages/hugepages-2048kB") {
		return
	}
	r := &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}}
	err := m.Set(r)
	var file string
	if d, ok := paths["hugetlb"]; ok {
		file = filepath.Join(d, "hugetlb.2MB.limit_in_bytes")
	} else if d, ok := paths[""]; ok {
		file = filepath.Join(d, "hugetlb.2MB.max")
	}
	if file == "" || (err != nil && strings.Contains(err.Error(), "controller not")) {
		t.Logf("no hugetlb controller: %v", err)
		return
	}
	if err != nil {
		t.Fatalf("hugetlb: %v", err)
	}
	if got := readFile(t, file); got != "4194304" {
		t.Errorf("%s = %q", file, got)
	}
}

func TestNewRejectsEscapes(t *testing.T) {
	for _, p := range []string{"../x", "a/../../x", "/", "."} {
		if _, err := New(p, "id"); err == nil {
			t.Errorf("New(%q) accepted", p)
		}
	}
}

func TestDestroyNeverCreated(t *testing.T) {
	requireRoot(t)
	m, err := New("/skiff-test/"+randomID(t), "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("Destroy of a cgroup never created: %v", err)
	}
}
