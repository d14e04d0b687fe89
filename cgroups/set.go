package cgroups

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Set validates r, learns what the host offers, plans the writes and
// performs them. It is used both before the container starts and for live
// updates, so it only touches what r sets.
func (m *manager) Set(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	if err := Validate(r, m.mode()); err != nil {
		return err
	}
	f, err := m.features(r)
	if err != nil {
		return err
	}
	ws, err := plan(r, f)
	if err != nil {
		return err
	}
	if err := m.apply(ws); err != nil {
		return err
	}
	// Only where no v1 hierarchy has the devices controller: on hybrid
	// hosts v1Devices already wrote devices.allow and devices.deny.
	if dir, ok := m.v2Dir(); ok && len(r.Devices) > 0 && !f.v1.controllers["devices"] {
		if err := setV2Devices(dir, r.Devices); err != nil {
			return fmt.Errorf("%s: %w", fDevices, err)
		}
	}
	return nil
}

// features reads what plan needs to know. cgroup2 controllers r needs are
// enabled first, since their files only appear once enabled.
func (m *manager) features(r *specs.LinuxResources) (features, error) {
	f := features{
		v1: v1Features{controllers: map[string]bool{}, files: map[string]bool{}},
		v2: v2Features{controllers: map[string]bool{}, files: map[string]bool{}},
	}
	for k := range m.paths {
		if k != "" {
			f.v1.controllers[k] = true
		}
	}
	v2dir, hasV2 := m.v2Dir()
	if hasV2 {
		f.v2.mounted = true
		avail, err := readWords(filepath.Join(m.mounts[""], "cgroup.controllers"))
		if err != nil {
			return f, err
		}
		for _, c := range avail {
			f.v2.controllers[c] = true
		}
	}
	if err := unbound(requested(r), f); err != nil {
		return f, err
	}
	for _, n := range v2Enable(r, f) {
		if err := m.requireV2(n.v2); err != nil {
			return f, fmt.Errorf("%s: %w", n.field, err)
		}
	}

	// Only the translators of these parts of r look for optional files:
	// list just their directories. Listing a cgroupfs directory is a few
	// dozen syscalls and allocations, paid by create before init starts.
	consulted := filesConsulted(r)
	for _, k := range consulted {
		dir, ok := m.paths[k]
		if !ok {
			continue
		}
		names, err := listFiles(dir)
		if err != nil {
			return f, err
		}
		for n := range names {
			f.v1.files[n] = true
		}
	}
	if hasV2 && len(consulted) > 0 {
		names, err := listFiles(v2dir)
		if err != nil {
			return f, err
		}
		f.v2.files = names
	}

	mem := r.Memory
	if dir, ok := m.paths["memory"]; ok && mem != nil {
		if i64(mem.Limit) != 0 && i64(mem.Swap) != 0 {
			s, err := readString(filepath.Join(dir, "memory.limit_in_bytes"))
			if err != nil {
				return f, err
			}
			if f.v1.memLimit, err = strconv.ParseInt(s, 10, 64); err != nil {
				return f, fmt.Errorf("parse %s: %w", filepath.Join(dir, "memory.limit_in_bytes"), err)
			}
		}
		if mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
			var err error
			if f.v1.memUsage, err = readUint(filepath.Join(dir, "memory.usage_in_bytes")); err != nil {
				return f, err
			}
		}
	}
	if hasV2 && mem != nil && mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate && f.v2.files["memory.current"] {
		var err error
		if f.v2.memUsage, err = readUint(filepath.Join(v2dir, "memory.current")); err != nil {
			return f, err
		}
	}
	if hasV2 && r.CPU != nil && i64(r.CPU.Quota) == 0 && u64(r.CPU.Period) != 0 && f.v2.files["cpu.max"] {
		s, err := readString(filepath.Join(v2dir, "cpu.max"))
		if err != nil {
			return f, err
		}
		f.v2.cpuMaxQuota, _, _ = strings.Cut(s, " ")
	}
	return f, nil
}

// filesConsulted names the v1 controllers whose optional files (memsw,
// cfs_burst, bfq weights, hugetlb sizes...) the translators of r look
// for; the cgroup2 directory is consulted for the same parts.
func filesConsulted(r *specs.LinuxResources) []string {
	var ks []string
	if r.Memory != nil {
		ks = append(ks, "memory")
	}
	if r.CPU != nil {
		ks = append(ks, "cpu")
	}
	if r.BlockIO != nil {
		ks = append(ks, "blkio")
	}
	if len(r.HugepageLimits) > 0 {
		ks = append(ks, "hugetlb")
	}
	return ks
}

// requireV2 enables controller down to the container's cgroup2 dir and
// checks it arrived there.
func (m *manager) requireV2(controller string) error {
	dir, _ := m.v2Dir()
	if err := enableControllers(m.mounts[""], dir, controller); err != nil {
		return err
	}
	have, err := readWords(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return err
	}
	for _, c := range have {
		if c == controller {
			return nil
		}
	}
	return fmt.Errorf("%s controller not available in %s (a parent does not pass it down)", controller, dir)
}
