package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// checkPersonality checks linux.personality (config-linux.md "Personality"):
// domain is LINUX or LINUX32, and "Currently no flag values are supported",
// so any flag is an unsupported value (config.md "Valid values").
func checkPersonality(l *specs.Linux) error {
	if l == nil || l.Personality == nil {
		return nil
	}
	p := l.Personality
	switch p.Domain {
	case specs.PerLinux, specs.PerLinux32:
	case "":
		return errorf("linux.personality.domain", "required")
	default:
		return errorf("linux.personality.domain", "unknown domain %q (want LINUX or LINUX32)", p.Domain)
	}
	if len(p.Flags) > 0 {
		return errorf("linux.personality.flags[0]", "unsupported flag %q (the spec defines none)", p.Flags[0])
	}
	return nil
}
