package cgroups

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func ptr[T any](v T) *T { return &v }

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// allV1 is a legacy host with every knob, current memory limit 100 MiB.
func allV1() v1Features {
	return v1Features{
		controllers: set("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "net_cls", "net_prio", "rdma"),
		files: set(memswFile, "memory.kmem.tcp.limit_in_bytes", "cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle",
			"blkio.weight", "blkio.weight_device", "blkio.leaf_weight", "blkio.leaf_weight_device",
			"hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.1GB.limit_in_bytes"),
		memLimit: 100 << 20,
	}
}

func allV2() v2Features {
	return v2Features{
		mounted:     true,
		controllers: set("cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc"),
		files:       set("memory.swap.max", "cpu.max.burst", "cpu.idle", "io.weight", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max"),
	}
}

// short renders writes as "key|file|value|field" for readable tables.
func short(ws []write) []string {
	out := []string{}
	for _, w := range ws {
		s := w.key + "|" + w.file + "|" + w.value + "|" + w.field
		if w.mayFail {
			s += "|mayFail"
		}
		out = append(out, s)
	}
	return out
}

func TestV1Files(t *testing.T) {
	bfq := allV1()
	delete(bfq.files, "blkio.weight")
	delete(bfq.files, "blkio.weight_device")
	delete(bfq.files, "blkio.leaf_weight")
	delete(bfq.files, "blkio.leaf_weight_device")
	bfq.files["blkio.bfq.weight"] = true
	bfq.files["blkio.bfq.weight_device"] = true
	noSwap := allV1()
	delete(noSwap.files, memswFile)

	tests := []struct {
		name string
		r    specs.LinuxResources
		f    v1Features
		want []string
		err  string
	}{
		{
			name: "zero values are unset",
			r: specs.LinuxResources{
				Memory:  &specs.LinuxMemory{Limit: ptr[int64](0), Reservation: ptr[int64](0), Kernel: ptr[int64](0), Swap: ptr[int64](0)},
				CPU:     &specs.LinuxCPU{Shares: ptr[uint64](0), Quota: ptr[int64](0), Period: ptr[uint64](0)},
				BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](0)},
				Pids:    &specs.LinuxPids{},
			},
			f: allV1(), want: []string{},
		},
		{
			name: "memory limit growing: memsw first",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](200 << 20), Swap: ptr[int64](400 << 20)}},
			f:    allV1(),
			want: []string{
				"memory|memory.memsw.limit_in_bytes|419430400|linux.resources.memory.swap",
				"memory|memory.limit_in_bytes|209715200|linux.resources.memory.limit",
			},
		},
		{
			name: "memory limit shrinking: limit first",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](10 << 20), Swap: ptr[int64](20 << 20)}},
			f:    allV1(),
			want: []string{
				"memory|memory.limit_in_bytes|10485760|linux.resources.memory.limit",
				"memory|memory.memsw.limit_in_bytes|20971520|linux.resources.memory.swap",
			},
		},
		{
			name: "unlimited memory lifts memsw",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)}},
			f:    allV1(),
			want: []string{
				"memory|memory.memsw.limit_in_bytes|-1|linux.resources.memory.limit",
				"memory|memory.limit_in_bytes|-1|linux.resources.memory.limit",
			},
		},
		{
			name: "swap without swap accounting",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](10 << 20), Swap: ptr[int64](20 << 20)}},
			f:    noSwap,
			err:  "linux.resources.memory.swap: swap accounting is off",
		},
		{
			name: "unlimited swap without swap accounting is a no-op",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](10 << 20), Swap: ptr[int64](-1)}},
			f:    noSwap,
			want: []string{"memory|memory.limit_in_bytes|10485760|linux.resources.memory.limit"},
		},
		{
			name: "other memory knobs; kernel ignored",
			r: specs.LinuxResources{Memory: &specs.LinuxMemory{
				Reservation: ptr[int64](5 << 20), Kernel: ptr[int64](1 << 20), KernelTCP: ptr[int64](1 << 20),
				Swappiness: ptr[uint64](10), DisableOOMKiller: ptr(true), UseHierarchy: ptr(true),
			}},
			f: allV1(),
			want: []string{
				"memory|memory.soft_limit_in_bytes|5242880|linux.resources.memory.reservation",
				"memory|memory.kmem.tcp.limit_in_bytes|1048576|linux.resources.memory.kernelTCP",
				"memory|memory.swappiness|10|linux.resources.memory.swappiness",
				"memory|memory.oom_control|1|linux.resources.memory.disableOOMKiller",
				"memory|memory.use_hierarchy|1|linux.resources.memory.useHierarchy",
			},
		},
		{
			name: "kernelTCP skipped when the file is absent",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{KernelTCP: ptr[int64](1 << 20)}},
			f:    v1Features{controllers: set("memory"), files: set()},
			want: []string{},
		},
		{
			name: "checkBeforeUpdate refuses a limit below usage",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](1000), CheckBeforeUpdate: ptr(true)}},
			f:    func() v1Features { f := allV1(); f.memUsage = 5000; return f }(),
			err:  "linux.resources.memory.limit: 1000 is below current usage 5000",
		},
		{
			name: "cpu shares, bandwidth with burst, cpuset, idle",
			r: specs.LinuxResources{CPU: &specs.LinuxCPU{
				Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Burst: ptr[uint64](1000),
				Cpus: "0-1", Mems: "0", Idle: ptr[int64](1),
			}},
			f: allV1(),
			want: []string{
				"cpu|cpu.shares|512|linux.resources.cpu.shares",
				"cpu|cpu.cfs_burst_us|1000|linux.resources.cpu.burst|mayFail",
				"cpu|cpu.cfs_period_us|100000|linux.resources.cpu.period|mayFail",
				"cpu|cpu.cfs_quota_us|50000|linux.resources.cpu.quota",
				"cpu|cpu.cfs_period_us|100000|linux.resources.cpu.period",
				"cpu|cpu.cfs_burst_us|1000|linux.resources.cpu.burst",
				"cpu|cpu.idle|1|linux.resources.cpu.idle",
				"cpuset|cpuset.cpus|0-1|linux.resources.cpu.cpus",
				"cpuset|cpuset.mems|0|linux.resources.cpu.mems",
			},
		},
		{
			name: "unlimited quota alone",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](-1)}},
			f:    allV1(),
			want: []string{"cpu|cpu.cfs_quota_us|-1|linux.resources.cpu.quota"},
		},
		{
			name: "realtime",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr[int64](950000), RealtimePeriod: ptr[uint64](1000000)}},
			f:    allV1(),
			want: []string{
				"cpu|cpu.rt_runtime_us|950000|linux.resources.cpu.realtimeRuntime|mayFail",
				"cpu|cpu.rt_period_us|1000000|linux.resources.cpu.realtimePeriod",
				"cpu|cpu.rt_runtime_us|950000|linux.resources.cpu.realtimeRuntime",
			},
		},
		{
			name: "burst unsupported",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Burst: ptr[uint64](10)}},
			f:    v1Features{controllers: set("cpu"), files: set()},
			err:  "linux.resources.cpu.burst: not supported by this kernel (no cpu.cfs_burst_us)",
		},
		{
			name: "pids limit, and 0 means max",
			r:    specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](0)}},
			f:    allV1(),
			want: []string{"pids|pids.max|max|linux.resources.pids.limit"},
		},
		{
			name: "pids limit positive",
			r:    specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](64)}},
			f:    allV1(),
			want: []string{"pids|pids.max|64|linux.resources.pids.limit"},
		},
		{
			name: "blkio on CFQ",
			r: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight: ptr[uint16](500), LeafWeight: ptr[uint16](300),
				WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr[uint16](200), LeafWeight: ptr[uint16](100)}},
				ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1000}},
				ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 16}, Rate: 10}},
			}},
			f: allV1(),
			want: []string{
				"blkio|blkio.weight|500|linux.resources.blockIO.weight",
				"blkio|blkio.leaf_weight|300|linux.resources.blockIO.leafWeight",
				"blkio|blkio.weight_device|8:0 200|linux.resources.blockIO.weightDevice[0]",
				"blkio|blkio.leaf_weight_device|8:0 100|linux.resources.blockIO.weightDevice[0]",
				"blkio|blkio.throttle.read_bps_device|8:0 1000|linux.resources.blockIO.throttleReadBpsDevice[0]",
				"blkio|blkio.throttle.write_iops_device|8:16 10|linux.resources.blockIO.throttleWriteIOPSDevice[0]",
			},
		},
		{
			name: "blkio on BFQ only; leaf weight skipped",
			r: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight: ptr[uint16](500), LeafWeight: ptr[uint16](300),
				WeightDevice: []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr[uint16](200)}},
			}},
			f: bfq,
			want: []string{
				"blkio|blkio.bfq.weight|500|linux.resources.blockIO.weight",
				"blkio|blkio.bfq.weight_device|8:0 200|linux.resources.blockIO.weightDevice[0]",
			},
		},
		{
			name: "blkio weight without any weight file",
			r:    specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](500)}},
			f:    v1Features{controllers: set("blkio"), files: set()},
			err:  "linux.resources.blockIO.weight: no proportional I/O scheduler",
		},
		{
			name: "hugetlb with rsvd where present",
			r:    specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}, {Pagesize: "1GB", Limit: 0}}},
			f:    allV1(),
			want: []string{
				"hugetlb|hugetlb.2MB.limit_in_bytes|4194304|linux.resources.hugepageLimits[0]",
				"hugetlb|hugetlb.2MB.rsvd.limit_in_bytes|4194304|linux.resources.hugepageLimits[0]",
				"hugetlb|hugetlb.1GB.limit_in_bytes|0|linux.resources.hugepageLimits[1]",
			},
		},
		{
			name: "hugetlb unknown size",
			r:    specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "64KB", Limit: 1}}},
			f:    allV1(),
			err:  "linux.resources.hugepageLimits[0]: page size 64KB not supported",
		},
		{
			name: "network",
			r:    specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr[uint32](0x100001), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}}}},
			f:    allV1(),
			want: []string{
				"net_cls|net_cls.classid|1048577|linux.resources.network.classID",
				"net_prio|net_prio.ifpriomap|eth0 5|linux.resources.network.priorities[0]",
			},
		},
		{
			name: "rdma",
			r:    specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"mlx5_1": {HcaObjects: ptr[uint32](9)}, "mlx5_0": {HcaHandles: ptr[uint32](3), HcaObjects: ptr[uint32](100)}}},
			f:    allV1(),
			want: []string{
				`rdma|rdma.max|mlx5_0 hca_handle=3 hca_object=100|linux.resources.rdma["mlx5_0"]`,
				`rdma|rdma.max|mlx5_1 hca_object=9|linux.resources.rdma["mlx5_1"]`,
			},
		},
		{
			name: "devices: deny all, then the rules in order",
			r: specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
				{Allow: false, Access: "rwm"},
				{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"},
				{Allow: true, Type: "c", Major: ptr[int64](136), Access: "rw"},
				{Allow: false, Type: "b", Major: ptr[int64](8), Minor: ptr[int64](0)},
			}},
			f: allV1(),
			want: []string{
				"devices|devices.deny|a|linux.resources.devices",
				"devices|devices.deny|a|linux.resources.devices[0]",
				"devices|devices.allow|c 1:3 rwm|linux.resources.devices[1]",
				"devices|devices.allow|c 136:* rw|linux.resources.devices[2]",
				"devices|devices.deny|b 8:0 rwm|linux.resources.devices[3]",
			},
		},
		{
			name: "controllers that are not mounted are skipped here",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](1)}, Pids: &specs.LinuxPids{Limit: ptr[int64](1)}},
			f:    v1Features{controllers: set("pids"), files: set()},
			want: []string{"pids|pids.max|1|linux.resources.pids.limit"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := v1Files(&tt.r, tt.f)
			checkPlan(t, ws, err, tt.want, tt.err)
		})
	}
}

