package cgroups

// Stats is a snapshot of the container's usage, shaped like the "data"
// object of runc's `events --stats`. Counters the host lacks stay zero.
type Stats struct {
	CPU     CPUStats                `json:"cpu"`
	Memory  MemoryStats             `json:"memory"`
	Pids    PidsStats               `json:"pids"`
	Blkio   BlkioStats              `json:"blkio"`
	Hugetlb map[string]HugetlbStats `json:"hugetlb,omitempty"`
}

// CPUStats times are in nanoseconds.
type CPUStats struct {
	Usage      CPUUsage   `json:"usage"`
	Throttling Throttling `json:"throttling"`
}

type CPUUsage struct {
	Total  uint64   `json:"total,omitempty"`
	Percpu []uint64 `json:"percpu,omitempty"`
	Kernel uint64   `json:"kernel"`
	User   uint64   `json:"user"`
}

type Throttling struct {
	Periods          uint64 `json:"periods,omitempty"`
	ThrottledPeriods uint64 `json:"throttledPeriods,omitempty"`
	ThrottledTime    uint64 `json:"throttledTime,omitempty"`
}

// MemoryStats: Swap is memory+swap, as v1 memsw reports it (converted on v2).
type MemoryStats struct {
	Cache uint64            `json:"cache,omitempty"`
	Usage MemoryEntry       `json:"usage"`
	Swap  MemoryEntry       `json:"swap"`
	Raw   map[string]uint64 `json:"raw,omitempty"`
}

type MemoryEntry struct {
	Limit   uint64 `json:"limit"`
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// PidsStats: a Limit of 0 means unlimited.
type PidsStats struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

type BlkioStats struct {
	IoServiceBytesRecursive []BlkioEntry `json:"ioServiceBytesRecursive,omitempty"`
}

type BlkioEntry struct {
	Major uint64 `json:"major,omitempty"`
	Minor uint64 `json:"minor,omitempty"`
	Op    string `json:"op,omitempty"`
	Value uint64 `json:"value,omitempty"`
}

// HugetlbStats is keyed by page size ("2MB") in Stats.Hugetlb.
type HugetlbStats struct {
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// Stats reads each group where its controller is bound: v1 if mounted
// there, else cgroup2.
func (m *manager) Stats() (*Stats, error) {
	s := &Stats{Hugetlb: map[string]HugetlbStats{}}
	v2, hasV2 := m.v2Dir()
	steps := []struct {
		v1key string
		v1    func(string, *Stats) error
		v2    func(string, *Stats) error
	}{
		{"cpuacct", v1CPUUsage, v2CPUUsage},
		{"cpu", v1Throttling, v2Throttling},
		{"memory", v1MemoryStats, v2MemoryStats},
		{"pids", pidsStats, pidsStats},
		{"blkio", v1BlkioStats, v2IOStats},
		{"hugetlb", v1HugetlbStats, v2HugetlbStats},
	}
	for _, st := range steps {
		var err error
		if dir, ok := m.paths[st.v1key]; ok {
			err = st.v1(dir, s)
		} else if hasV2 {
			err = st.v2(v2, s)
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}
