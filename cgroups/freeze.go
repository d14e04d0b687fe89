package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// freezeTimeout bounds Freeze: a task stuck in uninterruptible sleep can
// keep a cgroup FREEZING forever.
const freezeTimeout = 5 * time.Second

// noFreezer: neither a v1 freezer nor cgroup2 is mounted.
const noFreezer = "no freezer available"

// Freeze uses the v1 freezer where it is mounted (hybrid hosts too, as
// runc does), else cgroup2's built-in cgroup.freeze.
func (m *manager) Freeze() error {
	return m.freeze(freezeTimeout)
}

func (m *manager) freeze(timeout time.Duration) error {
	if dir, ok := m.paths["freezer"]; ok {
		return freezeV1(dir, timeout)
	}
	if dir, ok := m.v2Dir(); ok {
		return freezeV2(dir, timeout)
	}
	return errors.New("freeze: " + noFreezer)
}

func (m *manager) Thaw() error {
	if dir, ok := m.paths["freezer"]; ok {
		return writeValue(filepath.Join(dir, "freezer.state"), "THAWED")
	}
	if dir, ok := m.v2Dir(); ok {
		return writeValue(filepath.Join(dir, "cgroup.freeze"), "0")
	}
	return errors.New("thaw: " + noFreezer)
}

func (m *manager) Frozen() (bool, error) {
	if dir, ok := m.paths["freezer"]; ok {
		s, err := readString(filepath.Join(dir, "freezer.state"))
		return s == "FROZEN", err
	}
	if dir, ok := m.v2Dir(); ok {
		return v2Frozen(dir)
	}
	return false, nil
}

// freezeV1 asks again on every poll: re-writing FROZEN retries tasks that
// were busy (e.g. in vfork) when the first request went out.
func freezeV1(dir string, timeout time.Duration) error {
	state := filepath.Join(dir, "freezer.state")
	deadline := time.Now().Add(timeout)
	for {
		if err := writeValue(state, "FROZEN"); err != nil {
			return err
		}
		s, err := readString(state)
		if err != nil {
			return err
		}
		if s == "FROZEN" {
			return nil
		}
		if time.Now().After(deadline) {
			// Leave it running rather than half frozen.
			_ = writeValue(state, "THAWED")
			return fmt.Errorf("freeze %s: still %s after %s", dir, s, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func freezeV2(dir string, timeout time.Duration) error {
	if err := writeValue(filepath.Join(dir, "cgroup.freeze"), "1"); err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		frozen, err := v2Frozen(dir)
		if err != nil {
			return err
		}
		if frozen {
			return nil
		}
		if time.Now().After(deadline) {
			_ = writeValue(filepath.Join(dir, "cgroup.freeze"), "0")
			return fmt.Errorf("freeze %s: not frozen after %s", dir, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// v2Frozen reads the effective state from cgroup.events; cgroup.freeze
// only holds the request.
func v2Frozen(dir string) (bool, error) {
	s, err := readString(filepath.Join(dir, "cgroup.events"))
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "frozen 1" {
			return true, nil
		}
	}
	return false, nil
}
