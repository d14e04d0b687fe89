package container

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestMergeResources(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	u64 := func(v uint64) *uint64 { return &v }
	u16 := func(v uint16) *uint16 { return &v }
	base := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: i64(100), Swap: i64(200)},
		CPU:     &specs.LinuxCPU{Shares: u64(512), Cpus: "0-1"},
		Pids:    &specs.LinuxPids{Limit: i64(10)},
		BlockIO: &specs.LinuxBlockIO{Weight: u16(300)},
	}
	update := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: i64(150)},
		CPU:    &specs.LinuxCPU{Quota: i64(5000), Burst: u64(10)},
	}
	got, err := mergeResources(base, update)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Memory.Limit != 150 || *got.Memory.Swap != 200 {
		t.Errorf("memory = %+v", got.Memory)
	}
	if *got.CPU.Shares != 512 || got.CPU.Cpus != "0-1" || *got.CPU.Quota != 5000 || *got.CPU.Burst != 10 {
		t.Errorf("cpu = %+v", got.CPU)
	}
	if *got.Pids.Limit != 10 || *got.BlockIO.Weight != 300 {
		t.Errorf("untouched groups changed: %+v %+v", got.Pids, got.BlockIO)
	}
	// base itself is left as it was.
	if *base.Memory.Limit != 100 || base.CPU.Quota != nil {
		t.Errorf("base changed: %+v %+v", base.Memory, base.CPU)
	}
	if got, _ := mergeResources(nil, update); *got.Memory.Limit != 150 {
		t.Errorf("from nil: %+v", got.Memory)
	}
}
