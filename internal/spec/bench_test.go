package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// typicalConfig is Default plus what Docker and containerd put in a
// config.json: their default capability set, a dozen env vars, resource
// limits with a device allowlist, annotations, and a seccomp profile
// with one big allow rule (Docker's default profile names ~350 syscalls).
func typicalConfig() *specs.Spec {
	s := Default(false)
	caps := []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
		"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	}
	s.Process.Terminal = false
	s.Process.Args = []string{"/usr/local/bin/server", "--listen", ":8080", "--config", "/etc/server.yaml"}
	s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
	s.Process.Env = append(s.Process.Env,
		"HOSTNAME=web-1", "HOME=/root", "LANG=C.UTF-8", "GOMAXPROCS=2", "SERVER_PORT=8080",
		"SERVER_MODE=production", "LOG_LEVEL=info", "DB_HOST=db", "DB_PORT=5432", "CACHE_TTL=60s")
	s.Process.OOMScoreAdj = new(int)
	for _, m := range []string{"/etc/resolv.conf", "/etc/hostname", "/etc/hosts"} {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: m, Type: "bind", Source: "/var/lib/ctr/web-1" + m, Options: []string{"rbind", "rprivate"}})
	}
	limit, swap, shares, quota, period, pids := int64(512<<20), int64(1<<30), uint64(1024), int64(50000), uint64(100000), int64(1024)
	wildcard := int64(-1)
	s.Linux.Resources = &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: &limit, Swap: &swap},
		CPU:    &specs.LinuxCPU{Shares: &shares, Quota: &quota, Period: &period},
		Pids:   &specs.LinuxPids{Limit: &pids},
		Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: &wildcard, Minor: &wildcard, Access: "m"},
			{Allow: true, Type: "b", Major: &wildcard, Minor: &wildcard, Access: "m"},
			{Allow: true, Type: "c", Major: ptr64(1), Minor: ptr64(3), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(1), Minor: ptr64(5), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(1), Minor: ptr64(7), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(1), Minor: ptr64(8), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(1), Minor: ptr64(9), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(5), Minor: ptr64(0), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(5), Minor: ptr64(2), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr64(136), Minor: &wildcard, Access: "rwm"},
		},
	}
	s.Linux.CgroupsPath = "/default/web-1"
	s.Annotations = map[string]string{
		"io.kubernetes.cri.container-type": "container",
		"io.kubernetes.cri.sandbox-id":     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"org.opencontainers.image.ref":     "registry.example/web:1.2.3",
	}
	var names []string
	for i := 0; i < 350; i++ {
		names = append(names, "syscall_"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	errno := uint(1)
	s.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: &errno,
		Architectures:   []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls: []specs.LinuxSyscall{
			{Names: names, Action: specs.ActAllow},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0, Op: specs.OpEqualTo}}},
			{Names: []string{"clone"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 2114060288, Op: specs.OpMaskedEqual}}},
		},
	}
	return s
}

func ptr64(v int64) *int64 { return &v }

// typicalBundle writes typicalConfig into a fresh bundle and returns the
// bundle and the config's bytes.
func typicalBundle(b *testing.B) (string, []byte) {
	bundle := newBundle(b)
	data, err := json.MarshalIndent(typicalConfig(), "", "\t")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	return bundle, data
}

// BenchmarkLoad is what every create pays before anything else: read,
// strict decode and validate config.json.
func BenchmarkLoad(b *testing.B) {
	bundle, data := typicalBundle(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bundle); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	_, data := typicalBundle(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	bundle, _ := typicalBundle(b)
	s := typicalConfig()
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(s, bundle); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeParts splits decode: the plain json.Unmarshal into
// specs.Spec, and the second pass over the document that rejects
// duplicate keys.
func BenchmarkDecodeParts(b *testing.B) {
	_, data := typicalBundle(b)
	b.Run("unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var s specs.Spec
			if err := json.Unmarshal(data, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("duplicate-keys", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := checkDuplicateKeys(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
