package cgroups

import (
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v1CPU: cpu.shares, CFS bandwidth (quota, period, burst), realtime
// bandwidth and cpu.idle.
func v1CPU(r *specs.LinuxResources, f v1Features) ([]write, error) {
	c := r.CPU
	if c == nil || !f.controllers["cpu"] {
		return nil, nil
	}
	w := func(file, value, field string) write {
		return write{key: "cpu", file: file, value: value, field: field}
	}
	var ws []write
	if s := u64(c.Shares); s != 0 {
		ws = append(ws, w("cpu.shares", strconv.FormatUint(s, 10), fCPUShares))
	}
	var quota, period, burst []write
	if q := i64(c.Quota); q != 0 {
		quota = []write{w("cpu.cfs_quota_us", itoa(q), fCPUQuota)}
	}
	if p := u64(c.Period); p != 0 {
		period = []write{w("cpu.cfs_period_us", strconv.FormatUint(p, 10), fCPUPeriod)}
	}
	if c.Burst != nil {
		if !f.files["cpu.cfs_burst_us"] {
			return nil, fmt.Errorf("%s: not supported by this kernel (no cpu.cfs_burst_us)", fCPUBurst)
		}
		burst = []write{w("cpu.cfs_burst_us", strconv.FormatUint(*c.Burst, 10), fCPUBurst)}
	}
	ws = append(ws, around(burst, around(period, quota))...)

	var rtRuntime, rtPeriod []write
	if p := u64(c.RealtimePeriod); p != 0 {
		if !f.files["cpu.rt_period_us"] {
			return nil, fmt.Errorf("%s: not supported by this kernel (no cpu.rt_period_us)", fCPURtPeriod)
		}
		rtPeriod = []write{w("cpu.rt_period_us", strconv.FormatUint(p, 10), fCPURtPeriod)}
	}
	if rt := i64(c.RealtimeRuntime); rt != 0 {
		if !f.files["cpu.rt_runtime_us"] {
			return nil, fmt.Errorf("%s: not supported by this kernel (no cpu.rt_runtime_us)", fCPURtRuntime)
		}
		rtRuntime = []write{w("cpu.rt_runtime_us", itoa(rt), fCPURtRuntime)}
	}
	ws = append(ws, around(rtRuntime, rtPeriod)...)

	if c.Idle != nil {
		switch {
		case f.files["cpu.idle"]:
			ws = append(ws, w("cpu.idle", itoa(*c.Idle), fCPUIdle))
		case *c.Idle != 0:
			return nil, fmt.Errorf("%s: not supported by this kernel (no cpu.idle)", fCPUIdle)
		}
	}
	return ws, nil
}

// v2CPU: cpu.weight (from shares), cpu.max, cpu.max.burst and cpu.idle.
// Realtime bandwidth does not exist on v2 (unbound rejects it).
func v2CPU(r *specs.LinuxResources, f v2Features) ([]write, error) {
	c := r.CPU
	if c == nil || !f.controllers["cpu"] {
		return nil, nil
	}
	w := func(file, value, field string) write {
		return write{key: "", file: file, value: value, field: field}
	}
	var ws []write
	if s := u64(c.Shares); s != 0 {
		ws = append(ws, w("cpu.weight", strconv.FormatUint(sharesToWeight(s), 10), fCPUShares))
	}
	var cpuMax, burst []write
	quota, period := i64(c.Quota), u64(c.Period)
	if quota != 0 || period != 0 {
		field := fCPUQuota
		// cpu.max holds both numbers; keep the current quota when only the
		// period changes, as a v1 cfs_period_us write would.
		q := f.cpuMaxQuota
		if q == "" {
			q = "max"
		}
		if quota != 0 {
			q = maxOr(quota)
		} else {
			field = fCPUPeriod
		}
		if period != 0 {
			q += " " + strconv.FormatUint(period, 10)
		}
		cpuMax = []write{w("cpu.max", q, field)}
	}
	if c.Burst != nil {
		if !f.files["cpu.max.burst"] {
			return nil, fmt.Errorf("%s: not supported by this kernel (no cpu.max.burst)", fCPUBurst)
		}
		burst = []write{w("cpu.max.burst", strconv.FormatUint(*c.Burst, 10), fCPUBurst)}
	}
	ws = append(ws, around(burst, cpuMax)...)
	if c.Idle != nil {
		switch {
		case f.files["cpu.idle"]:
			ws = append(ws, w("cpu.idle", itoa(*c.Idle), fCPUIdle))
		case *c.Idle != 0:
			return nil, fmt.Errorf("%s: not supported by this kernel (no cpu.idle)", fCPUIdle)
		}
	}
	return ws, nil
}

// around orders two settings the kernel checks against each other (burst
// <= quota, rt runtime <= rt period, quota/period against the parent):
// with both present it writes outer, inner, outer, the first outer allowed
// to fail. Whichever order the kernel needs, one of the tries fits, and the
// final values are the requested ones.
func around(outer, inner []write) []write {
	if len(outer) == 0 || len(inner) == 0 {
		return append(outer, inner...)
	}
	first := make([]write, len(outer))
	copy(first, outer)
	for i := range first {
		first[i].mayFail = true
	}
	out := append(first, inner...)
	return append(out, outer...)
}

// sharesToWeight maps cpu.shares [2, 262144] onto cpu.weight [1, 10000]
// with the formula runc and crun use, so both runtimes agree.
func sharesToWeight(shares uint64) uint64 {
	shares = min(max(shares, 2), 262144)
	return 1 + ((shares-2)*9999)/262142
}

// v1Cpuset and v2Cpuset: the same file names on both versions.
func v1Cpuset(r *specs.LinuxResources, f v1Features) ([]write, error) {
	if r.CPU == nil || !f.controllers["cpuset"] {
		return nil, nil
	}
	return cpusetFiles("cpuset", r.CPU), nil
}

func v2Cpuset(r *specs.LinuxResources, f v2Features) ([]write, error) {
	if r.CPU == nil || !f.controllers["cpuset"] {
		return nil, nil
	}
	return cpusetFiles("", r.CPU), nil
}

func cpusetFiles(key string, c *specs.LinuxCPU) []write {
	var ws []write
	if c.Cpus != "" {
		ws = append(ws, write{key: key, file: "cpuset.cpus", value: c.Cpus, field: fCPUCpus})
	}
	if c.Mems != "" {
		ws = append(ws, write{key: key, file: "cpuset.mems", value: c.Mems, field: fCPUMems})
	}
	return ws
}
