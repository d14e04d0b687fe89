package container

import (
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
	if err := cg.Set(r); err != nil {
		return fmt.Errorf("update %q: %w", c.ID(), err)
	}
	s := c.state.Spec
	if s.Linux == nil {
		s.Linux = &specs.Linux{}
	}
	s.Linux.Resources = mergeResources(s.Linux.Resources, r)
	return saveState(c.dir, c.state)
}

// mergeResources overlays the groups of update on base.
func mergeResources(base, update *specs.LinuxResources) *specs.LinuxResources {
	if base == nil {
		cp := *update
		return &cp
	}
	out := *base
	if m := update.Memory; m != nil {
		if out.Memory == nil {
			out.Memory = &specs.LinuxMemory{}
		}
		mm := *out.Memory
		if m.Limit != nil {
			mm.Limit = m.Limit
		}
		if m.Reservation != nil {
			mm.Reservation = m.Reservation
		}
		if m.Swap != nil {
			mm.Swap = m.Swap
		}
		out.Memory = &mm
	}
	if cp := update.CPU; cp != nil {
		if out.CPU == nil {
			out.CPU = &specs.LinuxCPU{}
		}
		cc := *out.CPU
		if cp.Shares != nil {
			cc.Shares = cp.Shares
		}
		if cp.Quota != nil {
			cc.Quota = cp.Quota
		}
		if cp.Period != nil {
			cc.Period = cp.Period
		}
		if cp.RealtimeRuntime != nil {
			cc.RealtimeRuntime = cp.RealtimeRuntime
		}
		if cp.RealtimePeriod != nil {
			cc.RealtimePeriod = cp.RealtimePeriod
		}
		if cp.Cpus != "" {
			cc.Cpus = cp.Cpus
		}
		if cp.Mems != "" {
			cc.Mems = cp.Mems
		}
		out.CPU = &cc
	}
	if update.Pids != nil {
		out.Pids = update.Pids
	}
	if update.BlockIO != nil {
		out.BlockIO = update.BlockIO
	}
	if update.Unified != nil {
		out.Unified = update.Unified
	}
	if update.HugepageLimits != nil {
		out.HugepageLimits = update.HugepageLimits
	}
	return &out
}
