package initplan

import (
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/internal/handshake"
)

// ReadHost reads what Build needs to know from init's view of the host:
// its mountinfo when it sets up a root filesystem, its cgroups when a
// cgroup filesystem is bind-mounted. Nothing is read for exec.
func ReadHost(cfg *handshake.Config, pid int) (*Host, error) {
	h := &Host{}
	if cfg.Exec || cfg.Spec == nil {
		return h, nil
	}
	s := cfg.Spec
	if !hasAnyNamespace(s, specs.MountNamespace) {
		return h, nil
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		return nil, fmt.Errorf("read init's mountinfo: %w", err)
	}
	h.MountInfo = string(data)
	for _, m := range s.Mounts {
		if m.Type == "cgroup" || m.Type == "cgroup2" {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
			if err != nil {
				return nil, fmt.Errorf("read init's cgroups: %w", err)
			}
			h.Cgroup = string(data)
			break
		}
	}
	_, err = os.Stat("/proc/kcore")
	h.HasKcore = err == nil
	return h, nil
}
