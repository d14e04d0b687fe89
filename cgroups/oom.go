package cgroups

import (
	"path/filepath"
)

// OOMKillCount reads the kernel's oom_kill counter where the memory
// controller is bound: v1 memory.oom_control or v2 memory.events (which
// includes descendants). Without a memory controller it is 0.
func (m *manager) OOMKillCount() (uint64, error) {
	if dir, ok := m.paths["memory"]; ok {
		st, err := readKeyed(filepath.Join(dir, "memory.oom_control"))
		return st["oom_kill"], err
	}
	if dir, ok := m.v2Dir(); ok {
		ev, err := readKeyed(filepath.Join(dir, "memory.events"))
		return ev["oom_kill"], err
	}
	return 0, nil
}
