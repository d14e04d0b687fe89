package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateMounts(t *testing.T) {
	add := func(m ...specs.Mount) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Mounts = append(s.Mounts, m...) }
	}
	n := len(Default(false).Mounts) // index of the first added mount
	idx := func(field string) string { return at("mounts", n) + field }
	one := []specs.LinuxIDMapping{idmap(0, 1000, 1)}
	runValidateCases(t, []validateCase{
		{"tmpfs", add(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}}), ""},
		{"bind without type", add(specs.Mount{Destination: "/data", Source: "/volumes/testing",
			Options: []string{"rbind", "rw"}}), ""},
		{"bind relative source", add(specs.Mount{Destination: "/data", Type: "none", Source: "data",
			Options: []string{"bind"}}), ""},
		{"relative destination accepted", add(specs.Mount{Destination: "data", Type: "tmpfs", Source: "tmpfs"}), ""},
		{"fs-specific options accepted", add(specs.Mount{Destination: "/x", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"huge=within_size", "nr_inodes=1k", "rro", "nosymfollow", "tmpcopyup"}}), ""},
		{"no destination", add(specs.Mount{Type: "tmpfs", Source: "tmpfs"}),
			"config.json: " + idx(".destination") + ": required"},
		{"no type", add(specs.Mount{Destination: "/x", Source: "tmpfs"}),
			"config.json: " + idx(".type") + ": required unless options include bind or rbind"},
		{"empty option", add(specs.Mount{Destination: "/x", Type: "tmpfs", Options: []string{"ro", ""}}),
			"config.json: " + idx(".options[1]") + ": empty option"},
		{"nul in option", add(specs.Mount{Destination: "/x", Type: "tmpfs", Options: []string{"mode=7\x0055"}}),
			"config.json: " + idx(".options[0]") + ": contains a NUL byte"},
		{"nul in destination", add(specs.Mount{Destination: "/x\x00", Type: "tmpfs"}),
			"config.json: " + idx(".destination") + ": contains a NUL byte"},
		{"nul in source", add(specs.Mount{Destination: "/x", Type: "tmpfs", Source: "a\x00"}),
			"config.json: " + idx(".source") + ": contains a NUL byte"},
		{"idmap with mappings", add(specs.Mount{Destination: "/x", Type: "none", Source: "/src",
			Options: []string{"rbind", "ridmap"}, UIDMappings: one, GIDMappings: one}), ""},
		{"idmap using userns", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
			s.Linux.UIDMappings, s.Linux.GIDMappings = one, one
			add(specs.Mount{Destination: "/x", Type: "none", Source: "/src", Options: []string{"bind", "idmap"}})(s)
		}, ""},
		{"idmap without anything", add(specs.Mount{Destination: "/x", Type: "none", Source: "/src",
			Options: []string{"bind", "idmap"}}),
			"config.json: " + idx(".options") + ": idmap needs uidMappings and gidMappings, or a user namespace (linux.namespaces has none)"},
		{"uid without gid mappings", add(specs.Mount{Destination: "/x", Type: "none", Source: "/src",
			Options: []string{"bind", "idmap"}, UIDMappings: one}),
			"config.json: " + idx(".gidMappings") + ": required with uidMappings"},
		{"gid without uid mappings", add(specs.Mount{Destination: "/x", Type: "none", Source: "/src",
			Options: []string{"bind", "idmap"}, GIDMappings: one}),
			"config.json: " + idx(".uidMappings") + ": required with gidMappings"},
		{"bad mount mapping", add(specs.Mount{Destination: "/x", Type: "none", Source: "/src",
			Options: []string{"bind", "idmap"}, UIDMappings: []specs.LinuxIDMapping{idmap(0, 0, 0)}, GIDMappings: one}),
			"config.json: " + idx(".uidMappings[0].size") + ": must be greater than 0"},
	})
}

