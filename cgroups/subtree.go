package cgroups

import (
	"path/filepath"
	"slices"
	"strings"
)

// enableControllers makes controller usable in leaf by adding it to
// cgroup.subtree_control of every ancestor from the mount root down. The
// leaf's own subtree_control is left alone: a cgroup with controllers
// enabled for children may not hold processes.
func enableControllers(mountpoint, leaf, controller string) error {
	ancestors := append([]string{mountpoint}, chain(mountpoint, leaf)...)
	ancestors = ancestors[:len(ancestors)-1]
	for _, d := range ancestors {
		enabled, err := readWords(filepath.Join(d, "cgroup.subtree_control"))
		if err != nil {
			return err
		}
		if slices.Contains(enabled, controller) {
			continue
		}
		avail, err := readWords(filepath.Join(d, "cgroup.controllers"))
		if err != nil {
			return err
		}
		if !slices.Contains(avail, controller) {
			// Nothing to enable below this point; the caller sees the
			// controller missing from the leaf.
			return nil
		}
		if err := writeValue(filepath.Join(d, "cgroup.subtree_control"), "+"+controller); err != nil {
			return err
		}
	}
	return nil
}

func readWords(path string) ([]string, error) {
	s, err := readString(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(s), nil
}
