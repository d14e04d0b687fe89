package cgroups

import (
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v1Network: net_cls and net_prio exist on v1 only; unbound reports them
// when they are not mounted.
func v1Network(r *specs.LinuxResources, f v1Features) ([]write, error) {
	n := r.Network
	if n == nil {
		return nil, nil
	}
	var ws []write
	if n.ClassID != nil && f.controllers["net_cls"] {
		ws = append(ws, write{key: "net_cls", file: "net_cls.classid", value: strconv.FormatUint(uint64(*n.ClassID), 10), field: fNetClassID})
	}
	if f.controllers["net_prio"] {
		for i, p := range n.Priorities {
			ws = append(ws, write{key: "net_prio", file: "net_prio.ifpriomap", value: p.Name + " " + strconv.FormatUint(uint64(p.Priority), 10), field: indexed(fNetPriorities, i)})
		}
	}
	return ws, nil
}
