package cgroups

import (
	"sort"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func v1Rdma(r *specs.LinuxResources, f v1Features) ([]write, error) {
	if !f.controllers["rdma"] {
		return nil, nil
	}
	return rdmaFiles("rdma", r.Rdma), nil
}

func v2Rdma(r *specs.LinuxResources, f v2Features) ([]write, error) {
	if !f.controllers["rdma"] {
		return nil, nil
	}
	return rdmaFiles("", r.Rdma), nil
}

// rdmaFiles writes one rdma.max line per device (same syntax on v1 and v2),
// sorted so plans are reproducible; unset counters are left as they are.
func rdmaFiles(key string, rdma map[string]specs.LinuxRdma) []write {
	devs := make([]string, 0, len(rdma))
	for d := range rdma {
		devs = append(devs, d)
	}
	sort.Strings(devs)
	var ws []write
	for _, d := range devs {
		l := rdma[d]
		v := d
		if l.HcaHandles != nil {
			v += " hca_handle=" + strconv.FormatUint(uint64(*l.HcaHandles), 10)
		}
		if l.HcaObjects != nil {
			v += " hca_object=" + strconv.FormatUint(uint64(*l.HcaObjects), 10)
		}
		if v == d {
			continue
		}
		ws = append(ws, write{key: key, file: "rdma.max", value: v, field: keyed(fRdma, d)})
	}
	return ws
}
