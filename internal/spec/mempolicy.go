package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Value lists of config-linux.md "Memory policy".
var (
	memoryPolicyModes = map[specs.MemoryPolicyModeType]bool{
		specs.MpolDefault:            true,
		specs.MpolBind:               true,
		specs.MpolInterleave:         true,
		specs.MpolWeightedInterleave: true,
		specs.MpolPreferred:          true,
		specs.MpolPreferredMany:      true,
		specs.MpolLocal:              true,
	}
	memoryPolicyFlags = map[specs.MemoryPolicyFlagType]bool{
		specs.MpolFNumaBalancing: true,
		specs.MpolFRelativeNodes: true,
		specs.MpolFStaticNodes:   true,
	}
)

// checkMemoryPolicy checks linux.memoryPolicy: known mode and flags, nodes in
// list format, and the node count set_mempolicy(2) demands: none for
// MPOL_DEFAULT and MPOL_LOCAL, at least one for the modes that spread or
// restrict allocations over a node set.
func checkMemoryPolicy(l *specs.Linux) error {
	if l == nil || l.MemoryPolicy == nil {
		return nil
	}
	p := l.MemoryPolicy
	const f = "linux.memoryPolicy"
	if p.Mode == "" {
		return errorf(f+".mode", "required")
	}
	if !memoryPolicyModes[p.Mode] {
		return errorf(f+".mode", "unknown mode %q", p.Mode)
	}
	for i, fl := range p.Flags {
		if !memoryPolicyFlags[fl] {
			return errorf(at(f+".flags", i), "unknown flag %q", fl)
		}
	}
	if p.Nodes != "" {
		if err := parseIDList(p.Nodes); err != nil {
			return errorf(f+".nodes", "%q: %v", p.Nodes, err)
		}
	}
	switch p.Mode {
	case specs.MpolDefault, specs.MpolLocal:
		if p.Nodes != "" {
			return errorf(f+".nodes", "must be empty for %s", p.Mode)
		}
	case specs.MpolBind, specs.MpolInterleave, specs.MpolWeightedInterleave, specs.MpolPreferredMany:
		if p.Nodes == "" {
			return errorf(f+".nodes", "%s needs at least one node", p.Mode)
		}
	}
	return nil
}
