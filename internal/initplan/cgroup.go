package initplan

import (
	"fmt"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
)

// cgroupHierarchy is one cgroup filesystem of the host as init sees it: a
// v1 hierarchy with its controllers, or the v2 one.
type cgroupHierarchy struct {
	mountPoint string
	v2         bool
	opts       string // v1 super options naming the controllers, e.g. "cpu,cpuacct"
}

// cgroupMount gives the container a cgroup filesystem at m.Destination.
// With a cgroup namespace each hierarchy is mounted fresh, so the container
// sees its own cgroup as the root. Without one, the container's own cgroup
// directories are bind-mounted from the host. On a v1 or hybrid host the
// destination is a tmpfs holding one directory per hierarchy, as on the
// host itself.
func (p *Plan) cgroupMount(ctx string, cfg *handshake.Config, host *Host, mounts []mountInfo, m specs.Mount, o mountOpts) error {
	hier := cgroupHierarchies(mounts)
	ownNS := hasAnyNamespace(cfg.Spec, specs.CgroupNamespace)
	flags := o.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_RDONLY)
	readonly := o.flags&unix.MS_RDONLY != 0
	var v1 []cgroupHierarchy
	var v2 *cgroupHierarchy
	for i := range hier {
		if hier[i].v2 {
			v2 = &hier[i]
		} else {
			v1 = append(v1, hier[i])
		}
	}
	all := v1
	if v2 != nil {
		all = append(all, *v2)
	}
	if len(all) == 0 {
		return fmt.Errorf("%s: no cgroup filesystem on this host", ctx)
	}
	tree := len(v1) > 0
	args := []any{m.Destination, flags, readonly, tree}
	for _, h := range all {
		name := filepath.Base(h.mountPoint)
		switch {
		case ownNS && h.v2:
			args = append(args, name, "cgroup2", "", "")
		case ownNS:
			args = append(args, name, "cgroup", h.opts, "")
		default:
			src, err := ownCgroupDir(host.Cgroup, h)
			if err != nil {
				return fmt.Errorf("%s: %w", ctx, err)
			}
			args = append(args, name, "bind", "", src)
		}
	}
	p.add(OpCgroupAt, ctx, args...)
	return nil
}

// cgroupHierarchies lists the host's cgroup mounts, one per hierarchy.
func cgroupHierarchies(mounts []mountInfo) []cgroupHierarchy {
	var out []cgroupHierarchy
	seen := map[string]bool{}
	for _, m := range mounts {
		var h cgroupHierarchy
		switch m.fsType {
		case "cgroup2":
			h = cgroupHierarchy{mountPoint: m.mountPoint, v2: true}
		case "cgroup":
			h = cgroupHierarchy{mountPoint: m.mountPoint, opts: v1Controllers(m.superOpts)}
		default:
			continue
		}
		key := fmt.Sprint(h.v2, h.opts)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, h)
	}
	return out
}

// v1Controllers keeps the options of a v1 cgroup mount that select
// controllers (and name=), dropping rw/relatime and the like.
func v1Controllers(superOpts string) string {
	var keep []string
	for _, o := range strings.Split(superOpts, ",") {
		switch {
		case o == "rw" || o == "ro" || o == "relatime" || o == "noprefix" || o == "xattr" || o == "clone_children":
		case strings.HasPrefix(o, "release_agent="):
		default:
			keep = append(keep, o)
		}
	}
	return strings.Join(keep, ",")
}

// ownCgroupDir finds init's cgroup directory in hierarchy h, from init's
// /proc/<pid>/cgroup.
func ownCgroupDir(procCgroup string, h cgroupHierarchy) (string, error) {
	for _, line := range strings.Split(procCgroup, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if h.v2 && parts[0] == "0" && parts[1] == "" || !h.v2 && parts[1] == h.opts {
			return filepath.Join(h.mountPoint, parts[2]), nil
		}
	}
	return "", fmt.Errorf("no cgroup of init in %s", h.mountPoint)
}
