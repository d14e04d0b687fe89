package spec

import (
	"encoding/json"
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func ptrTo[T any](v T) *T { return &v }

// realConfigs are configs as clients write them, the seed corpus of
// FuzzLoad: fuzzing starts from inputs that get past the decoder into
// every validator. TestRealConfigsLoad keeps them valid.
func realConfigs(t testing.TB) map[string]*specs.Spec {
	out := map[string]*specs.Spec{
		"default":  Default(false),
		"rootless": Default(true),
	}

	// Docker 20.10's config for `docker run --rm -it busybox sh`, with
	// its default seccomp profile as Docker resolves it on amd64.
	docker := Default(false)
	docker.Process.Terminal = true
	docker.Process.User = specs.User{UID: 0, GID: 0, AdditionalGids: []uint32{10}}
	docker.Process.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=0123456789ab", "TERM=xterm"}
	dockerCaps := []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}
	docker.Process.Capabilities = &specs.LinuxCapabilities{Bounding: dockerCaps, Effective: dockerCaps, Permitted: dockerCaps}
	docker.Process.NoNewPrivileges = false
	docker.Process.OOMScoreAdj = ptrTo(0)
	docker.Process.ApparmorProfile = "docker-default"
	docker.Root = &specs.Root{Path: "rootfs"}
	docker.Hostname = "0123456789ab"
	docker.Mounts = append(docker.Mounts,
		specs.Mount{Destination: "/etc/resolv.conf", Type: "bind", Source: "/etc/resolv.conf", Options: []string{"rbind", "rprivate"}},
		specs.Mount{Destination: "/etc/hostname", Type: "bind", Source: "/etc/hostname", Options: []string{"rbind", "rprivate"}},
		specs.Mount{Destination: "/etc/hosts", Type: "bind", Source: "/etc/hosts", Options: []string{"rbind", "rprivate"}},
	)
	docker.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: "/proc/4242/exe", Args: []string{"libnetwork-setkey", "-exec-root=/var/run/docker", "0123456789ab", "abcdef012345"}}}}
	docker.Linux.CgroupsPath = "/docker/0123456789abcdef"
	docker.Linux.Sysctl = map[string]string{"net.ipv4.ip_unprivileged_port_start": "0"}
	docker.Linux.Resources = &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptrTo[int64](1), Minor: ptrTo[int64](3), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptrTo[int64](136), Minor: ptrTo[int64](-1), Access: "rwm"},
		},
		BlockIO: &specs.LinuxBlockIO{},
	}
	data, err := os.ReadFile("../seccomp/testdata/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	docker.Linux.Seccomp = &specs.LinuxSeccomp{}
	if err := json.Unmarshal(data, docker.Linux.Seccomp); err != nil {
		t.Fatal(err)
	}
	out["docker"] = docker

	// Every kind of hook, with args, env and timeouts.
	hooked := Default(false)
	h := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat >/dev/null"}, Env: []string{"A=1"}, Timeout: ptrTo(5)}
	hooked.Hooks = &specs.Hooks{
		Prestart: []specs.Hook{h}, CreateRuntime: []specs.Hook{h, {Path: "/bin/true"}},
		CreateContainer: []specs.Hook{h}, StartContainer: []specs.Hook{h},
		Poststart: []specs.Hook{h}, Poststop: []specs.Hook{{Path: "/bin/true", Timeout: ptrTo(1)}},
	}
	out["hooks"] = hooked

	// A user namespace with mappings and an idmapped bind mount of each
	// flavour: own mappings, and the container's (no mappings).
	idm := Default(false)
	idm.Linux.Namespaces = append(idm.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	maps := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	idm.Linux.UIDMappings, idm.Linux.GIDMappings = maps, maps
	idm.Mounts = append(idm.Mounts,
		specs.Mount{Destination: "/data", Type: "bind", Source: "/tmp", Options: []string{"rbind", "idmap"},
			UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}, GIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}},
		specs.Mount{Destination: "/shared", Type: "bind", Source: "/tmp", Options: []string{"bind", "ridmap"}},
	)
	out["idmapped mounts"] = idm

	// Every namespace joined by path (the user namespace's mappings then
	// come with it, so there are none in the config).
	byPath := Default(false)
	byPath.Linux.Namespaces = nil
	for _, ns := range []struct {
		t    specs.LinuxNamespaceType
		file string
	}{
		{specs.PIDNamespace, "pid"}, {specs.NetworkNamespace, "net"}, {specs.MountNamespace, "mnt"},
		{specs.IPCNamespace, "ipc"}, {specs.UTSNamespace, "uts"}, {specs.UserNamespace, "user"},
		{specs.CgroupNamespace, "cgroup"}, {specs.TimeNamespace, "time"},
	} {
		byPath.Linux.Namespaces = append(byPath.Linux.Namespaces, specs.LinuxNamespace{Type: ns.t, Path: "/proc/self/ns/" + ns.file})
	}
	byPath.Hostname = ""
	out["namespaces by path"] = byPath
	return out
}

// TestRealConfigsLoad: the seeds are valid configs, so fuzzing mutates
// inputs that reach past validation.
func TestRealConfigsLoad(t *testing.T) {
	for name, s := range realConfigs(t) {
		t.Run(name, func(t *testing.T) {
			bundle := newBundle(t)
			data, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bundle+"/config.json", data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(bundle); err != nil {
				t.Fatal(err)
			}
		})
	}
}
