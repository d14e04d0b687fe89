package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// defaultParent holds containers whose config has no cgroupsPath: the
// hierarchy root, as runc does, so that nothing shared is left behind once
// the last container is deleted.
const defaultParent = "/"

// cleanCgroupsPath turns linux.cgroupsPath into a clean absolute or relative
// path, refusing anything that would escape or reuse an existing cgroup.
func cleanCgroupsPath(cgroupsPath, id string) (string, error) {
	if cgroupsPath == "" {
		if id == "" || id == "." || id == ".." || strings.Contains(id, "/") {
			return "", fmt.Errorf("cgroup path for container %q: id cannot name a cgroup directory", id)
		}
		return path.Join(defaultParent, id), nil
	}
	if looksLikeSystemd(cgroupsPath) {
		return "", fmt.Errorf("cgroupsPath %q: slice:prefix:name paths need the systemd cgroup driver: %w", cgroupsPath, ErrNoSystemdDriver())
	}
	p := path.Clean(cgroupsPath)
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("cgroupsPath %q: must not contain \"..\"", cgroupsPath)
		}
	}
	// "/" or "." would put the container in a cgroup it shares with others,
	// and Destroy would then kill and remove someone else's processes.
	if p == "/" || p == "." {
		return "", fmt.Errorf("cgroupsPath %q: must name a cgroup of the container's own", cgroupsPath)
	}
	return p, nil
}

// looksLikeSystemd spots the "slice:prefix:name" form container managers
// send to the systemd driver; as a directory name it would silently create
// a cgroup nobody asked for.
func looksLikeSystemd(p string) bool {
	if strings.Contains(p, "/") {
		return false
	}
	parts := strings.Split(p, ":")
	return len(parts) == 3 && (parts[0] == "" || strings.HasSuffix(parts[0], ".slice"))
}

// resolvePaths maps a cleaned cgroupsPath onto every hierarchy. Relative
// paths start at our own cgroup (as the OCI spec says), which can differ
// per hierarchy.
func resolvePaths(hs []hierarchy, p string) (paths, mounts map[string]string, err error) {
	paths, mounts = map[string]string{}, map[string]string{}
	for _, h := range hs {
		sub := p
		if !path.IsAbs(p) {
			base, err := relToRoot(h.current, h.root)
			if err != nil {
				return nil, nil, err
			}
			sub = path.Join(base, p)
		}
		dir := filepath.Join(h.mountpoint, filepath.FromSlash(sub))
		for _, k := range h.keys() {
			paths[k] = dir
			mounts[k] = h.mountpoint
		}
	}
	return paths, mounts, nil
}

// relToRoot gives cur relative to the part of the hierarchy that is
// mounted, as a rooted path.
func relToRoot(cur, root string) (string, error) {
	if !isUnder(cur, root) {
		return "", fmt.Errorf("resolve relative cgroupsPath: our cgroup %s is outside %s, the part of the hierarchy that is mounted", cur, root)
	}
	if root == "/" {
		return path.Clean(cur), nil
	}
	return "/" + strings.TrimPrefix(strings.TrimPrefix(path.Clean(cur), path.Clean(root)), "/"), nil
}

// ErrNoSystemdDriver says why the systemd cgroup driver cannot be used
// here: systemd does not run, or (where it does) skiff has no driver for
// it yet. Either way skiff refuses rather than fall back to cgroupfs
// behind the caller's back.
func ErrNoSystemdDriver() error {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return errors.New("systemd is not running on this host (no /run/systemd/system); use a cgroupfs path and no --systemd-cgroup")
	}
	return errors.New("skiff has no systemd cgroup driver yet; use a cgroupfs path and no --systemd-cgroup")
}