func TestValidateLinuxPaths(t *testing.T) {
	prop := func(p string) func(*specs.Spec) { return func(s *specs.Spec) { s.Linux.RootfsPropagation = p } }
	var cases []validateCase
	for _, p := range []string{"shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"} {
		cases = append(cases, validateCase{"propagation " + p, prop(p), ""})
	}
	cases = append(cases,
		validateCase{"unknown propagation", prop("rbind"),
			`config.json: linux.rootfsPropagation: unknown propagation "rbind"`},
		validateCase{"relative masked path", func(s *specs.Spec) { s.Linux.MaskedPaths = append(s.Linux.MaskedPaths, "proc/kcore") },
			`config.json: linux.maskedPaths[10]: "proc/kcore" is not an absolute path`},
		validateCase{"empty readonly path", func(s *specs.Spec) { s.Linux.ReadonlyPaths = []string{""} },
			"config.json: linux.readonlyPaths[0]: required"},
		validateCase{"relative readonly path", func(s *specs.Spec) { s.Linux.ReadonlyPaths = []string{"/proc/bus", "sys"} },
			`config.json: linux.readonlyPaths[1]: "sys" is not an absolute path`},
		validateCase{"mount label", func(s *specs.Spec) {
			s.Linux.MountLabel = "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"
		}, ""},
	)
	runValidateCases(t, cases)
}

func TestValidateHooks(t *testing.T) {
	hook := func(h specs.Hook) *specs.Hooks {
		return &specs.Hooks{Poststart: []specs.Hook{{Path: "/bin/true"}, h}}
	}
	set := func(h *specs.Hooks) func(*specs.Spec) { return func(s *specs.Spec) { s.Hooks = h } }
	runValidateCases(t, []validateCase{
		{"all lists", set(&specs.Hooks{
			Prestart:        []specs.Hook{{Path: "/usr/bin/fix-mounts", Args: []string{"fix-mounts", "arg1"}, Env: []string{"key1=value1"}}},
			CreateRuntime:   []specs.Hook{{Path: "/usr/bin/setup-network"}},
			CreateContainer: []specs.Hook{{Path: "/usr/bin/mount-hook"}},
			StartContainer:  []specs.Hook{{Path: "/usr/bin/refresh-ldcache"}},
			Poststart:       []specs.Hook{{Path: "/usr/bin/notify-start", Timeout: ptr(5)}},
			Poststop:        []specs.Hook{{Path: "/usr/sbin/cleanup.sh", Args: []string{"cleanup.sh", "-f"}}},
		}), ""},
		{"relative path", set(hook(specs.Hook{Path: "bin/true"})),
			`config.json: hooks.poststart[1].path: "bin/true" is not an absolute path`},
		{"no path", set(&specs.Hooks{CreateRuntime: []specs.Hook{{}}}),
			"config.json: hooks.createRuntime[0].path: required"},
		{"zero timeout", set(hook(specs.Hook{Path: "/x", Timeout: ptr(0)})),
			"config.json: hooks.poststart[1].timeout: 0 must be greater than 0"},
		{"negative timeout", set(&specs.Hooks{Poststop: []specs.Hook{{Path: "/x", Timeout: ptr(-1)}}}),
			"config.json: hooks.poststop[0].timeout: -1 must be greater than 0"},
		{"bad env", set(&specs.Hooks{Prestart: []specs.Hook{{Path: "/x", Env: []string{"novalue"}}}}),
			`config.json: hooks.prestart[0].env[0]: "novalue" is not of the form NAME=value`},
		{"nul arg", set(&specs.Hooks{StartContainer: []specs.Hook{{Path: "/x", Args: []string{"x", "\x00"}}}}),
			"config.json: hooks.startContainer[0].args[1]: contains a NUL byte"},
	})
}

func TestValidateAnnotations(t *testing.T) {
	runValidateCases(t, []validateCase{
		{"annotations", func(s *specs.Spec) {
			s.Annotations = map[string]string{"com.example.gpu-cores": "2", "org.opencontainers.image.os": "", "x": ""}
		}, ""},
		{"empty key", func(s *specs.Spec) { s.Annotations = map[string]string{"": "v"} },
			"config.json: annotations: empty key"},
	})
}
