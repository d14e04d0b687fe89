package cgroups

import (
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v2Unified writes linux.resources.unified verbatim into the cgroup2 dir,
// after the translated settings so it can override them. A key naming a
// file the hierarchy lacks fails at write time with the key in the error.
func v2Unified(r *specs.LinuxResources, f v2Features) ([]write, error) {
	keys := make([]string, 0, len(r.Unified))
	for k := range r.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ws := make([]write, 0, len(keys))
	for _, k := range keys {
		ws = append(ws, write{key: "", file: k, value: r.Unified[k], field: unifiedField(k)})
	}
	return ws, nil
}
