package cgroups

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		r    specs.LinuxResources
		mode Mode
		err  string
	}{
		{"empty", specs.LinuxResources{}, Legacy, ""},
		{"good cpus", specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-3,5,8-15:2/4", Mems: "0"}}, Unified, ""},
		{"bad cpus", specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "1-a"}}, Legacy, `linux.resources.cpu.cpus: invalid list "1-a"`},
		{"reversed range", specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "3-1"}}, Legacy, `linux.resources.cpu.cpus: invalid list "3-1"`},
		{"trailing comma", specs.LinuxResources{CPU: &specs.LinuxCPU{Mems: "0,"}}, Legacy, `linux.resources.cpu.mems: invalid list "0,"`},
		{"quota too small", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](10)}}, Legacy, "linux.resources.cpu.quota: invalid value 10"},
		{"quota unlimited", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](-1)}}, Legacy, ""},
		{"period too big", specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr[uint64](2000000)}}, Legacy, "linux.resources.cpu.period: invalid value 2000000"},
		{"idle", specs.LinuxResources{CPU: &specs.LinuxCPU{Idle: ptr[int64](2)}}, Unified, "linux.resources.cpu.idle: invalid value 2"},
		{"realtime on v2", specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimePeriod: ptr[uint64](1000)}}, Unified, "linux.resources.cpu.realtimePeriod: not supported on cgroup v2"},
		{"memory below -1", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-2)}}, Legacy, "linux.resources.memory.limit: invalid value -2"},
		{"swap below limit", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](200), Swap: ptr[int64](100)}}, Legacy, "linux.resources.memory.swap: 100 is below memory.limit 200"},
		{"swap with unlimited memory", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-1), Swap: ptr[int64](100)}}, Legacy, "linux.resources.memory.swap: cannot be limited while memory.limit is -1"},
		{"swap alone on v1", specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr[int64](100)}}, Legacy, ""},
		{"swap alone on v2", specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr[int64](100)}}, Unified, "linux.resources.memory.swap: cannot limit swap without a memory limit"},
		{"swappiness", specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr[uint64](101)}}, Legacy, "linux.resources.memory.swappiness: invalid value 101"},
		{"kernel memory accepted", specs.LinuxResources{Memory: &specs.LinuxMemory{Kernel: ptr[int64](1 << 20)}}, Unified, ""},
		{"blkio weight", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](5)}}, Legacy, "linux.resources.blockIO.weight: invalid weight 5"},
		{"blkio weight 0 is unset", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](0)}}, Legacy, ""},
		{"blkio device", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: -1}}}}}, Legacy, "linux.resources.blockIO.throttleReadBpsDevice[0]: invalid device -1:0"},
		{"weight device", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{{Weight: ptr[uint16](2000)}}}}, Legacy, "linux.resources.blockIO.weightDevice[0].weight: invalid weight 2000"},
		{"page size", specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2M"}}}, Legacy, `linux.resources.hugepageLimits[0]: invalid pageSize "2M"`},
		{"unified on v1", specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}}, Legacy, "linux.resources.unified: requires cgroup v2"},
		{"unified key escaping", specs.LinuxResources{Unified: map[string]string{"../x.y": "1"}}, Unified, `linux.resources.unified["../x.y"]: not a cgroup file name`},
		{"unified fine on hybrid", specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}}, Hybrid, ""},
		{"net_cls on v2", specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr[uint32](1)}}, Unified, "linux.resources.network.classID: net_cls controller not mounted"},
		{"device type", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "x"}}}, Legacy, `linux.resources.devices[0]: invalid type "x"`},
		{"device access", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "c", Access: "rwx"}}}, Legacy, `linux.resources.devices[0]: invalid access "rwx"`},
		{"device number below -1", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "c", Major: ptr[int64](-2)}}}, Legacy, "linux.resources.devices[0]: invalid device number"},
		{"device number above 2^31-1", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "c", Minor: ptr[int64](1 << 31)}}}, Unified, "linux.resources.devices[0]: invalid device number"},
		{"rdma name", specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"": {}}}, Unified, `linux.resources.rdma: invalid device name ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(&tt.r, tt.mode)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.err)
			}
		})
	}
}
