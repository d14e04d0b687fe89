package cgroups

import (
	"path"
	"slices"
	"strings"
	"sync"
)

// hierarchy is one mounted cgroup hierarchy as this process sees it.
type hierarchy struct {
	v2          bool
	controllers []string // v1: as in /proc/self/cgroup, e.g. [cpu cpuacct] or [name=systemd]
	mountpoint  string
	root        string // the hierarchy directory shown at mountpoint
	current     string // this process's cgroup, relative to the hierarchy root
}

// keys are the Paths() keys this hierarchy answers to.
func (h hierarchy) keys() []string {
	if h.v2 {
		return []string{""}
	}
	return h.controllers
}

// discovered holds what discover found: a create asks three times (mode,
// paths, and delete in `run`), and the mounted hierarchies and our own
// cgroup do not change while one skiff command runs.
var discovered struct {
	sync.Mutex
	hs []hierarchy
}

// discover returns the hierarchies mounted in our mount namespace, read
// once per process. Callers must not modify the result.
func discover() ([]hierarchy, error) {
	discovered.Lock()
	defer discovered.Unlock()
	if discovered.hs != nil {
		return discovered.hs, nil
	}
	ms, err := readMounts()
	if err != nil {
		return nil, err
	}
	cgs, err := readProcCgroup()
	if err != nil {
		return nil, err
	}
	hs := matchHierarchies(ms, cgs)
	if len(hs) > 0 {
		discovered.hs = hs
	}
	return hs, nil
}

// matchHierarchies pairs each /proc/self/cgroup line with a mount of that
// hierarchy. The controller list comes from /proc/self/cgroup rather than
// the mount options because options also carry flags (rw, xattr,
// release_agent=...) that are not controllers. Hierarchies that are not
// mounted in our mount namespace are left out: there is nowhere to write.
func matchHierarchies(ms []mount, cgs []procCgroup) []hierarchy {
	var hs []hierarchy
	v2cur := "/"
	for _, cg := range cgs {
		if cg.id == 0 && len(cg.controllers) == 0 {
			v2cur = cg.path
			continue
		}
		if len(cg.controllers) == 0 {
			continue
		}
		if m, ok := pickMount(ms, "cgroup", cg.controllers, cg.path); ok {
			hs = append(hs, hierarchy{controllers: cg.controllers, mountpoint: m.mountpoint, root: m.root, current: cg.path})
		}
	}
	if m, ok := pickMount(ms, "cgroup2", nil, v2cur); ok {
		hs = append(hs, hierarchy{v2: true, mountpoint: m.mountpoint, root: m.root, current: v2cur})
	}
	return hs
}

// pickMount prefers a mount whose root contains our own cgroup, so relative
// cgroupsPaths resolve; any mount of the hierarchy does for absolute ones.
func pickMount(ms []mount, fstype string, ctrls []string, cur string) (mount, bool) {
	var fallback *mount
	for i, m := range ms {
		if m.fstype != fstype {
			continue
		}
		if !containsAll(m.options, ctrls) {
			continue
		}
		if isUnder(cur, m.root) {
			return m, true
		}
		if fallback == nil {
			fallback = &ms[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return mount{}, false
}

func containsAll(set, want []string) bool {
	for _, w := range want {
		if !slices.Contains(set, w) {
			return false
		}
	}
	return true
}

// isUnder reports whether p is dir or below it (both slash-separated).
func isUnder(p, dir string) bool {
	p, dir = path.Clean(p), path.Clean(dir)
	return dir == "/" || p == dir || strings.HasPrefix(p, dir+"/")
}
