package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/internal/caps"
)

// checkCapabilities rejects capability names that are not in
// capabilities(7), such as typos or names without the CAP_ prefix.
//
// config.md "Linux Process" asks only for a warning when a capability
// "cannot be granted" (e.g. a name this host's kernel predates), so only
// names unknown to Linux altogether are errors here, under config.md "Valid
// values" (runtimes MUST error on invalid values). Whether the running
// kernel supports a known capability is for the capabilities code to warn
// about when it applies them.
func checkCapabilities(c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	sets := []struct {
		name string
		caps []string
	}{
		{"bounding", c.Bounding},
		{"effective", c.Effective},
		{"inheritable", c.Inheritable},
		{"permitted", c.Permitted},
		{"ambient", c.Ambient},
	}
	for _, set := range sets {
		for i, name := range set.caps {
			if _, err := caps.Parse(name); err != nil {
				return errorf(at("process.capabilities."+set.name, i), "unknown capability %q", name)
			}
		}
	}
	return nil
}
