package main

import (
	"encoding/json"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/caps"
	"github.com/skiffrt/skiff/internal/initplan"
	"github.com/skiffrt/skiff/internal/seccomp"
)

var featuresCommand = &cli.Command{
	Name:  "features",
	Usage: "print what this build of skiff supports (runtime-spec features.md)",
	Action: func(ctx *cli.Context) error {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "    ")
		return enc.Encode(featuresDocument())
	},
}

// featuresDocument describes this build: clients (containerd, CRI-O) read
// it to decide which config fields they may use, so every entry must be
// something skiff really applies.
func featuresDocument() *features.Features {
	yes, no := true, false
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"},
		MountOptions:  initplan.MountOptionNames(),
		Linux: &features.Linux{
			Namespaces:   []string{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"},
			Capabilities: caps.Names(),
			Cgroup: &features.Cgroup{
				V1: &yes, V2: &yes, Systemd: &no, SystemdUser: &no, Rdma: &yes,
			},
			Seccomp:  seccompFeatures(),
			Apparmor: &features.Apparmor{Enabled: &yes},
			Selinux:  &features.Selinux{Enabled: &yes},
			IntelRdt: &features.IntelRdt{Enabled: &no},
			MemoryPolicy: &features.MemoryPolicy{
				Modes: []string{"MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"},
				Flags: []string{"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"},
			},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: &yes}},
			NetDevices:      &features.NetDevices{Enabled: &yes},
		},
		Annotations: map[string]string{
			"io.github.skiffrt.skiff.version": version,
			"io.github.skiffrt.skiff.commit":  commit,
		},
	}
}

func seccompFeatures() *features.Seccomp {
	yes := true
	s := seccomp.Supported()
	return &features.Seccomp{
		Enabled:        &yes,
		Actions:        s.Actions,
		Operators:      s.Operators,
		Archs:          s.Archs,
		KnownFlags:     s.KnownFlags,
		SupportedFlags: s.SupportedFlags,
	}
}
