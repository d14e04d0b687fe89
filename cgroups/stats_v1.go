package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// userHZ converts cpuacct.stat ticks; USER_HZ is 100 on every Linux ABI.
const userHZ = 100

func v1CPUUsage(dir string, s *Stats) error {
	var err error
	u := &s.CPU.Usage
	if u.Total, err = readUint(filepath.Join(dir, "cpuacct.usage")); err != nil {
		return err
	}
	if pc, err := readString(filepath.Join(dir, "cpuacct.usage_percpu")); err == nil {
		for _, f := range strings.Fields(pc) {
			v, _ := strconv.ParseUint(f, 10, 64)
			u.Percpu = append(u.Percpu, v)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if exists(filepath.Join(dir, "cpuacct.usage_user")) {
		if u.User, err = readUint(filepath.Join(dir, "cpuacct.usage_user")); err != nil {
			return err
		}
		u.Kernel, err = readUint(filepath.Join(dir, "cpuacct.usage_sys"))
		return err
	}
	st, err := readKeyed(filepath.Join(dir, "cpuacct.stat"))
	if err != nil {
		return err
	}
	u.User = st["user"] * (1e9 / userHZ)
	u.Kernel = st["system"] * (1e9 / userHZ)
	return nil
}

func v1Throttling(dir string, s *Stats) error {
	st, err := readKeyed(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return err
	}
	s.CPU.Throttling = Throttling{Periods: st["nr_periods"], ThrottledPeriods: st["nr_throttled"], ThrottledTime: st["throttled_time"]}
	return nil
}

func v1MemoryStats(dir string, s *Stats) error {
	entry := func(prefix string) (MemoryEntry, error) {
		var e MemoryEntry
		var err error
		for _, x := range []struct {
			file string
			dst  *uint64
		}{{"usage_in_bytes", &e.Usage}, {"max_usage_in_bytes", &e.Max}, {"limit_in_bytes", &e.Limit}, {"failcnt", &e.Failcnt}} {
			if *x.dst, err = readUint(filepath.Join(dir, prefix+x.file)); err != nil {
				return e, err
			}
		}
		return e, nil
	}
	var err error
	if s.Memory.Usage, err = entry("memory."); err != nil {
		return err
	}
	if s.Memory.Swap, err = entry("memory.memsw."); err != nil {
		return err
	}
	if s.Memory.Raw, err = readKeyed(filepath.Join(dir, "memory.stat")); err != nil {
		return err
	}
	s.Memory.Cache = s.Memory.Raw["total_cache"]
	if s.Memory.Cache == 0 {
		s.Memory.Cache = s.Memory.Raw["cache"]
	}
	return nil
}

func pidsStats(dir string, s *Stats) error {
	var err error
	if s.Pids.Current, err = readUint(filepath.Join(dir, "pids.current")); err != nil {
		return err
	}
	lim, err := readUint(filepath.Join(dir, "pids.max"))
	if lim != ^uint64(0) {
		s.Pids.Limit = lim
	}
	return err
}

// v1BlkioStats takes the first service-bytes file with data: CFQ's, then
// BFQ's, then the throttle layer's, which sees all I/O but only where it
// passes the throttle.
func v1BlkioStats(dir string, s *Stats) error {
	for _, f := range []string{"blkio.io_service_bytes_recursive", "blkio.bfq.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive"} {
		b, err := readKernelFile(filepath.Join(dir, f))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("read %s: %w", filepath.Join(dir, f), err)
		}
		if es := parseBlkio(string(b)); len(es) > 0 {
			s.Blkio.IoServiceBytesRecursive = es
			return nil
		}
	}
	return nil
}

// parseBlkio reads "8:0 Read 4096" lines, skipping the "Total N" line.
func parseBlkio(text string) []BlkioEntry {
	var es []BlkioEntry
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		maj, min, ok := parseDev(f[0])
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			continue
		}
		es = append(es, BlkioEntry{Major: maj, Minor: min, Op: f[1], Value: v})
	}
	return es
}

func parseDev(s string) (uint64, uint64, bool) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, false
	}
	maj, err1 := strconv.ParseUint(a, 10, 64)
	min, err2 := strconv.ParseUint(b, 10, 64)
	return maj, min, err1 == nil && err2 == nil
}

func v1HugetlbStats(dir string, s *Stats) error {
	for _, size := range hugeSizes(dir, ".usage_in_bytes") {
		var h HugetlbStats
		var err error
		p := filepath.Join(dir, "hugetlb."+size)
		if h.Usage, err = readUint(p + ".usage_in_bytes"); err != nil {
			return err
		}
		if h.Max, err = readUint(p + ".max_usage_in_bytes"); err != nil {
			return err
		}
		if h.Failcnt, err = readUint(p + ".failcnt"); err != nil {
			return err
		}
		s.Hugetlb[size] = h
	}
	return nil
}

// hugeSizes finds page sizes from "hugetlb.<size><suffix>" file names,
// leaving out the rsvd variants.
func hugeSizes(dir, suffix string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "hugetlb.") || !strings.HasSuffix(n, suffix) {
			continue
		}
		size := strings.TrimSuffix(strings.TrimPrefix(n, "hugetlb."), suffix)
		if size != "" && !strings.Contains(size, ".") {
			out = append(out, size)
		}
	}
	return out
}
