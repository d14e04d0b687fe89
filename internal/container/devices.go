package container

import specs "github.com/opencontainers/runtime-spec/specs-go"

// defaultDeviceRules allow the devices every container gets (config-linux.md,
// "Default Devices") plus the pty devices: the spec requires them to work
// even when linux.resources.devices denies everything, as Docker's and
// `skiff spec`'s configs do.
var defaultDeviceRules = []specs.LinuxDeviceCgroup{
	{Allow: true, Type: "c", Major: i64(1), Minor: i64(3), Access: "rwm"},    // null
	{Allow: true, Type: "c", Major: i64(1), Minor: i64(5), Access: "rwm"},    // zero
	{Allow: true, Type: "c", Major: i64(1), Minor: i64(7), Access: "rwm"},    // full
	{Allow: true, Type: "c", Major: i64(1), Minor: i64(8), Access: "rwm"},    // random
	{Allow: true, Type: "c", Major: i64(1), Minor: i64(9), Access: "rwm"},    // urandom
	{Allow: true, Type: "c", Major: i64(5), Minor: i64(0), Access: "rwm"},    // tty
	{Allow: true, Type: "c", Major: i64(5), Minor: i64(2), Access: "rwm"},    // ptmx
	{Allow: true, Type: "c", Major: i64(136), Minor: nil, Access: "rwm"},     // pts/*
	{Allow: true, Type: "c", Major: i64(10), Minor: i64(200), Access: "rwm"}, // net/tun, as runc
}

func i64(v int64) *int64 { return &v }

// cgroupResources is linux.resources as written to the cgroup: when the
// config restricts devices, the default devices and every linux.devices
// entry are allowed after its own rules, as runc does. The stored spec is
// not changed.
func cgroupResources(l *specs.Linux) *specs.LinuxResources {
	if l.Resources == nil || len(l.Resources.Devices) == 0 {
		return l.Resources
	}
	r := *l.Resources
	r.Devices = append([]specs.LinuxDeviceCgroup{}, l.Resources.Devices...)
	r.Devices = append(r.Devices, defaultDeviceRules...)
	for _, d := range l.Devices {
		typ := d.Type
		switch typ {
		case "u":
			typ = "c" // unbuffered character device: a "c" to the cgroup
		case "p":
			continue // fifos are not subject to the device cgroup
		}
		r.Devices = append(r.Devices, specs.LinuxDeviceCgroup{
			Allow: true, Type: typ, Major: i64(d.Major), Minor: i64(d.Minor), Access: "rwm",
		})
	}
	return &r
}