func TestV2Files(t *testing.T) {
	bfq := allV2()
	delete(bfq.files, "io.weight")
	bfq.files["io.bfq.weight"] = true

	tests := []struct {
		name string
		r    specs.LinuxResources
		f    v2Features
		want []string
		err  string
	}{
		{
			name: "zero values are unset",
			r: specs.LinuxResources{
				Memory:  &specs.LinuxMemory{Limit: ptr[int64](0), Reservation: ptr[int64](0), Kernel: ptr[int64](0), Swap: ptr[int64](0)},
				CPU:     &specs.LinuxCPU{Shares: ptr[uint64](0), Quota: ptr[int64](0), Period: ptr[uint64](0)},
				BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](0)},
			},
			f: allV2(), want: []string{},
		},
		{
			name: "memory: swap.max counts swap alone",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](100), Swap: ptr[int64](300), Reservation: ptr[int64](50)}},
			f:    allV2(),
			want: []string{
				"|memory.swap.max|200|linux.resources.memory.swap",
				"|memory.max|100|linux.resources.memory.limit",
				"|memory.low|50|linux.resources.memory.reservation",
			},
		},
		{
			name: "memory: unlimited",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)}},
			f:    allV2(),
			want: []string{
				"|memory.swap.max|max|linux.resources.memory.swap",
				"|memory.max|max|linux.resources.memory.limit",
			},
		},
		{
			name: "memory: v1-only knobs ignored",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Kernel: ptr[int64](1), KernelTCP: ptr[int64](1), Swappiness: ptr[uint64](1), DisableOOMKiller: ptr(true), UseHierarchy: ptr(true)}},
			f:    allV2(),
			want: []string{},
		},
		{
			name: "memory: swap without limit",
			r:    specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr[int64](300)}},
			f:    allV2(),
			err:  "linux.resources.memory.swap: cannot limit swap without a memory limit",
		},
		{
			name: "cpu",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](1024), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Idle: ptr[int64](0), Cpus: "1", Mems: "0"}},
			f:    allV2(),
			want: []string{
				"|cpu.weight|39|linux.resources.cpu.shares",
				"|cpu.max|50000 100000|linux.resources.cpu.quota",
				"|cpu.idle|0|linux.resources.cpu.idle",
				"|cpuset.cpus|1|linux.resources.cpu.cpus",
				"|cpuset.mems|0|linux.resources.cpu.mems",
			},
		},
		{
			name: "cpu: unlimited quota",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](-1), Period: ptr[uint64](50000)}},
			f:    allV2(),
			want: []string{"|cpu.max|max 50000|linux.resources.cpu.quota"},
		},
		{
			name: "cpu: period alone keeps the current quota",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr[uint64](50000)}},
			f:    func() v2Features { f := allV2(); f.cpuMaxQuota = "20000"; return f }(),
			want: []string{"|cpu.max|20000 50000|linux.resources.cpu.period"},
		},
		{
			name: "cpu: quota alone keeps the current period",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](20000)}},
			f:    allV2(),
			want: []string{"|cpu.max|20000|linux.resources.cpu.quota"},
		},
		{
			name: "cpu: burst around cpu.max",
			r:    specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](20000), Burst: ptr[uint64](5000)}},
			f:    allV2(),
			want: []string{
				"|cpu.max.burst|5000|linux.resources.cpu.burst|mayFail",
				"|cpu.max|20000|linux.resources.cpu.quota",
				"|cpu.max.burst|5000|linux.resources.cpu.burst",
			},
		},
		{
			name: "pids",
			r:    specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](-1)}},
			f:    allV2(),
			want: []string{"|pids.max|max|linux.resources.pids.limit"},
		},
		{
			name: "io with iocost: converted weights, one io.max line per device",
			r: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight: ptr[uint16](500), LeafWeight: ptr[uint16](300),
				WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr[uint16](1000)}},
				ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1000}},
				ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 16}, Rate: 0}},
				ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 7}},
				ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 9}},
			}},
			f: allV2(),
			want: []string{
				"|io.weight|default 4950|linux.resources.blockIO.weight",
				"|io.weight|8:0 10000|linux.resources.blockIO.weightDevice[0]",
				"|io.max|8:0 rbps=1000 riops=7 wiops=9|linux.resources.blockIO.throttleReadBpsDevice[0]",
				"|io.max|8:16 wbps=max|linux.resources.blockIO.throttleWriteBpsDevice[0]",
			},
		},
		{
			name: "io with BFQ: raw weights",
			r: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight:       ptr[uint16](500),
				WeightDevice: []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr[uint16](200)}},
			}},
			f: bfq,
			want: []string{
				"|io.bfq.weight|500|linux.resources.blockIO.weight",
				"|io.bfq.weight|8:0 200|linux.resources.blockIO.weightDevice[0]",
			},
		},
		{
			name: "hugetlb",
			r:    specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 2 << 20}}},
			f:    allV2(),
			want: []string{
				"|hugetlb.2MB.max|2097152|linux.resources.hugepageLimits[0]",
				"|hugetlb.2MB.rsvd.max|2097152|linux.resources.hugepageLimits[0]",
			},
		},
		{
			name: "unified after the rest, sorted",
			r:    specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](5)}, Unified: map[string]string{"pids.max": "7", "memory.high": "1G"}},
			f:    allV2(),
			want: []string{
				"|pids.max|5|linux.resources.pids.limit",
				`|memory.high|1G|linux.resources.unified["memory.high"]`,
				`|pids.max|7|linux.resources.unified["pids.max"]`,
			},
		},
		{
			name: "devices are not files on v2",
			r:    specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}},
			f:    allV2(),
			want: []string{},
		},
		{
			name: "not mounted: nothing",
			r:    specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](5)}, Unified: map[string]string{"pids.max": "7"}},
			f:    v2Features{},
			want: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := v2Files(&tt.r, tt.f)
			checkPlan(t, ws, err, tt.want, tt.err)
		})
	}
}

