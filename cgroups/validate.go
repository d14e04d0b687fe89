package cgroups

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Validate catches configuration errors before anything is created, with
// the field named in the message. mode rules out what the host's cgroup
// version cannot do at all; whether a controller is actually mounted is
// only known to Set.
func Validate(r *specs.LinuxResources, mode Mode) error {
	if r == nil {
		return nil
	}
	checks := []func(*specs.LinuxResources, Mode) error{
		validateMemory, validateCPU, validateBlockIO, validateHugepages,
		validateNetwork, validateRdma, validateUnified, validateDevices,
	}
	for _, check := range checks {
		if err := check(r, mode); err != nil {
			return err
		}
	}
	if f, ok := assumedFeatures(mode); ok {
		return unbound(requested(r), f)
	}
	return nil
}

// assumedFeatures stands for a host of the given pure mode with every
// controller, so unbound can reject what that cgroup version lacks
// altogether. Hybrid hosts can offer anything, so they are not judged.
func assumedFeatures(mode Mode) (features, bool) {
	set := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	switch mode {
	case Legacy:
		return features{v1: v1Features{controllers: set("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "net_cls", "net_prio", "rdma", "perf_event", "misc")}}, true
	case Unified:
		return features{v2: v2Features{mounted: true, controllers: set(v2Managed()...)}}, true
	}
	return features{}, false
}

func validateMemory(r *specs.LinuxResources, mode Mode) error {
	m := r.Memory
	if m == nil {
		return nil
	}
	for _, x := range []struct {
		field string
		v     *int64
	}{{fMemLimit, m.Limit}, {fMemReservation, m.Reservation}, {fMemSwap, m.Swap}, {fMemKernel, m.Kernel}, {fMemKernelTCP, m.KernelTCP}} {
		if x.v != nil && *x.v < -1 {
			return fmt.Errorf("%s: invalid value %d (want -1 for unlimited, or bytes)", x.field, *x.v)
		}
	}
	limit, swap := i64(m.Limit), i64(m.Swap)
	if limit > 0 && swap > 0 && swap < limit {
		return fmt.Errorf("%s: %d is below memory.limit %d (swap counts memory+swap)", fMemSwap, swap, limit)
	}
	if limit == -1 && swap > 0 {
		return fmt.Errorf("%s: cannot be limited while memory.limit is -1 (unlimited)", fMemSwap)
	}
	if mode == Unified {
		if _, err := v2SwapValue(swap, limit); err != nil {
			return fmt.Errorf("%s: %w", fMemSwap, err)
		}
	}
	if m.Swappiness != nil && *m.Swappiness > 100 {
		return fmt.Errorf("%s: invalid value %d (want 0-100)", fMemSwappiness, *m.Swappiness)
	}
	return nil
}

func validateCPU(r *specs.LinuxResources, _ Mode) error {
	c := r.CPU
	if c == nil {
		return nil
	}
	if err := validList(fCPUCpus, c.Cpus); err != nil {
		return err
	}
	if err := validList(fCPUMems, c.Mems); err != nil {
		return err
	}
	// The kernel's CFS bandwidth bounds: quota and period of at least 1ms,
	// period at most 1s.
	if q := i64(c.Quota); q < -1 || (q > 0 && q < 1000) {
		return fmt.Errorf("%s: invalid value %d (want -1 for unlimited, or at least 1000us)", fCPUQuota, q)
	}
	if p := u64(c.Period); p != 0 && (p < 1000 || p > 1000000) {
		return fmt.Errorf("%s: invalid value %d (want 1000-1000000us)", fCPUPeriod, p)
	}
	if rt := i64(c.RealtimeRuntime); rt < -1 {
		return fmt.Errorf("%s: invalid value %d", fCPURtRuntime, rt)
	}
	if c.Idle != nil && *c.Idle != 0 && *c.Idle != 1 {
		return fmt.Errorf("%s: invalid value %d (want 0 or 1)", fCPUIdle, *c.Idle)
	}
	return nil
}

// validList checks the kernel's list syntax: "0-3,5,8-15:2/4".
func validList(field, s string) error {
	if s == "" {
		return nil
	}
	bad := fmt.Errorf("%s: invalid list %q", field, s)
	for _, part := range strings.Split(s, ",") {
		rng, stride, hasStride := strings.Cut(part, ":")
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err1 := strconv.ParseUint(lo, 10, 32)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 32)
		}
		if err1 != nil || err2 != nil || b < a {
			return bad
		}
		if hasStride {
			used, group, ok := strings.Cut(stride, "/")
			u, err1 := strconv.ParseUint(used, 10, 32)
			g, err2 := strconv.ParseUint(group, 10, 32)
			if !isRange || !ok || err1 != nil || err2 != nil || u == 0 || g == 0 || u > g {
				return bad
			}
		}
	}
	return nil
}

func validateBlockIO(r *specs.LinuxResources, _ Mode) error {
	b := r.BlockIO
	if b == nil {
		return nil
	}
	weight := func(field string, w *uint16) error {
		if v := u16(w); v != 0 && (v < 10 || v > 1000) {
			return fmt.Errorf("%s: invalid weight %d (want 10-1000)", field, v)
		}
		return nil
	}
	dev := func(field string, d specs.LinuxBlockIODevice) error {
		if d.Major < 0 || d.Minor < 0 {
			return fmt.Errorf("%s: invalid device %d:%d", field, d.Major, d.Minor)
		}
		return nil
	}
	if err := weight(fBlkWeight, b.Weight); err != nil {
		return err
	}
	if err := weight(fBlkLeafWeight, b.LeafWeight); err != nil {
		return err
	}
	for i, d := range b.WeightDevice {
		field := indexed(fBlkWeightDevice, i)
		if err := dev(field, d.LinuxBlockIODevice); err != nil {
			return err
		}
		if err := weight(field+".weight", d.Weight); err != nil {
			return err
		}
		if err := weight(field+".leafWeight", d.LeafWeight); err != nil {
			return err
		}
	}
	for _, t := range throttles(b) {
		for i, d := range t.devs {
			if err := dev(indexed(t.field, i), d.LinuxBlockIODevice); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageSizeRE matches the kernel's hugetlb size names: 64KB, 2MB, 1GB.
func pageSizeRE() *regexp.Regexp { return regexp.MustCompile(`^[1-9][0-9]*[KMGTP]?B$`) }

func validateHugepages(r *specs.LinuxResources, _ Mode) error {
	re := pageSizeRE()
	for i, l := range r.HugepageLimits {
		if !re.MatchString(l.Pagesize) {
			return fmt.Errorf("%s: invalid pageSize %q (want e.g. 2MB or 1GB)", indexed(fHugepages, i), l.Pagesize)
		}
	}
	return nil
}

func validateNetwork(r *specs.LinuxResources, _ Mode) error {
	if r.Network == nil {
		return nil
	}
	for i, p := range r.Network.Priorities {
		if p.Name == "" || strings.ContainsAny(p.Name, " \t\n/") {
			return fmt.Errorf("%s: invalid interface name %q", indexed(fNetPriorities, i), p.Name)
		}
	}
	return nil
}

func validateRdma(r *specs.LinuxResources, _ Mode) error {
	for dev := range r.Rdma {
		if dev == "" || strings.ContainsAny(dev, " \t\n") {
			return fmt.Errorf("%s: invalid device name %q", fRdma, dev)
		}
	}
	return nil
}

// validateUnified keeps keys to plain "controller.knob" file names so a key
// can never write outside the container's cgroup.
func validateUnified(r *specs.LinuxResources, _ Mode) error {
	for k := range r.Unified {
		ctrl, knob, ok := strings.Cut(k, ".")
		if !ok || ctrl == "" || knob == "" || strings.ContainsAny(k, "/\x00") || k == ".." {
			return fmt.Errorf("%s: not a cgroup file name", unifiedField(k))
		}
	}
	return nil
}

func validateDevices(r *specs.LinuxResources, _ Mode) error {
	for i, d := range r.Devices {
		field := indexed(fDevices, i)
		switch d.Type {
		case "", "a", "b", "c":
		default:
			return fmt.Errorf("%s: invalid type %q (want a, b or c)", field, d.Type)
		}
		if strings.Trim(d.Access, "rwm") != "" {
			return fmt.Errorf("%s: invalid access %q (want letters of rwm)", field, d.Access)
		}
		// Linux device numbers have 12+20 bits; the cgroup2 device
		// program compares against 32-bit signed immediates.
		bad := func(p *int64) bool { return p != nil && (*p < -1 || *p > math.MaxInt32) }
		if bad(d.Major) || bad(d.Minor) {
			return fmt.Errorf("%s: invalid device number", field)
		}
	}
	return nil
}
