package cgroups

import (
	"path/filepath"
	"strings"
)

// initCpuset fills empty cpuset.cpus/cpuset.mems from the parent, top down.
// A new v1 cpuset cgroup starts with both empty and refuses tasks (ENOSPC)
// until they are set; cgroup.clone_children is off on most hosts.
func initCpuset(mountpoint, dir string) error {
	for _, d := range chain(mountpoint, dir) {
		parent := filepath.Dir(d)
		for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
			cur, err := readString(filepath.Join(d, file))
			if err != nil {
				return err
			}
			if cur != "" {
				continue
			}
			v, err := readString(filepath.Join(parent, file))
			if err != nil {
				return err
			}
			if err := writeValue(filepath.Join(d, file), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// chain lists the directories strictly below mountpoint down to dir.
func chain(mountpoint, dir string) []string {
	rel, err := filepath.Rel(mountpoint, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	var out []string
	cur := mountpoint
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		out = append(out, cur)
	}
	return out
}
