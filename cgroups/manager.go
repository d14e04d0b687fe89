package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Manager is one container's cgroup across every hierarchy of the host.
type Manager interface {
	// Paths maps hierarchy key -> absolute directory. Keys are the v1
	// controller names as mounted ("cpu", "cpuacct", "memory",
	// "name=systemd", ...; co-mounted controllers get one entry each, same
	// dir) and "" for the cgroup2 hierarchy when one is mounted.
	Paths() map[string]string
	// Create makes every directory; it is idempotent.
	Create() error
	// Set writes resources; it works before any process joins and live.
	Set(r *specs.LinuxResources) error
	// AddProc moves pid into the cgroup in every hierarchy.
	AddProc(pid int) error
	// Pids lists every process in the cgroup and its descendants.
	Pids() ([]int, error)
	// Freeze stops every process and waits (bounded) until they are frozen.
	Freeze() error
	Thaw() error
	// Frozen is false when no freezer is available.
	Frozen() (bool, error)
	// Signal sends sig to every process in the cgroup.
	Signal(sig unix.Signal) error
	// Destroy kills what is left and removes every directory, children
	// first. A cgroup that is already gone is not an error. It never hangs.
	Destroy() error
	// Stats reports whatever usage counters the host has.
	Stats() (*Stats, error)
	// OOMKillCount is the number of processes the OOM killer took.
	OOMKillCount() (uint64, error)
}

// manager implements Manager over plain directories.
type manager struct {
	paths  map[string]string // hierarchy key -> container's directory
	mounts map[string]string // hierarchy key -> mountpoint of that hierarchy
}

// New resolves cgroupsPath for container id without touching the cgroup
// filesystems: absolute paths sit under each hierarchy's mount, relative
// ones under our own cgroup, and "" means /<id>.
func New(cgroupsPath, id string) (Manager, error) {
	p, err := cleanCgroupsPath(cgroupsPath, id)
	if err != nil {
		return nil, err
	}
	hs, err := discover()
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, errors.New("resolve cgroup: no cgroup hierarchy mounted")
	}
	paths, mounts, err := resolvePaths(hs, p)
	if err != nil {
		return nil, err
	}
	return &manager{paths: paths, mounts: mounts}, nil
}

// Load rebuilds a Manager from a saved Paths() map. The mount layout only
// changes across reboots, so it is read again rather than saved.
func Load(paths map[string]string) (Manager, error) {
	hs, err := discover()
	if err != nil {
		return nil, err
	}
	mountOf := map[string]string{}
	for _, h := range hs {
		for _, k := range h.keys() {
			mountOf[k] = h.mountpoint
		}
	}
	m := &manager{paths: map[string]string{}, mounts: map[string]string{}}
	for k, dir := range paths {
		mp, ok := mountOf[k]
		if !ok {
			// The hierarchy is not mounted here, so nothing of the
			// container can be in it: there is nothing to manage.
			continue
		}
		if !filepath.IsAbs(dir) || filepath.Clean(dir) != dir {
			return nil, fmt.Errorf("load cgroup paths: %q for %s is not a clean absolute path", dir, keyName(k))
		}
		// A path equal to the mount would make Destroy kill the host.
		if dir == mp || !isUnder(dir, mp) {
			return nil, fmt.Errorf("load cgroup paths: %s is not below %s, where %s is mounted", dir, mp, keyName(k))
		}
		m.paths[k] = dir
		m.mounts[k] = mp
	}
	if len(m.paths) == 0 {
		return nil, errors.New("load cgroup paths: none of the saved hierarchies is mounted")
	}
	return m, nil
}

func (m *manager) Paths() map[string]string {
	out := make(map[string]string, len(m.paths))
	for k, v := range m.paths {
		out[k] = v
	}
	return out
}

// dirs lists each directory once (co-mounted controllers share one), in a
// fixed order so behaviour and errors are reproducible.
func (m *manager) dirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range m.paths {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

func (m *manager) v2Dir() (string, bool) {
	d, ok := m.paths[""]
	return d, ok
}

// mode is derived from the hierarchies this manager spans.
func (m *manager) mode() Mode {
	var realV1 bool
	for k := range m.paths {
		if k != "" && !strings.HasPrefix(k, "name=") {
			realV1 = true
		}
	}
	_, v2 := m.paths[""]
	switch {
	case realV1 && v2:
		return Hybrid
	case v2:
		return Unified
	}
	return Legacy
}

// keyName renders a Paths() key for messages.
func keyName(k string) string {
	if k == "" {
		return "cgroup2"
	}
	return "the " + k + " hierarchy"
}
