package libinit

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
)

// cgroupHierarchy is one cgroup filesystem of the host as this process
// sees it: a v1 hierarchy with its controllers, or the v2 one.
type cgroupHierarchy struct {
	mountPoint string
	v2         bool
	opts       string // v1 super options naming the controllers, e.g. "cpu,cpuacct"
}

// mountCgroup gives the container a cgroup filesystem at m.Destination.
// With a cgroup namespace each hierarchy is mounted fresh, so the container
// sees its own cgroup as the root. Without one, the container's own cgroup
// directories are bind-mounted from the host. On a v1 or hybrid host the
// destination is a tmpfs holding one directory per hierarchy, as on the
// host itself.
func mountCgroup(rootFd int, cfg *handshake.Config, m specs.Mount, o mountOpts) error {
	hier, err := cgroupHierarchies()
	if err != nil {
		return err
	}
	ownNS := hasNewNamespace(cfg.Spec, "cgroup") || joinsNamespace(cfg.Spec, "cgroup")
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
	dst, err := mkdirAllInRoot(rootFd, m.Destination, false)
	if err != nil {
		return err
	}
	defer unix.Close(dst)

	if len(v1) == 0 {
		if v2 == nil {
			return fmt.Errorf("no cgroup filesystem on this host")
		}
		reopen := func() (int, error) { return openInRoot(rootFd, m.Destination) }
		return mountOneCgroup(fdPath(dst), reopen, *v2, ownNS, flags, readonly)
	}
	if err := unix.Mount("tmpfs", fdPath(dst), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=755"); err != nil {
		return fmt.Errorf("mount tmpfs: %w", err)
	}
	// Reopen: the fd still names the directory under the new tmpfs.
	top, err := openInRoot(rootFd, m.Destination)
	if err != nil {
		return &pathError{"open", m.Destination, err}
	}
	defer unix.Close(top)
	all := v1
	if v2 != nil {
		all = append(all, *v2)
	}
	for _, h := range all {
		name := filepath.Base(h.mountPoint)
		if err := unix.Mkdirat(top, name, 0o755); err != nil {
			return fmt.Errorf("mkdir %s: %w", name, err)
		}
		sub, err := unix.Openat(top, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		reopen := func() (int, error) {
			return unix.Openat(top, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
		err = mountOneCgroup(fdPath(sub), reopen, h, ownNS, flags, readonly)
		unix.Close(sub)
		if err != nil {
			return err
		}
		// "cpu,cpuacct" is reachable as "cpu" and "cpuacct" too.
		if !h.v2 && strings.Contains(name, ",") {
			for _, alias := range strings.Split(name, ",") {
				if err := unix.Symlinkat(name, top, alias); err != nil && err != unix.EEXIST {
					return fmt.Errorf("symlink %s: %w", alias, err)
				}
			}
		}
	}
	if readonly {
		if err := remount(fdPath(top), unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC); err != nil {
			return err
		}
	}
	return nil
}

// mountOneCgroup mounts one hierarchy at target. reopen gives a fresh fd
// of the destination once something is mounted there: target, a
// /proc/self/fd path, still names the directory underneath, and a remount
// through it fails with EINVAL.
func mountOneCgroup(target string, reopen func() (int, error), h cgroupHierarchy, ownNS bool, flags uintptr, readonly bool) error {
	if readonly {
		flags |= unix.MS_RDONLY
	}
	if ownNS {
		typ, data := "cgroup", h.opts
		if h.v2 {
			typ, data = "cgroup2", ""
		}
		if err := unix.Mount("cgroup", target, typ, flags, data); err != nil {
			return fmt.Errorf("mount %s %s: %w", typ, data, err)
		}
		return nil
	}
	src, err := ownCgroupDir(h)
	if err != nil {
		return err
	}
	if err := unix.Mount(src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	fd, err := reopen()
	if err != nil {
		return fmt.Errorf("reopen the bind of %s: %w", src, err)
	}
	defer unix.Close(fd)
	return remount(fdPath(fd), flags|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC)
}

// cgroupHierarchies lists the host's cgroup mounts, one per hierarchy.
func cgroupHierarchies() ([]cgroupHierarchy, error) {
	mounts, err := readMountInfo()
	if err != nil {
		return nil, fmt.Errorf("read mountinfo: %w", err)
	}
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
	return out, nil
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

// ownCgroupDir finds this process's cgroup directory in hierarchy h.
func ownCgroupDir(h cgroupHierarchy) (string, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if h.v2 && parts[0] == "0" && parts[1] == "" || !h.v2 && parts[1] == h.opts {
			return filepath.Join(h.mountPoint, parts[2]), nil
		}
	}
	return "", fmt.Errorf("no cgroup of this process in %s", h.mountPoint)
}
