package cgroups

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// fullResources sets every part of linux.resources that cgroup v1 can
// take, as a config translated by a container manager would.
func fullResources() *specs.LinuxResources {
	major, minor := int64(8), int64(0)
	return &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](5), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](8), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](9), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](5), Minor: ptr[int64](0), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](136), Minor: ptr[int64](-1), Access: "rwm"},
		},
		Memory: &specs.LinuxMemory{
			Limit: ptr[int64](512 << 20), Reservation: ptr[int64](256 << 20), Swap: ptr[int64](1 << 30),
			KernelTCP: ptr[int64](64 << 20), Swappiness: ptr[uint64](10), DisableOOMKiller: ptr(false),
		},
		CPU: &specs.LinuxCPU{
			Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Burst: ptr[uint64](10000),
			RealtimeRuntime: ptr[int64](0), RealtimePeriod: ptr[uint64](1000000), Cpus: "0-1", Mems: "0", Idle: ptr[int64](0),
		},
		Pids: &specs.LinuxPids{Limit: ptr[int64](1024)},
		BlockIO: &specs.LinuxBlockIO{
			Weight: ptr[uint16](500), LeafWeight: ptr[uint16](300),
			WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Weight: ptr[uint16](600)}},
			ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: 100 << 20}},
			ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: 50 << 20}},
			ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: 1000}},
			ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: 500}},
		},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}},
		Network:        &specs.LinuxNetwork{ClassID: ptr[uint32](0x100001), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}}},
		Rdma:           map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: ptr[uint32](4), HcaObjects: ptr[uint32](100)}},
	}
}

// v2Resources is fullResources as a cgroup2 host takes it: no v1-only
// knobs, plus the unified map.
func v2Resources() *specs.LinuxResources {
	r := fullResources()
	r.Memory.KernelTCP = nil
	r.CPU.RealtimeRuntime, r.CPU.RealtimePeriod = nil, nil
	r.BlockIO.LeafWeight = nil
	r.Network = nil
	r.Unified = map[string]string{"memory.high": "400000000", "pids.max": "1000", "cpu.weight.nice": "0"}
	return r
}

// thisHost is the hybrid host of FIELD-NOTES: every controller on v1
// but hugetlb, which is cgroup2's only one.
func thisHost() features {
	return features{
		v1: v1Features{
			controllers: set("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"),
			files: set(memswFile, "memory.kmem.tcp.limit_in_bytes", "cpu.rt_period_us", "cpu.rt_runtime_us",
				"blkio.bfq.weight", "blkio.bfq.weight_device"),
			memLimit: 100 << 20,
		},
		v2: v2Features{mounted: true, controllers: set("hugetlb"), files: set("hugetlb.2MB.max", "hugetlb.2MB.rsvd.max")},
	}
}

// BenchmarkPlan is the translation Set runs once per create: every
// linux.resources field to the files and values to write.
func BenchmarkPlan(b *testing.B) {
	hybrid := fullResources()
	hybrid.Network, hybrid.Rdma = nil, nil // not mounted on this host
	hybrid.CPU.Burst, hybrid.CPU.Idle = nil, nil
	hybrid.BlockIO.LeafWeight = nil
	cases := []struct {
		name string
		r    *specs.LinuxResources
		f    features
	}{
		{"legacy", fullResources(), features{v1: allV1()}},
		{"unified", v2Resources(), features{v2: allV2()}},
		{"hybrid-this-host", hybrid, thisHost()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ws, err := plan(c.r, c.f)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plan(c.r, c.f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(ws)), "writes/op")
		})
	}
}

// BenchmarkValidate is the config check create runs before making
// anything.
func BenchmarkValidate(b *testing.B) {
	cases := []struct {
		name string
		r    *specs.LinuxResources
		mode Mode
	}{
		{"legacy", fullResources(), Legacy},
		{"unified", v2Resources(), Unified},
		{"hybrid", fullResources(), Hybrid},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Validate(c.r, c.mode); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkV2Enable decides which controllers to enable in cgroup2
// parents for a full request.
func BenchmarkV2Enable(b *testing.B) {
	r, f := v2Resources(), features{v2: allV2()}
	b.ReportAllocs()
	for b.Loop() {
		v2Enable(r, f)
	}
}
