package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateIntelRdt(t *testing.T) {
	set := func(r specs.LinuxIntelRdt) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.IntelRdt = &r }
	}
	runValidateCases(t, []validateCase{
		{"schemata", set(specs.LinuxIntelRdt{ClosID: "guaranteed_group",
			Schemata: []string{"L3:0=7f0;1=1f", "L2:0=f;1=f;2=f;3=f", "MB:0=20;1=70"}}), ""},
		{"l3 and mb", set(specs.LinuxIntelRdt{L3CacheSchema: "L3:0=ffff0;1=3ff", MemBwSchema: "MB:0=20;1=70", EnableMonitoring: true}), ""},
		{"root clos", set(specs.LinuxIntelRdt{ClosID: "/"}), ""},
		{"bad clos", set(specs.LinuxIntelRdt{ClosID: "a/b"}),
			`config.json: linux.intelRdt.closID: "a/b" is not a valid resctrl group name`},
		{"dotdot clos", set(specs.LinuxIntelRdt{ClosID: ".."}),
			`config.json: linux.intelRdt.closID: ".." is not a valid resctrl group name`},
		{"mb prefix", set(specs.LinuxIntelRdt{MemBwSchema: "0=20"}),
			`config.json: linux.intelRdt.memBwSchema: "0=20" does not start with "MB:"`},
		{"mb newline", set(specs.LinuxIntelRdt{MemBwSchema: "MB:0=20\nL3:0=f"}),
			"config.json: linux.intelRdt.memBwSchema: must be a single line"},
		{"l3 newline", set(specs.LinuxIntelRdt{L3CacheSchema: "L3:0=f\n"}),
			"config.json: linux.intelRdt.l3CacheSchema: must be a single line"},
		{"schemata newline", set(specs.LinuxIntelRdt{Schemata: []string{"L3:0=f", "MB:0=1\nMB:1=2"}}),
			"config.json: linux.intelRdt.schemata[1]: must be a single line"},
	})
}

func TestValidateMemoryPolicy(t *testing.T) {
	set := func(p specs.LinuxMemoryPolicy) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.MemoryPolicy = &p }
	}
	runValidateCases(t, []validateCase{
		{"interleave", set(specs.LinuxMemoryPolicy{Mode: specs.MpolInterleave, Nodes: "2-3",
			Flags: []specs.MemoryPolicyFlagType{specs.MpolFStaticNodes}}), ""},
		{"default", set(specs.LinuxMemoryPolicy{Mode: specs.MpolDefault}), ""},
		{"preferred local", set(specs.LinuxMemoryPolicy{Mode: specs.MpolPreferred}), ""},
		{"no mode", set(specs.LinuxMemoryPolicy{}), "config.json: linux.memoryPolicy.mode: required"},
		{"unknown mode", set(specs.LinuxMemoryPolicy{Mode: "MPOL_X"}),
			`config.json: linux.memoryPolicy.mode: unknown mode "MPOL_X"`},
		{"unknown flag", set(specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0", Flags: []specs.MemoryPolicyFlagType{"MPOL_F_X"}}),
			`config.json: linux.memoryPolicy.flags[0]: unknown flag "MPOL_F_X"`},
		{"bad nodes", set(specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0-"}),
			`config.json: linux.memoryPolicy.nodes: "0-": empty element`},
		{"bind without nodes", set(specs.LinuxMemoryPolicy{Mode: specs.MpolBind}),
			"config.json: linux.memoryPolicy.nodes: MPOL_BIND needs at least one node"},
		{"local with nodes", set(specs.LinuxMemoryPolicy{Mode: specs.MpolLocal, Nodes: "0"}),
			"config.json: linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL"},
	})
}

func TestValidatePersonality(t *testing.T) {
	set := func(p specs.LinuxPersonality) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.Personality = &p }
	}
	runValidateCases(t, []validateCase{
		{"linux", set(specs.LinuxPersonality{Domain: specs.PerLinux}), ""},
		{"linux32", set(specs.LinuxPersonality{Domain: specs.PerLinux32}), ""},
		{"no domain", set(specs.LinuxPersonality{}), "config.json: linux.personality.domain: required"},
		{"unknown domain", set(specs.LinuxPersonality{Domain: "LINUX64"}),
			`config.json: linux.personality.domain: unknown domain "LINUX64" (want LINUX or LINUX32)`},
		{"flags", set(specs.LinuxPersonality{Domain: specs.PerLinux, Flags: []specs.LinuxPersonalityFlag{"ADDR_NO_RANDOMIZE"}}),
			`config.json: linux.personality.flags[0]: unsupported flag "ADDR_NO_RANDOMIZE"`},
	})
}

// TestValidateIgnoresResources pins that linux.resources is the cgroups
// package's business: nonsense there does not fail Validate.
func TestValidateIgnoresResources(t *testing.T) {
	runValidateCases(t, []validateCase{
		{"odd resources", func(s *specs.Spec) {
			s.Linux.CgroupsPath = "not/validated:here"
			s.Linux.Resources = &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: true, Type: "zz", Access: "q"}},
				Pids:    &specs.LinuxPids{Limit: ptr(int64(-5))},
			}
		}, ""},
	})
}
