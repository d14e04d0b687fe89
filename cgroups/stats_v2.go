package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// v2CPUUsage: cpu.stat is core on cgroup2, usage is there even without the
// cpu controller. Values are microseconds.
func v2CPUUsage(dir string, s *Stats) error {
	st, err := readKeyed(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return err
	}
	s.CPU.Usage.Total = st["usage_usec"] * 1000
	s.CPU.Usage.User = st["user_usec"] * 1000
	s.CPU.Usage.Kernel = st["system_usec"] * 1000
	return nil
}

func v2Throttling(dir string, s *Stats) error {
	st, err := readKeyed(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return err
	}
	s.CPU.Throttling = Throttling{Periods: st["nr_periods"], ThrottledPeriods: st["nr_throttled"], ThrottledTime: st["throttled_usec"] * 1000}
	return nil
}

// v2MemoryStats: swap is reported as memory+swap, like v1's memsw, so
// consumers see the same meaning on both versions (runc does the same).
func v2MemoryStats(dir string, s *Stats) error {
	mem := &s.Memory
	var err error
	read := func(file string, dst *uint64) {
		if err == nil {
			*dst, err = readUint(filepath.Join(dir, file))
		}
	}
	var swapCur, swapMax uint64
	read("memory.current", &mem.Usage.Usage)
	read("memory.peak", &mem.Usage.Max)
	read("memory.max", &mem.Usage.Limit)
	read("memory.swap.current", &swapCur)
	read("memory.swap.max", &swapMax)
	if err != nil {
		return err
	}
	if !exists(filepath.Join(dir, "memory.max")) {
		return nil // memory controller not enabled here
	}
	ev, err := readKeyed(filepath.Join(dir, "memory.events"))
	if err != nil {
		return err
	}
	mem.Usage.Failcnt = ev["max"]
	mem.Swap.Usage = mem.Usage.Usage + swapCur
	mem.Swap.Limit = math.MaxUint64
	if mem.Usage.Limit != math.MaxUint64 && swapMax != math.MaxUint64 {
		mem.Swap.Limit = mem.Usage.Limit + swapMax
	}
	if mem.Raw, err = readKeyed(filepath.Join(dir, "memory.stat")); err != nil {
		return err
	}
	mem.Cache = mem.Raw["file"]
	return nil
}

// v2IOStats reads io.stat lines: "8:0 rbytes=N wbytes=N rios=N ...".
func v2IOStats(dir string, s *Stats) error {
	b, err := readKernelFile(filepath.Join(dir, "io.stat"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // io controller not enabled: no data
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(dir, "io.stat"), err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		maj, min, ok := parseDev(f[0])
		if !ok {
			continue
		}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			var op string
			switch k {
			case "rbytes":
				op = "Read"
			case "wbytes":
				op = "Write"
			default:
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			s.Blkio.IoServiceBytesRecursive = append(s.Blkio.IoServiceBytesRecursive, BlkioEntry{Major: maj, Minor: min, Op: op, Value: n})
		}
	}
	return nil
}

func v2HugetlbStats(dir string, s *Stats) error {
	for _, size := range hugeSizes(dir, ".current") {
		var h HugetlbStats
		var err error
		p := filepath.Join(dir, "hugetlb."+size)
		if h.Usage, err = readUint(p + ".current"); err != nil {
			return err
		}
		ev, err := readKeyed(p + ".events")
		if err != nil {
			return err
		}
		h.Failcnt = ev["max"]
		s.Hugetlb[size] = h
	}
	return nil
}
