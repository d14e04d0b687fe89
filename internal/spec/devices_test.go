package spec

import (
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateDevices(t *testing.T) {
	set := func(d ...specs.LinuxDevice) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.Devices = d }
	}
	fuse := specs.LinuxDevice{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: ptr(os.FileMode(0o666)), UID: ptr(uint32(0)), GID: ptr(uint32(0))}
	runValidateCases(t, []validateCase{
		{"char block fifo unbuffered", set(
			fuse,
			specs.LinuxDevice{Path: "/dev/sda", Type: "b", Major: 8, Minor: 0},
			specs.LinuxDevice{Path: "/dev/ttyS0", Type: "u", Major: 4, Minor: 64},
			specs.LinuxDevice{Path: "/run/fifo", Type: "p"},
		), ""},
		{"unknown type", set(specs.LinuxDevice{Path: "/dev/x", Type: "x", Major: 1, Minor: 1}),
			`config.json: linux.devices[0].type: unknown device type "x" (want c, b, u or p)`},
		{"no type", set(specs.LinuxDevice{Path: "/dev/x", Major: 1, Minor: 1}),
			"config.json: linux.devices[0].type: required"},
		{"no path", set(specs.LinuxDevice{Type: "c", Major: 1, Minor: 3}),
			"config.json: linux.devices[0].path: required"},
		{"relative path", set(fuse, specs.LinuxDevice{Path: "dev/null", Type: "c", Major: 1, Minor: 3}),
			`config.json: linux.devices[1].path: "dev/null" is not an absolute path`},
		{"root path", set(specs.LinuxDevice{Path: "/", Type: "c", Major: 1, Minor: 3}),
			"config.json: linux.devices[0].path: must not be /"},
		{"duplicate path", set(fuse, specs.LinuxDevice{Path: "/dev//fuse", Type: "c", Major: 10, Minor: 229}),
			"config.json: linux.devices[1].path: duplicate device /dev/fuse (also linux.devices[0])"},
		{"no major minor", set(specs.LinuxDevice{Path: "/dev/x", Type: "b"}),
			`config.json: linux.devices[0]: major and minor are required for type "b"`},
		{"negative major", set(specs.LinuxDevice{Path: "/dev/x", Type: "c", Major: -1, Minor: 1}),
			"config.json: linux.devices[0].major: -1 is out of range [0, 4095]"},
		{"huge minor", set(specs.LinuxDevice{Path: "/dev/x", Type: "c", Major: 1, Minor: 1 << 20}),
			"config.json: linux.devices[0].minor: 1048576 is out of range [0, 1048575]"},
		{"file type in mode", set(specs.LinuxDevice{Path: "/dev/x", Type: "c", Major: 1, Minor: 3, FileMode: ptr(os.FileMode(0o20666))}),
			"config.json: linux.devices[0].fileMode: 8630 has bits other than permissions"},
	})
}

func TestValidateNetDevices(t *testing.T) {
	set := func(d map[string]specs.LinuxNetDevice) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Linux.NetDevices = d }
	}
	runValidateCases(t, []validateCase{
		{"move and rename", set(map[string]specs.LinuxNetDevice{
			"eth1": {}, "eth0": {Name: "container_eth0"}, "dummy0": {Name: "net%d"}, "dummy1": {Name: "net%d"},
		}), ""},
		{"bad host name", set(map[string]specs.LinuxNetDevice{"a/b": {}}),
			`config.json: linux.netDevices: "a/b" is not a valid interface name`},
		{"too long", set(map[string]specs.LinuxNetDevice{"eth0": {Name: "abcdefghijklmnop"}}),
			`config.json: linux.netDevices.eth0.name: "abcdefghijklmnop" is not a valid interface name`},
		{"same target", set(map[string]specs.LinuxNetDevice{"eth0": {Name: "x"}, "eth1": {Name: "x"}}),
			`config.json: linux.netDevices.eth1.name: "x" is also the container name of "eth0"`},
		{"target equals other host name", set(map[string]specs.LinuxNetDevice{"eth0": {}, "eth1": {Name: "eth0"}}),
			`config.json: linux.netDevices.eth1.name: "eth0" is also the container name of "eth0"`},
		{"no netns", func(s *specs.Spec) {
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth0": {}}
			s.Linux.Namespaces = ns("uts")
		}, "config.json: linux.netDevices: requires a new or joined network namespace (linux.namespaces has none)"},
	})
}
