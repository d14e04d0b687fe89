package container

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestCgroupResourcesAllowsDefaultAndConfiguredDevices(t *testing.T) {
	deny := []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
	l := &specs.Linux{
		Resources: &specs.LinuxResources{Devices: deny},
		Devices: []specs.LinuxDevice{
			{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229},
			{Path: "/dev/u", Type: "u", Major: 4, Minor: 1},
			{Path: "/dev/fifo", Type: "p"},
		},
	}
	r := cgroupResources(l)
	if got, want := len(r.Devices), 1+len(defaultDeviceRules)+2; got != want {
		t.Fatalf("got %d rules, want %d", got, want)
	}
	if r.Devices[0].Allow {
		t.Fatal("the config's own rules must come first")
	}
	last := r.Devices[len(r.Devices)-1]
	if last.Type != "c" || *last.Major != 4 || *last.Minor != 1 {
		t.Fatalf("unbuffered device rule = %+v, want c 4:1", last)
	}
	if len(l.Resources.Devices) != 1 {
		t.Fatal("the stored spec must not change")
	}
}

func TestCgroupResourcesLeavesUnrestrictedConfigs(t *testing.T) {
	l := &specs.Linux{Resources: &specs.LinuxResources{}}
	if r := cgroupResources(l); len(r.Devices) != 0 {
		t.Fatalf("no device rules in the config must stay none, got %d", len(r.Devices))
	}
}
