package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// AddProc writes pid to cgroup.procs of every hierarchy, so the process
// and all it forks later are accounted everywhere.
func (m *manager) AddProc(pid int) error {
	for _, dir := range m.dirs() {
		if err := writeValue(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("add pid %d: %w", pid, err)
		}
	}
	return nil
}

// Pids lists the cgroup and its descendants. Every hierarchy holds the
// same processes; the freezer one is read first because Freeze and
// Destroy act through it.
func (m *manager) Pids() ([]int, error) {
	dir, ok := m.procsDir()
	if !ok {
		return nil, nil
	}
	return pidsUnder(dir)
}

func (m *manager) procsDir() (string, bool) {
	for _, k := range []string{"freezer", "pids", "memory", ""} {
		if d, ok := m.paths[k]; ok {
			return d, true
		}
	}
	ds := m.dirs()
	if len(ds) == 0 {
		return "", false
	}
	return ds[0], true
}

// pidsUnder reads cgroup.procs of dir and every directory below it. A
// cgroup removed meanwhile simply has no processes.
func pidsUnder(dir string) ([]int, error) {
	var pids []int
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("walk %s: %w", p, cause(err))
		}
		if !d.IsDir() {
			return nil
		}
		b, err := readKernelFile(filepath.Join(p, "cgroup.procs"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("read %s: %w", filepath.Join(p, "cgroup.procs"), err)
		}
		for _, f := range strings.Fields(string(b)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				return fmt.Errorf("parse %s: bad pid %q", filepath.Join(p, "cgroup.procs"), f)
			}
			pids = append(pids, pid)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Ints(pids)
	return pids, nil
}
