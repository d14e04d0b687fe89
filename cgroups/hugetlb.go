package cgroups

import (
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v1Hugetlb writes hugetlb.<size>.limit_in_bytes and, where the kernel has
// reservation accounting, the rsvd limit too: the spec asks for
// reservations to be limited when supported, and limiting both keeps
// faults and reservations consistent.
func v1Hugetlb(r *specs.LinuxResources, f v1Features) ([]write, error) {
	if len(r.HugepageLimits) == 0 || !f.controllers["hugetlb"] {
		return nil, nil
	}
	return hugetlbFiles("hugetlb", r.HugepageLimits, f.files, ".limit_in_bytes", ".rsvd.limit_in_bytes")
}

func v2Hugetlb(r *specs.LinuxResources, f v2Features) ([]write, error) {
	if len(r.HugepageLimits) == 0 || !f.controllers["hugetlb"] {
		return nil, nil
	}
	return hugetlbFiles("", r.HugepageLimits, f.files, ".max", ".rsvd.max")
}

func hugetlbFiles(key string, ls []specs.LinuxHugepageLimit, files map[string]bool, limit, rsvd string) ([]write, error) {
	var ws []write
	for i, l := range ls {
		field := indexed(fHugepages, i)
		file := "hugetlb." + l.Pagesize + limit
		if !files[file] {
			return nil, fmt.Errorf("%s: page size %s not supported by the hugetlb controller (no %s)", field, l.Pagesize, file)
		}
		v := strconv.FormatUint(l.Limit, 10)
		ws = append(ws, write{key: key, file: file, value: v, field: field})
		if r := "hugetlb." + l.Pagesize + rsvd; files[r] {
			ws = append(ws, write{key: key, file: r, value: v, field: field})
		}
	}
	return ws, nil
}
