package cgroups

import (
	"fmt"
	"strconv"
)

// Config paths named in errors.
const (
	fMemLimit        = "linux.resources.memory.limit"
	fMemReservation  = "linux.resources.memory.reservation"
	fMemSwap         = "linux.resources.memory.swap"
	fMemKernel       = "linux.resources.memory.kernel"
	fMemKernelTCP    = "linux.resources.memory.kernelTCP"
	fMemSwappiness   = "linux.resources.memory.swappiness"
	fMemDisableOOM   = "linux.resources.memory.disableOOMKiller"
	fMemUseHierarchy = "linux.resources.memory.useHierarchy"
	fCPUShares       = "linux.resources.cpu.shares"
	fCPUQuota        = "linux.resources.cpu.quota"
	fCPUPeriod       = "linux.resources.cpu.period"
	fCPUBurst        = "linux.resources.cpu.burst"
	fCPUIdle         = "linux.resources.cpu.idle"
	fCPURtRuntime    = "linux.resources.cpu.realtimeRuntime"
	fCPURtPeriod     = "linux.resources.cpu.realtimePeriod"
	fCPUCpus         = "linux.resources.cpu.cpus"
	fCPUMems         = "linux.resources.cpu.mems"
	fPidsLimit       = "linux.resources.pids.limit"
	fBlkWeight       = "linux.resources.blockIO.weight"
	fBlkLeafWeight   = "linux.resources.blockIO.leafWeight"
	fBlkWeightDevice = "linux.resources.blockIO.weightDevice"
	fHugepages       = "linux.resources.hugepageLimits"
	fNetClassID      = "linux.resources.network.classID"
	fNetPriorities   = "linux.resources.network.priorities"
	fRdma            = "linux.resources.rdma"
	fDevices         = "linux.resources.devices"
	fUnified         = "linux.resources.unified"
)

func indexed(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}

func keyed(field, key string) string {
	return field + "[" + strconv.Quote(key) + "]"
}

func unifiedField(key string) string {
	return keyed(fUnified, key)
}
