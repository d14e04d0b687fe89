package spec

import (
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// timeClocks are the clocks a time namespace can offset
// (time_namespaces(7), /proc/[pid]/timens_offsets).
var timeClocks = map[string]bool{
	"monotonic": true,
	"boottime":  true,
}

// checkTimeOffsets checks linux.timeOffsets (config-linux.md "Offset for
// Time Namespace"). Offsets can only be written before any process enters
// the namespace (time_namespaces(7)), so they need a new time namespace, not
// a joined one.
func checkTimeOffsets(s *specs.Spec) error {
	if s.Linux == nil || len(s.Linux.TimeOffsets) == 0 {
		return nil
	}
	clocks := make([]string, 0, len(s.Linux.TimeOffsets))
	for c := range s.Linux.TimeOffsets {
		clocks = append(clocks, c)
	}
	sort.Strings(clocks)
	for _, c := range clocks {
		f := joinKey("linux.timeOffsets", c)
		if !timeClocks[c] {
			return errorf(f, "unknown clock %q (want monotonic or boottime)", c)
		}
		if ns := s.Linux.TimeOffsets[c].Nanosecs; ns >= 1e9 {
			return errorf(f+".nanosecs", "%d is not below 1000000000", ns)
		}
	}
	i := namespaceIndex(s, specs.TimeNamespace)
	if i < 0 {
		return errorf("linux.timeOffsets", "requires a new time namespace (linux.namespaces has none)")
	}
	if s.Linux.Namespaces[i].Path != "" {
		return errorf("linux.timeOffsets", "requires a new time namespace (linux.namespaces[%d] joins an existing one)", i)
	}
	return nil
}