// TestPlanHybrid: each controller goes where it is bound, like this host:
// memory/pids/... on v1, hugetlb on cgroup2.
func TestPlanHybrid(t *testing.T) {
	f := features{
		v1: v1Features{controllers: set("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"), files: set("blkio.bfq.weight")},
		v2: v2Features{mounted: true, controllers: set("hugetlb"), files: set("hugetlb.2MB.max")},
	}
	tests := []struct {
		name string
		r    specs.LinuxResources
		want []string
		err  string
	}{
		{
			name: "split across versions",
			r: specs.LinuxResources{
				Memory:         &specs.LinuxMemory{Limit: ptr[int64](1 << 20)},
				BlockIO:        &specs.LinuxBlockIO{Weight: ptr[uint16](300)},
				HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 0}},
				Unified:        map[string]string{"cgroup.max.depth": "3"},
			},
			want: []string{
				"memory|memory.limit_in_bytes|1048576|linux.resources.memory.limit",
				"blkio|blkio.bfq.weight|300|linux.resources.blockIO.weight",
				"|hugetlb.2MB.max|0|linux.resources.hugepageLimits[0]",
				`|cgroup.max.depth|3|linux.resources.unified["cgroup.max.depth"]`,
			},
		},
		{
			name: "net_cls is mounted nowhere",
			r:    specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr[uint32](1)}},
			err:  "linux.resources.network.classID: net_cls controller not mounted",
		},
		{
			name: "rdma is mounted nowhere",
			r:    specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"x": {HcaHandles: ptr[uint32](1)}}},
			err:  "linux.resources.rdma: rdma controller not mounted",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := plan(&tt.r, f)
			checkPlan(t, ws, err, tt.want, tt.err)
		})
	}
}

