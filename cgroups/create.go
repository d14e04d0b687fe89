package cgroups

import (
	"fmt"
	"os"
)

// v2Managed lists the cgroup2 controllers Create enables on the way down,
// so Stats and a later live update find their files. Set enables any other
// controller it needs on demand.
func v2Managed() []string {
	return []string{"cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc"}
}

func (m *manager) Create() error {
	for _, dir := range m.dirs() {
		if err := mkdirAll(dir); err != nil {
			return fmt.Errorf("mkdir %s: %w", dir, cause(err))
		}
	}
	if dir, ok := m.paths["cpuset"]; ok {
		if err := initCpuset(m.mounts["cpuset"], dir); err != nil {
			return err
		}
	}
	// On a unified host every controller is passed down now, so that
	// stats and later updates find them. On a hybrid host the cgroup2
	// tree is shared with v1 runtimes that expect its root untouched
	// (crun refuses to run once a controller is enabled there): Set
	// enables what a resource needs (requireV2) and nothing more.
	if dir, ok := m.v2Dir(); ok && m.mode() == Unified {
		// Best effort: a parent that holds processes itself (common for
		// relative paths on v2) refuses controllers with EBUSY, yet the
		// container can still run there without limits. Set reports the
		// failure against the field that needed the controller.
		for _, c := range v2Managed() {
			_ = enableControllers(m.mounts[""], dir, c)
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll with the common case first: the parent exists
// and dir does not, so one mkdir(2) does it where MkdirAll stats both
// first. Anything else (dir exists, a parent is missing) goes to
// MkdirAll.
func mkdirAll(dir string) error {
	if err := os.Mkdir(dir, 0o755); err == nil {
		return nil
	}
	return os.MkdirAll(dir, 0o755)
}
