package cgroups

import (
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v1Devices denies everything, then replays the rules in order, so the
// result is exactly the configured list whatever was there before.
func v1Devices(r *specs.LinuxResources, f v1Features) ([]write, error) {
	if len(r.Devices) == 0 || !f.controllers["devices"] {
		return nil, nil
	}
	ws := []write{{key: "devices", file: "devices.deny", value: "a", field: fDevices}}
	for i, d := range r.Devices {
		file := "devices.deny"
		if d.Allow {
			file = "devices.allow"
		}
		ws = append(ws, write{key: "devices", file: file, value: deviceRule(d), field: indexed(fDevices, i)})
	}
	return ws, nil
}

// deviceRule renders "type major:minor access"; an absent (or -1) number
// is the "*" wildcard, and type "a" needs nothing more.
func deviceRule(d specs.LinuxDeviceCgroup) string {
	t := d.Type
	if t == "" || t == "a" {
		return "a"
	}
	num := func(p *int64) string {
		if p == nil || *p < 0 {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	access := d.Access
	if access == "" {
		access = "rwm"
	}
	return t + " " + num(d.Major) + ":" + num(d.Minor) + " " + access
}

// setV2DevicesTODO would attach a BPF_CGROUP_DEVICE program to dir that
// enforces devices; cgroup2 has no devices files. Not implemented yet: it
// accepts every rule list and enforces nothing.
func setV2DevicesTODO(dir string, devices []specs.LinuxDeviceCgroup) error {
	_, _ = dir, devices
	return nil
}
