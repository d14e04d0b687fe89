package cgroups

import (
	"encoding/json"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzPlan feeds arbitrary linux.resources JSON to Validate for every host
// mode and, when it passes, to plan for a legacy, a unified and this
// hybrid host. Neither may panic; every error is one line naming a
// linux.resources field; every write goes to a plain file name in the
// container's own directory, with a value the kernel reads as one line.
func FuzzPlan(f *testing.F) {
	hybrid := fullResources()
	hybrid.Network, hybrid.Rdma = nil, nil
	for _, r := range []*specs.LinuxResources{fullResources(), v2Resources(), hybrid, {}} {
		data, err := json.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		`{"memory": {"limit": -1, "swap": -1}}`,
		`{"memory": {"limit": 1048576, "swap": 524288}}`,
		`{"cpu": {"quota": -1, "period": 0, "cpus": "0-1,3", "mems": "0"}}`,
		`{"pids": {"limit": 0}}`,
		`{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": -1, "access": "r"}]}`,
		`{"hugepageLimits": [{"pageSize": "1GB", "limit": 0}]}`,
		`{"unified": {"memory.high": "max", "io.max": "8:0 rbps=1048576"}}`,
		`{"blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 0}]}}`,
	} {
		f.Add([]byte(seed))
	}
	hosts := []struct {
		name string
		f    features
	}{
		{"legacy", features{v1: allV1()}},
		{"unified", features{v2: allV2()}},
		{"hybrid", thisHost()},
	}
	oneLine := func(t *testing.T, what string, err error) {
		msg := err.Error()
		if !strings.HasPrefix(msg, "linux.resources") {
			t.Fatalf("%s: error %q does not name a linux.resources field", what, msg)
		}
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("%s: error %q is not one line", what, msg)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r specs.LinuxResources
		if json.Unmarshal(data, &r) != nil {
			return
		}
		for _, mode := range []Mode{Legacy, Hybrid, Unified} {
			if err := Validate(&r, mode); err != nil {
				oneLine(t, "Validate "+mode.String(), err)
			}
		}
		if Validate(&r, Hybrid) != nil {
			return
		}
		for _, h := range hosts {
			ws, err := plan(&r, h.f)
			if err != nil {
				oneLine(t, "plan "+h.name, err)
				continue
			}
			for _, w := range ws {
				if w.file == "" || w.file == "." || w.file == ".." || strings.ContainsAny(w.file, "/\x00") {
					t.Fatalf("plan %s: write to %q, not a file name in the cgroup directory", h.name, w.file)
				}
				if !strings.HasPrefix(w.field, "linux.resources") {
					t.Fatalf("plan %s: write %+v names no linux.resources field", h.name, w)
				}
				// unified values are written as given: the kernel, not
				// skiff, judges them.
				if !strings.HasPrefix(w.field, fUnified) && strings.ContainsAny(w.value, "\n\x00") {
					t.Fatalf("plan %s: value %q for %s is not one line", h.name, w.value, w.file)
				}
			}
		}
	})
}
