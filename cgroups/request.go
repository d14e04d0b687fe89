package cgroups

import (
	"fmt"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v2Core stands for cgroup2 features every cgroup has without a
// controller (cgroup.* files, device filtering by BPF).
const v2Core = "cgroup"

// need says that a config field asks for something and which controller
// provides it in each cgroup version.
type need struct {
	field string
	v1    string // v1 controller, "" if v1 has no such thing
	v2    string // v2 controller, "" if v2 has no such thing, v2Core if built in
}

// requested lists the fields of r that would cause a write, with their
// controllers. Values that mean "unset" are not requests.
func requested(r *specs.LinuxResources) []need {
	var ns []need
	add := func(set bool, field, v1, v2 string) {
		if set {
			ns = append(ns, need{field: field, v1: v1, v2: v2})
		}
	}
	if m := r.Memory; m != nil {
		add(i64(m.Limit) != 0, fMemLimit, "memory", "memory")
		add(i64(m.Reservation) != 0, fMemReservation, "memory", "memory")
		add(i64(m.Swap) != 0, fMemSwap, "memory", "memory")
		add(m.KernelTCP != nil, fMemKernelTCP, "memory", "memory")
		add(m.Swappiness != nil, fMemSwappiness, "memory", "memory")
		add(m.DisableOOMKiller != nil && *m.DisableOOMKiller, fMemDisableOOM, "memory", "memory")
		add(m.UseHierarchy != nil, fMemUseHierarchy, "memory", "memory")
	}
	if c := r.CPU; c != nil {
		add(u64(c.Shares) != 0, fCPUShares, "cpu", "cpu")
		add(i64(c.Quota) != 0, fCPUQuota, "cpu", "cpu")
		add(u64(c.Period) != 0, fCPUPeriod, "cpu", "cpu")
		add(c.Burst != nil, fCPUBurst, "cpu", "cpu")
		add(c.Idle != nil, fCPUIdle, "cpu", "cpu")
		add(i64(c.RealtimeRuntime) != 0, fCPURtRuntime, "cpu", "")
		add(u64(c.RealtimePeriod) != 0, fCPURtPeriod, "cpu", "")
		add(c.Cpus != "", fCPUCpus, "cpuset", "cpuset")
		add(c.Mems != "", fCPUMems, "cpuset", "cpuset")
	}
	if p := r.Pids; p != nil {
		add(p.Limit != nil, fPidsLimit, "pids", "pids")
	}
	if b := r.BlockIO; b != nil {
		add(u16(b.Weight) != 0, fBlkWeight, "blkio", "io")
		add(len(b.WeightDevice) > 0, fBlkWeightDevice, "blkio", "io")
		for _, t := range throttles(b) {
			add(len(t.devs) > 0, t.field, "blkio", "io")
		}
	}
	add(len(r.HugepageLimits) > 0, fHugepages, "hugetlb", "hugetlb")
	if n := r.Network; n != nil {
		add(n.ClassID != nil, fNetClassID, "net_cls", "")
		add(len(n.Priorities) > 0, fNetPriorities, "net_prio", "")
	}
	add(len(r.Rdma) > 0, fRdma, "rdma", "rdma")
	add(len(r.Devices) > 0, fDevices, "devices", v2Core)
	add(len(r.Unified) > 0, fUnified, "", v2Core)
	return ns
}

// unbound fails on the first request no mounted hierarchy can serve.
func unbound(ns []need, f features) error {
	for _, n := range ns {
		if n.v1 != "" && f.v1.controllers[n.v1] {
			continue
		}
		if f.v2.mounted && (n.v2 == v2Core || (n.v2 != "" && f.v2.controllers[n.v2])) {
			continue
		}
		return fmt.Errorf("%s: %s", n.field, missing(n, f))
	}
	return nil
}

func missing(n need, f features) string {
	switch {
	case n.v1 == "":
		return "requires cgroup v2"
	case n.v2 == "" && f.v2.mounted && f.v2.controllers[n.v1]:
		return "not supported on cgroup v2"
	case len(f.v1.controllers) == 0 && f.v2.mounted && n.v2 != "":
		return n.v2 + " controller not available"
	}
	return n.v1 + " controller not mounted"
}

// v2Enable lists the cgroup2 controllers r needs in the container's dir,
// each with the first field needing it (for the error if enabling fails).
func v2Enable(r *specs.LinuxResources, f features) []need {
	if !f.v2.mounted {
		return nil
	}
	var out []need
	seen := map[string]bool{}
	add := func(n need) {
		if n.v2 == "" || n.v2 == v2Core || seen[n.v2] || !f.v2.controllers[n.v2] {
			return
		}
		if n.v1 != "" && f.v1.controllers[n.v1] {
			return
		}
		seen[n.v2] = true
		out = append(out, n)
	}
	for _, n := range requested(r) {
		add(n)
	}
	keys := make([]string, 0, len(r.Unified))
	for k := range r.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ctrl, _, _ := strings.Cut(k, ".")
		add(need{field: unifiedField(k), v2: ctrl})
	}
	return out
}
