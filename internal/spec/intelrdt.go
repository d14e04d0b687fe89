package spec

import (
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// checkIntelRdt checks linux.intelRdt (config-linux.md "IntelRdt"): memBwSchema
// MUST start with "MB:"; no schema line may contain a newline (each is one
// line of the resctrl schemata file); closID names one directory under the
// resctrl mount, or is "/" for the root group.
func checkIntelRdt(l *specs.Linux) error {
	if l == nil || l.IntelRdt == nil {
		return nil
	}
	r := l.IntelRdt
	const f = "linux.intelRdt"
	if c := r.ClosID; c != "" && c != "/" {
		if c == "." || c == ".." || strings.ContainsAny(c, "/\n\x00") {
			return errorf(f+".closID", "%q is not a valid resctrl group name", c)
		}
	}
	if strings.ContainsAny(r.L3CacheSchema, "\n\x00") {
		return errorf(f+".l3CacheSchema", "must be a single line")
	}
	if r.MemBwSchema != "" {
		if !strings.HasPrefix(r.MemBwSchema, "MB:") {
			return errorf(f+".memBwSchema", "%q does not start with \"MB:\"", r.MemBwSchema)
		}
		if strings.ContainsAny(r.MemBwSchema, "\n\x00") {
			return errorf(f+".memBwSchema", "must be a single line")
		}
	}
	for i, line := range r.Schemata {
		if strings.ContainsAny(line, "\n\x00") {
			return errorf(at(f+".schemata", i), "must be a single line")
		}
	}
	return nil
}
