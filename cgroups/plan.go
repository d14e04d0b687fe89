package cgroups

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v1Features is what Set learned about the container's v1 cgroups.
type v1Features struct {
	controllers map[string]bool // controllers bound to a mounted v1 hierarchy
	files       map[string]bool // file names present in the container's v1 dirs
	memLimit    int64           // current memory.limit_in_bytes, to order swap writes
	memUsage    uint64          // current usage, for memory.checkBeforeUpdate
}

// v2Features is what Set learned about the container's cgroup2 directory.
type v2Features struct {
	mounted     bool
	controllers map[string]bool // controllers the cgroup2 root offers
	files       map[string]bool // file names present in the container's dir
	cpuMaxQuota string          // current quota half of cpu.max, kept when only the period changes
	memUsage    uint64
}

type features struct {
	v1 v1Features
	v2 v2Features
}

// translator turns one part of linux.resources into writes.
type (
	v1Translator func(*specs.LinuxResources, v1Features) ([]write, error)
	v2Translator func(*specs.LinuxResources, v2Features) ([]write, error)
)

// plan decides every write for r. Each resource goes to the hierarchy its
// controller is bound to; a resource whose controller is bound nowhere is
// an error naming the field.
func plan(r *specs.LinuxResources, f features) ([]write, error) {
	if r == nil {
		return nil, nil
	}
	if err := unbound(requested(r), f); err != nil {
		return nil, err
	}
	w1, err := v1Files(r, f.v1)
	if err != nil {
		return nil, err
	}
	w2, err := v2Files(r, f.v2)
	if err != nil {
		return nil, err
	}
	return append(w1, w2...), nil
}

// v1Files translates the parts of r whose controllers are v1-mounted;
// everything else is left to v2Files.
func v1Files(r *specs.LinuxResources, f v1Features) ([]write, error) {
	return collect(r, f, []v1Translator{v1Memory, v1CPU, v1Cpuset, v1Pids, v1BlockIO, v1Hugetlb, v1Network, v1Rdma, v1Devices})
}

// v2Files translates the parts of r whose controllers the cgroup2
// hierarchy offers, plus the unified map.
func v2Files(r *specs.LinuxResources, f v2Features) ([]write, error) {
	if !f.mounted {
		return nil, nil
	}
	return collect(r, f, []v2Translator{v2Memory, v2CPU, v2Cpuset, v2Pids, v2IO, v2Hugetlb, v2Rdma, v2Unified})
}

func collect[F any, T ~func(*specs.LinuxResources, F) ([]write, error)](r *specs.LinuxResources, f F, ts []T) ([]write, error) {
	var out []write
	for _, t := range ts {
		ws, err := t(r, f)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// Small helpers: unset pointers read as zero, which the OCI producers
// (Docker, containerd) also use for "leave unset".
func i64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func u64(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func u16(p *uint16) uint16 {
	if p == nil {
		return 0
	}
	return *p
}
