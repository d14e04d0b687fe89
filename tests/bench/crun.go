package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

const (
	hugetlbV1      = "/sys/fs/cgroup/hugetlb"
	unifiedSubtree = "/sys/fs/cgroup/unified/cgroup.subtree_control"
)

// fixCrun binds the hugetlb controller to a v1 hierarchy so that the
// cgroup2 hierarchy of this hybrid host holds no controller: Debian's
// crun 1.8 refuses to run otherwise ("cgroups in hybrid mode not
// supported"). It changes the host, so it only runs behind -fix-crun; the
// returned undo unmounts what it mounted. The kernel refuses the mount
// (EBUSY) while hugetlb is in use on cgroup2, e.g. enabled in the root's
// cgroup.subtree_control.
func fixCrun() (undo func(), msg string, err error) {
	if hugetlbOnV1() {
		return func() {}, "hugetlb already bound to a v1 hierarchy: nothing to do", nil
	}
	created := false
	if _, err := os.Stat(hugetlbV1); os.IsNotExist(err) {
		if err := os.Mkdir(hugetlbV1, 0o755); err != nil {
			return nil, "", fmt.Errorf("mkdir %s: %w", hugetlbV1, err)
		}
		created = true
	}
	// A runtime that set a hugetlb limit (the conformance suite does)
	// left hugetlb enabled in the cgroup2 root; that is undone when no
	// cgroup uses it any more, and refused (EBUSY) otherwise.
	disabledV2 := false
	if data, err := os.ReadFile(unifiedSubtree); err == nil && strings.Contains(" "+string(data)+" ", " hugetlb") {
		disabledV2 = os.WriteFile(unifiedSubtree, []byte("-hugetlb"), 0) == nil
	}
	err = syscall.Mount("cgroup", hugetlbV1, "cgroup", 0, "hugetlb")
	// The controller's cgroup2 state is freed asynchronously after it
	// is disabled; until then the v1 mount is refused with EBUSY.
	for wait := 0; err == syscall.EBUSY && disabledV2 && wait < 50; wait++ {
		time.Sleep(100 * time.Millisecond)
		err = syscall.Mount("cgroup", hugetlbV1, "cgroup", 0, "hugetlb")
	}
	if err != nil {
		if created {
			os.Remove(hugetlbV1)
		}
		err = fmt.Errorf("mount -t cgroup -o hugetlb cgroup %s: %w", hugetlbV1, err)
		if data, rerr := os.ReadFile(unifiedSubtree); rerr == nil && strings.Contains(" "+string(data)+" ", " hugetlb") {
			err = fmt.Errorf("%w (hugetlb is enabled in %s: %q)", err, unifiedSubtree, strings.TrimSpace(string(data)))
		}
		return nil, "", err
	}
	undo = func() {
		if err := syscall.Unmount(hugetlbV1, 0); err != nil {
			progress("-fix-crun: umount %s: %v (left mounted)", hugetlbV1, err)
			return
		}
		if created {
			os.Remove(hugetlbV1)
		}
	}
	msg = fmt.Sprintf("-fix-crun: mounted the hugetlb controller at %s (cgroup v1) for crun; unmounted at the end", hugetlbV1)
	if disabledV2 {
		msg += "; hugetlb was disabled in " + unifiedSubtree + " first (left disabled)"
	}
	return undo, msg, nil
}

// hugetlbOnV1 reports whether a cgroup v1 hierarchy with hugetlb is mounted.
func hugetlbOnV1() bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ... - cgroup cgroup rw,hugetlb
		_, post, ok := strings.Cut(sc.Text(), " - ")
		fs := strings.Fields(post)
		if !ok || len(fs) < 3 || fs[0] != "cgroup" {
			continue
		}
		for _, o := range strings.Split(fs[2], ",") {
			if o == "hugetlb" {
				return true
			}
		}
	}
	return false
}
