package container

import (
	"encoding/json"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/cgroups"
)

// Pause freezes every process of the container (runc's pause).
func (c *Container) Pause() error {
	switch status := c.Status(); status {
	case Running, Created:
	default:
		return wrongStatus("pause", c.ID(), status)
	}
	cg, err := c.cgroup()
	if err != nil {
		return fmt.Errorf("pause %q: %w", c.ID(), err)
	}
	if err := cg.Freeze(); err != nil {
		return fmt.Errorf("pause %q: %w", c.ID(), err)
	}
	return nil
}

// Resume thaws a paused container.
func (c *Container) Resume() error {
	if status := c.Status(); status != Paused {
		return wrongStatus("resume", c.ID(), status)
	}
	cg, err := c.cgroup()
	if err != nil {
		return fmt.Errorf("resume %q: %w", c.ID(), err)
	}
	if err := cg.Thaw(); err != nil {
		return fmt.Errorf("resume %q: %w", c.ID(), err)
	}
	return nil
}

// Pids lists the host pids of every process in the container's cgroup.
func (c *Container) Pids() ([]int, error) {
	cg, err := c.cgroup()
	if err != nil {
		return nil, fmt.Errorf("ps %q: %w", c.ID(), err)
	}
	return cg.Pids()
}

// Stats reads the container's cgroup statistics.
func (c *Container) Stats() (*cgroups.Stats, error) {
	cg, err := c.cgroup()
	if err != nil {
		return nil, fmt.Errorf("stats %q: %w", c.ID(), err)
	}
	return cg.Stats()
}

// OOMKills is how many processes of the container the OOM killer took.
func (c *Container) OOMKills() (uint64, error) {
	cg, err := c.cgroup()
	if err != nil {
		return 0, err
	}
	return cg.OOMKillCount()
}

// Update applies r to the running container's cgroup and keeps it in the
// stored spec, so the next update starts from what is in force. The
// fields r sets replace the stored ones; the others stay.
func (c *Container) Update(r *specs.LinuxResources) error {
	if status := c.Status(); status == Stopped {
		return wrongStatus("update", c.ID(), status)
	}
	cg, err := c.cgroup()
	if err != nil {
		return fmt.Errorf("update %q: %w", c.ID(), err)
	}
	if err := c.decodeSpec(); err != nil {
		return fmt.Errorf("update %q: %w", c.ID(), err)
	}
	if err := cg.Set(r); err != nil {
		return fmt.Errorf("update %q: %w", c.ID(), err)
	}
	s := c.state.Spec
	if s.Linux == nil {
		s.Linux = &specs.Linux{}
	}
	merged, err := mergeResources(s.Linux.Resources, r)
	if err != nil {
		return fmt.Errorf("update %q: record the new limits: %w", c.ID(), err)
	}
	s.Linux.Resources = merged
	return saveState(c.dir, c.state)
}

// mergeResources overlays update on a copy of base: every field update
// sets replaces base's, every field it leaves out (nil, empty) is kept.
// That is what decoding update's JSON onto base's does, with the same
// omitempty rules the spec types already carry, for every group and
// field, new ones included.
func mergeResources(base, update *specs.LinuxResources) (*specs.LinuxResources, error) {
	var out specs.LinuxResources
	for _, r := range []*specs.LinuxResources{base, update} {
		if r == nil {
			continue
		}
		data, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, err
		}
	}
	return &out, nil
}
