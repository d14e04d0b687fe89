package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Bounds for Destroy, which must never hang: processes in uninterruptible
// sleep can outlive SIGKILL for a while, and rmdir fails until they go.
const (
	killTimeout   = 5 * time.Second
	rmdirTimeout  = 2 * time.Second
	destroyPoll   = 10 * time.Millisecond
	killRoundWait = 200 * time.Millisecond
)

// Destroy kills every process left, then removes the directories.
// Failing to kill is only reported when it keeps a directory alive.
func (m *manager) Destroy() error {
	killErr := m.killAll()
	if err := m.removeAll(); err != nil {
		return errors.Join(err, killErr)
	}
	return nil
}

// killAll repeats kill rounds until the cgroup is empty or time is up.
func (m *manager) killAll() error {
	deadline := time.Now().Add(killTimeout)
	for {
		pids, err := m.Pids()
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kill cgroup: %d processes still alive after %s (pids %v)", len(pids), killTimeout, pids)
		}
		m.killRound(pids)
		wait := time.Now().Add(killRoundWait)
		for time.Now().Before(wait) {
			if pids, err := m.Pids(); err == nil && len(pids) == 0 {
				return nil
			}
			time.Sleep(destroyPoll)
		}
	}
}

// killRound: cgroup.kill (v2, Linux 5.14+) kills atomically, forks
// included. Otherwise freezing first stops processes from forking away
// between listing and kill; SIGKILL queued while frozen takes effect on
// thaw. Errors are ignored: the caller checks what is left.
func (m *manager) killRound(pids []int) {
	if dir, ok := m.v2Dir(); ok && exists(filepath.Join(dir, "cgroup.kill")) {
		_ = writeValue(filepath.Join(dir, "cgroup.kill"), "1")
		// On hybrid hosts a process might have joined only v1 dirs.
		_ = signalAll(pids, unix.SIGKILL)
		// A v1 freezer (hybrid hosts) keeps frozen tasks from acting on
		// SIGKILL until they are thawed.
		if _, ok := m.paths["freezer"]; ok {
			_ = m.Thaw()
		}
		return
	}
	frozen := m.freeze(time.Second) == nil
	if frozen {
		if again, err := m.Pids(); err == nil {
			pids = again
		}
	}
	_ = signalAll(pids, unix.SIGKILL)
	if frozen {
		_ = m.Thaw()
	}
}

// removeAll removes each hierarchy's directory tree, deepest first, since
// rmdir only takes empty cgroups.
// One deadline covers all hierarchies: what keeps one busy usually keeps
// them all busy, and waiting per directory would multiply the bound.
func (m *manager) removeAll() error {
	deadline := time.Now().Add(rmdirTimeout)
	var errs []error
	for _, dir := range m.dirs() {
		if err := removeTree(dir, deadline); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func removeTree(root string, deadline time.Time) error {
	// The common case, a leaf cgroup: one rmdir, without reading the
	// directory's dozens of control files as a walk would.
	if err := unix.Rmdir(root); err == nil || err == unix.ENOENT {
		return nil
	}
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("walk %s: %w", p, cause(err))
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(dirs, func(i, j int) bool {
		return strings.Count(dirs[i], "/") > strings.Count(dirs[j], "/")
	})
	for _, d := range dirs {
		if err := rmdirRetry(d, deadline); err != nil {
			return err
		}
	}
	return nil
}

// rmdirRetry waits out EBUSY: a cgroup stays busy until its last exiting
// process has been fully released by the kernel.
func rmdirRetry(dir string, deadline time.Time) error {
	for {
		err := unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("rmdir %s: %w", dir, err)
		}
		time.Sleep(destroyPoll)
	}
}
