package cgroups

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func v1Pids(r *specs.LinuxResources, f v1Features) ([]write, error) {
	if !f.controllers["pids"] {
		return nil, nil
	}
	return pidsFiles("pids", r.Pids), nil
}

func v2Pids(r *specs.LinuxResources, f v2Features) ([]write, error) {
	if !f.controllers["pids"] {
		return nil, nil
	}
	return pidsFiles("", r.Pids), nil
}

// pidsFiles: the runtime-spec reads a limit of 0 or below as unlimited;
// only a nil limit leaves pids.max alone.
func pidsFiles(key string, p *specs.LinuxPids) []write {
	if p == nil || p.Limit == nil {
		return nil
	}
	v := "max"
	if *p.Limit > 0 {
		v = itoa(*p.Limit)
	}
	return []write{{key: key, file: "pids.max", value: v, field: fPidsLimit}}
}
