package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// deviceChildEnv makes the test binary a helper for TestDeviceProgram:
// it names a scratch directory for mknod.
const deviceChildEnv = "SKIFF_TEST_DEVICE_CHILD"

// deviceChecks are what the helper tries, each time it is told to.
var deviceChecks = []struct {
	name string
	try  func(scratch string) error
}{
	{"null-rw", func(string) error { return openDev("/dev/null", unix.O_RDWR) }},
	{"zero-r", func(string) error { return openDev("/dev/zero", unix.O_RDONLY) }},
	{"zero-w", func(string) error { return openDev("/dev/zero", unix.O_WRONLY) }},
	{"zero-rw", func(string) error { return openDev("/dev/zero", unix.O_RDWR) }},
	{"full-r", func(string) error { return openDev("/dev/full", unix.O_RDONLY) }},
	{"mknod-1:3", func(s string) error { return mknodDev(s, 1, 3) }},
	{"mknod-1:5", func(s string) error { return mknodDev(s, 1, 5) }},
}

func openDev(path string, flags int) error {
	fd, err := unix.Open(path, flags|unix.O_CLOEXEC, 0)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func mknodDev(dir string, major, minor uint32) error {
	p := filepath.Join(dir, fmt.Sprintf("dev-%d-%d", major, minor))
	err := unix.Mknod(p, unix.S_IFCHR|0o600, int(unix.Mkdev(major, minor)))
	if err == nil {
		unix.Unlink(p)
	}
	return err
}

// TestDeviceProgramChild is the helper process: for every line on stdin
// it runs deviceChecks and prints "name result" lines, then "done".
func TestDeviceProgramChild(t *testing.T) {
	scratch := os.Getenv(deviceChildEnv)
	if scratch == "" {
		t.Skip("helper process of TestDeviceProgram")
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		for _, c := range deviceChecks {
			res := "ok"
			if err := c.try(scratch); err != nil {
				res = err.Error()
				var errno unix.Errno
				if errors.As(err, &errno) {
					res = unix.ErrnoName(errno)
				}
			}
			fmt.Printf("%s %s\n", c.name, res)
		}
		fmt.Println("done")
	}
	os.Exit(0)
}

// TestDeviceProgram attaches device programs to a fresh cgroup2 cgroup
// and has a process in it open and mknod devices. The program's fd is
// closed when setV2Devices returns, so what the helper sees is also the
// attachment outliving the process that made it.
func TestDeviceProgram(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to load a BPF_PROG_TYPE_CGROUP_DEVICE program")
	}
	hs, err := discover()
	if err != nil {
		t.Fatal(err)
	}
	var mount string
	for _, h := range hs {
		if h.v2 {
			mount = h.mountpoint
		}
	}
	if mount == "" {
		t.Skip("no cgroup2 hierarchy mounted")
	}
	dir := filepath.Join(mount, randomID(t))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rmdirRetry(dir, time.Now().Add(rmdirTimeout)); err != nil {
			t.Error(err)
		}
	})

	cmd := exec.Command(os.Args[0], "-test.run=^TestDeviceProgramChild$")
	cmd.Env = append(os.Environ(), deviceChildEnv+"="+t.TempDir())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Registered after the rmdir, so it runs first: the cgroup must be
	// empty before it can go.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// The helper waits for its first line, so it opens nothing before it
	// is in the cgroup.
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0); err != nil {
		t.Fatal(err)
	}
	results := bufio.NewScanner(stdout)
	check := func(t *testing.T, want map[string]string) {
		t.Helper()
		if _, err := io.WriteString(stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for results.Scan() && results.Text() != "done" {
			name, res, _ := strings.Cut(results.Text(), " ")
			got[name] = res
		}
		for _, c := range deviceChecks {
			if got[c.name] != want[c.name] {
				t.Errorf("%s: got %q, want %q", c.name, got[c.name], want[c.name])
			}
		}
	}
	attach := func(t *testing.T, rules ...specs.LinuxDeviceCgroup) {
		t.Helper()
		if err := setV2Devices(dir, rules); err != nil {
			t.Fatal(err)
		}
		if got := countDevicePrograms(t, dir); got != 1 {
			t.Errorf("%d device programs attached to %s, want 1 (an update replaces)", got, dir)
		}
	}
	denyAll := dev(false, "a", nil, nil, "rwm")

	t.Run("allowlist", func(t *testing.T) {
		attach(t, denyAll, dev(true, "c", n(1), n(3), "rwm"), dev(true, "c", n(1), n(5), "r"))
		check(t, map[string]string{
			"null-rw": "ok", "zero-r": "ok", "zero-w": "EPERM", "zero-rw": "EPERM",
			"full-r": "EPERM", "mknod-1:3": "ok", "mknod-1:5": "EPERM",
		})
	})
	t.Run("update replaces", func(t *testing.T) {
		attach(t, denyAll, dev(true, "c", n(1), n(5), "rwm"), dev(true, "c", n(1), n(7), "r"))
		check(t, map[string]string{
			"null-rw": "EPERM", "zero-r": "ok", "zero-w": "ok", "zero-rw": "ok",
			"full-r": "ok", "mknod-1:3": "EPERM", "mknod-1:5": "ok",
		})
	})
	t.Run("partial deny", func(t *testing.T) {
		attach(t, denyAll, dev(true, "c", n(1), nil, "rw"), dev(false, "c", n(1), n(5), "w"))
		check(t, map[string]string{
			"null-rw": "ok", "zero-r": "ok", "zero-w": "EPERM", "zero-rw": "EPERM",
			"full-r": "ok", "mknod-1:3": "EPERM", "mknod-1:5": "EPERM",
		})
	})
	// What a pure cgroup2 host gets: a manager without a v1 devices
	// hierarchy hands the rules to setV2Devices.
	t.Run("through Manager.Set", func(t *testing.T) {
		m, err := Load(map[string]string{"": dir})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
			denyAll, dev(true, "c", n(1), n(3), "rw"), dev(true, "c", n(1), n(7), "rwm"),
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got := countDevicePrograms(t, dir); got != 1 {
			t.Errorf("%d device programs attached to %s, want 1", got, dir)
		}
		check(t, map[string]string{
			"null-rw": "ok", "zero-r": "EPERM", "zero-w": "EPERM", "zero-rw": "EPERM",
			"full-r": "ok", "mknod-1:3": "EPERM", "mknod-1:5": "EPERM",
		})
	})
	t.Run("allow all", func(t *testing.T) {
		attach(t, dev(true, "a", nil, nil, ""))
		check(t, map[string]string{
			"null-rw": "ok", "zero-r": "ok", "zero-w": "ok", "zero-rw": "ok",
			"full-r": "ok", "mknod-1:3": "ok", "mknod-1:5": "ok",
		})
	})
}

// countDevicePrograms counts skiff's device programs attached to dir.
func countDevicePrograms(t *testing.T, dir string) int {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := bpfProgQuery(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := skiffDevicePrograms(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	closeFDs(ps)
	if len(ps) != len(ids) {
		t.Errorf("%d programs attached, %d of them skiff's", len(ids), len(ps))
	}
	return len(ps)
}

// TestDeviceProgramRejected: a program the verifier refuses fails with the
// errno and the verifier's reason, here that R0 is read before it is set.
func TestDeviceProgramRejected(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to load a BPF_PROG_TYPE_CGROUP_DEVICE program")
	}
	fd, err := bpfLoadDeviceProgram(deviceProgramName, "Apache-2.0", []bpfInsn{bpfExit()})
	if err == nil {
		unix.Close(fd)
		t.Fatal("loaded a program that returns an unset R0")
	}
	if !errors.Is(err, unix.EACCES) || !strings.Contains(err.Error(), "(verifier: 0: (95) exit: R0 !read_ok)") {
		t.Errorf("got %v, want EACCES with the verifier's R0 !read_ok", err)
	}
}
