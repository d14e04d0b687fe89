package spec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxListID bounds CPU and NUMA node numbers in lists; the kernel's own
// limits (NR_CPUS, MAX_NUMNODES) are far lower, and the bound keeps a typo
// like "0-4000000000" from looking plausible to whoever builds the mask.
const maxListID = 1 << 16

// parseIDList checks a kernel "list format" string of CPUs or memory nodes:
// comma-separated numbers and inclusive ranges, e.g. "0-3,7" (config.md
// "Linux Process" execCPUAffinity, config-linux.md "Memory policy").
func parseIDList(s string) error {
	_, err := IDList(s)
	return err
}

// IDList returns the numbers a kernel "list format" string names, in the
// order written.
func IDList(s string) ([]int, error) {
	var ids []int
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := parseListID(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parseListID(hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("range %q is reversed", part)
			}
		}
		for id := a; id <= b; id++ {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func parseListID(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty element (want e.g. \"0-3,7\")")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxListID {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

// CPUSet turns a kernel "list format" string of CPUs into the mask
// sched_setaffinity takes; a CPU beyond the mask is an error, not dropped.
func CPUSet(s string) (unix.CPUSet, error) {
	var set unix.CPUSet
	ids, err := IDList(s)
	if err != nil {
		return set, fmt.Errorf("%q: %w", s, err)
	}
	for _, id := range ids {
		if id >= len(set)*64 {
			return set, fmt.Errorf("%q: CPU %d is beyond the %d this build handles", s, id, len(set)*64)
		}
		set.Set(id)
	}
	return set, nil
}