func TestPlanUnbound(t *testing.T) {
	v1only := features{v1: allV1()}
	v2only := features{v2: allV2()}
	tests := []struct {
		name string
		r    specs.LinuxResources
		f    features
		err  string
	}{
		{"unified on v1", specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}}, v1only, "linux.resources.unified: requires cgroup v2"},
		{"classID on v2", specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr[uint32](1)}}, v2only, "linux.resources.network.classID: net_cls controller not mounted"},
		{"realtime on v2", specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr[int64](1000)}}, v2only, "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2"},
		{"memory missing on v2", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](1)}}, features{v2: v2Features{mounted: true, controllers: set("cpu")}}, "linux.resources.memory.limit: memory controller not available"},
		{"devices fine on v2", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "rwm"}}}, v2only, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plan(&tt.r, tt.f)
			checkPlan(t, nil, err, nil, tt.err)
		})
	}
}

func TestV2Enable(t *testing.T) {
	f := features{
		v1: v1Features{controllers: set("memory", "pids")},
		v2: v2Features{mounted: true, controllers: set("hugetlb", "io", "rdma")},
	}
	r := specs.LinuxResources{
		Memory:         &specs.LinuxMemory{Limit: ptr[int64](1)},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB"}},
		Unified:        map[string]string{"io.max": "x", "cgroup.max.depth": "1", "memory.high": "1"},
	}
	var got []string
	for _, n := range v2Enable(&r, f) {
		got = append(got, n.v2+"|"+n.field)
	}
	want := []string{"hugetlb|linux.resources.hugepageLimits", `io|linux.resources.unified["io.max"]`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSharesToWeight(t *testing.T) {
	for shares, want := range map[uint64]uint64{2: 1, 1: 1, 1024: 39, 262144: 10000, 1 << 30: 10000, 512: 20} {
		if got := sharesToWeight(shares); got != want {
			t.Errorf("sharesToWeight(%d) = %d, want %d", shares, got, want)
		}
	}
}

func TestV2SwapValue(t *testing.T) {
	tests := []struct {
		swap, limit, want int64
		err               bool
	}{
		{0, 0, 0, false},
		{0, 100, 0, false},
		{0, -1, -1, false},
		{-1, 100, -1, false},
		{-1, -1, -1, false},
		{300, 100, 200, false},
		{100, 100, 0, false},
		{50, 100, 0, true},
		{300, 0, 0, true},
		{300, -1, 0, true},
	}
	for _, tt := range tests {
		got, err := v2SwapValue(tt.swap, tt.limit)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("v2SwapValue(%d, %d) = %d, %v; want %d, err=%v", tt.swap, tt.limit, got, err, tt.want, tt.err)
		}
	}
}

func checkPlan(t *testing.T, ws []write, err error, want []string, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error = %v, want it to contain %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if want == nil {
		return
	}
	if got := short(ws); !reflect.DeepEqual(got, want) {
		t.Errorf("writes:\n got %q\nwant %q", got, want)
	}
}

// TestFilesConsulted checks that features may list only the directories
// filesConsulted names: for each part of linux.resources alone, a plan
// from just those controllers' files equals one from every file. A
// translator that starts looking for a file of another controller fails
// here.
func TestFilesConsulted(t *testing.T) {
	full := fullResources()
	full.Network, full.Rdma = nil, nil // not bound on thisHost
	parts := map[string]specs.LinuxResources{
		"memory":         {Memory: full.Memory},
		"cpu":            {CPU: full.CPU},
		"pids":           {Pids: full.Pids},
		"blockIO":        {BlockIO: full.BlockIO},
		"hugepageLimits": {HugepageLimits: full.HugepageLimits},
		"devices":        {Devices: full.Devices},
		"all":            *full,
	}
	host := thisHost()
	// Every optional file a translator might look for, present.
	host.v1.files = set(memswFile, "memory.kmem.tcp.limit_in_bytes", "cpu.rt_period_us", "cpu.rt_runtime_us",
		"cpu.cfs_burst_us", "cpu.idle", "blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.leaf_weight",
		"blkio.leaf_weight_device", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "pids.max")
	for name, r := range parts {
		t.Run(name, func(t *testing.T) {
			want, wantErr := plan(&r, host)
			listed := host
			listed.v1.files = map[string]bool{}
			consulted := filesConsulted(&r)
			for f := range host.v1.files {
				for _, k := range consulted {
					if strings.HasPrefix(f, k+".") {
						listed.v1.files[f] = true
					}
				}
			}
			if len(consulted) == 0 {
				listed.v2.files = map[string]bool{}
			}
			got, gotErr := plan(&r, listed)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("plan from the consulted files only:\n%v %v\nwant (from every file):\n%v %v", got, gotErr, want, wantErr)
			}
		})
	}
}
