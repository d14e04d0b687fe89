package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func idmap(c, h, n uint32) specs.LinuxIDMapping {
	return specs.LinuxIDMapping{ContainerID: c, HostID: h, Size: n}
}

func TestValidateUserNamespace(t *testing.T) {
	withUserNS := func(uid, gid []specs.LinuxIDMapping) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
			s.Linux.UIDMappings, s.Linux.GIDMappings = uid, gid
		}
	}
	one := []specs.LinuxIDMapping{idmap(0, 1000, 1)}
	runValidateCases(t, []validateCase{
		{"mapped", withUserNS(one, one), ""},
		{"several ranges", withUserNS(
			[]specs.LinuxIDMapping{idmap(0, 1000, 1), idmap(1, 100000, 65536)},
			[]specs.LinuxIDMapping{idmap(0, 1000, 1), idmap(1, 100000, 65536)},
		), ""},
		{"full range", withUserNS(
			[]specs.LinuxIDMapping{idmap(0, 0, 4294967295)}, one), ""},
		{"no uid mappings", withUserNS(nil, one),
			"config.json: linux.uidMappings: required to create a new user namespace (linux.namespaces[6])"},
		{"no gid mappings", withUserNS(one, nil),
			"config.json: linux.gidMappings: required to create a new user namespace (linux.namespaces[6])"},
		{"size 0", withUserNS([]specs.LinuxIDMapping{idmap(0, 1000, 0)}, one),
			"config.json: linux.uidMappings[0].size: must be greater than 0"},
		{"gid size 0", withUserNS(one, []specs.LinuxIDMapping{idmap(0, 1000, 1), idmap(5, 5, 0)}),
			"config.json: linux.gidMappings[1].size: must be greater than 0"},
		{"container overflow", withUserNS([]specs.LinuxIDMapping{idmap(4294967295, 0, 2)}, one),
			"config.json: linux.uidMappings[0]: containerID 4294967295 + size 2 overflows the 32-bit ID range"},
		{"host overflow", withUserNS([]specs.LinuxIDMapping{idmap(0, 4294967290, 10)}, one),
			"config.json: linux.uidMappings[0]: hostID 4294967290 + size 10 overflows the 32-bit ID range"},
		{"container overlap", withUserNS([]specs.LinuxIDMapping{idmap(0, 1000, 10), idmap(5, 5000, 10)}, one),
			"config.json: linux.uidMappings[1]: container range 5-14 overlaps linux.uidMappings[0]"},
		{"host overlap", withUserNS([]specs.LinuxIDMapping{idmap(0, 1000, 10), idmap(100, 1009, 10)}, one),
			"config.json: linux.uidMappings[1]: host range 1009-1018 overlaps linux.uidMappings[0]"},
		{"too many", withUserNS(func() []specs.LinuxIDMapping {
			var m []specs.LinuxIDMapping
			for i := range uint32(341) {
				m = append(m, idmap(i, i, 1))
			}
			return m
		}(), one), "config.json: linux.uidMappings: 341 entries is over the kernel limit of 340"},
		{"mappings without userns", func(s *specs.Spec) { s.Linux.UIDMappings = one },
			"config.json: linux.uidMappings: requires a user namespace (linux.namespaces has none)"},
		{"gid mappings without userns", func(s *specs.Spec) { s.Linux.GIDMappings = one },
			"config.json: linux.gidMappings: requires a user namespace (linux.namespaces has none)"},
		{"joined userns without mappings", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/proc/self/ns/user"})
		}, ""},
	})
}

func TestValidateTimeOffsets(t *testing.T) {
	set := func(off map[string]specs.LinuxTimeOffset, nsList ...specs.LinuxNamespace) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Linux.TimeOffsets = off
			s.Linux.Namespaces = append(s.Linux.Namespaces, nsList...)
		}
	}
	good := map[string]specs.LinuxTimeOffset{"monotonic": {Secs: -3600}, "boottime": {Secs: 1, Nanosecs: 999999999}}
	runValidateCases(t, []validateCase{
		{"new time ns", set(good, specs.LinuxNamespace{Type: "time"}), ""},
		{"no time ns", set(good),
			"config.json: linux.timeOffsets: requires a new time namespace (linux.namespaces has none)"},
		{"joined time ns", set(good, specs.LinuxNamespace{Type: "time", Path: "/proc/self/ns/time"}),
			"config.json: linux.timeOffsets: requires a new time namespace (linux.namespaces[6] joins an existing one)"},
		{"unknown clock", set(map[string]specs.LinuxTimeOffset{"realtime": {}}, specs.LinuxNamespace{Type: "time"}),
			`config.json: linux.timeOffsets.realtime: unknown clock "realtime"`},
		{"nanosecs", set(map[string]specs.LinuxTimeOffset{"boottime": {Nanosecs: 1e9}}, specs.LinuxNamespace{Type: "time"}),
			"config.json: linux.timeOffsets.boottime.nanosecs: 1000000000 is not below 1000000000"},
	})
}
