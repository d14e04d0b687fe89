package initplan

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/seccomp"
)

const hybridMountInfo = `22 1 254:0 / / rw,relatime - ext4 /dev/vda rw
30 22 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
40 22 0:40 / /run rw - tmpfs tmpfs rw
`

const initCgroups = `3:memory:/ctr
2:cpu,cpuacct:/ctr
0::/ctr
`

func baseConfig() *handshake.Config {
	return &handshake.Config{
		ID:     "c1",
		Bundle: "/run/b",
		Rootfs: "/run/b/rootfs",
		Spec: &specs.Spec{
			Hostname: "h",
			Process: &specs.Process{
				Args: []string{"sh"},
				Env:  []string{"PATH=/bin"},
				Cwd:  "/work",
				User: specs.User{UID: 1, GID: 2, AdditionalGids: []uint32{3}},
				Capabilities: &specs.LinuxCapabilities{
					Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"},
				},
				Rlimits: []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 10, Hard: 20}},
			},
			Root: &specs.Root{Path: "rootfs", Readonly: true},
			Mounts: []specs.Mount{
				{Destination: "/proc", Type: "proc", Source: "proc"},
				{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "mode=755"}},
				{Destination: "/data", Type: "bind", Source: "data", Options: []string{"rbind", "ro", "rprivate"}},
				{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro"}},
			},
			Linux: &specs.Linux{
				Namespaces: []specs.LinuxNamespace{
					{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
					{Type: specs.NetworkNamespace},
				},
				MaskedPaths:   []string{"/proc/kcore"},
				ReadonlyPaths: []string{"/proc/sys"},
				Sysctl:        map[string]string{"net.ipv4.ip_forward": "1"},
			},
		},
		FifoFd:  7,
		ProcFd:  8,
		InitPid: 99,
	}
}

func build(t *testing.T, cfg *handshake.Config) *Plan {
	t.Helper()
	p, err := Build(cfg, &Host{MountInfo: hybridMountInfo, Cgroup: initCgroups, HasKcore: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ops(p *Plan) []Op {
	var out []Op
	for _, s := range p.Steps {
		out = append(out, s.Op)
	}
	return out
}

func find(p *Plan, op Op) []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Op == op {
			out = append(out, s)
		}
	}
	return out
}

func index(p *Plan, op Op) int {
	for i, s := range p.Steps {
		if s.Op == op {
			return i
		}
	}
	return -1
}

func TestCreatePlanFollowsTheLifecycle(t *testing.T) {
	p := build(t, baseConfig())
	// Each later step must come after each earlier one.
	order := []Op{OpLoopbackUp, OpHostname, OpWriteFile, OpKeyring, OpOpenRoot, OpMountAt, OpCgroupAt, OpDeviceAt,
		OpSymlinkAt, OpMkdirAt, OpPivotRoot, OpMask, OpReadonly, OpRemount, OpCwd, OpLookPath, OpRlimit, OpAffinity,
		OpReady, OpOpenFifo, OpCloseSocket, OpStart, OpCredentials, OpExec}
	last := -1
	for _, op := range order {
		i := index(p, op)
		if i < 0 {
			t.Fatalf("no step %d in %v", op, ops(p))
		}
		if i < last {
			t.Errorf("step %d at %d comes before an earlier stage (%d)", op, i, last)
		}
		last = i
	}
	if p.Steps[len(p.Steps)-1].Op != OpExec {
		t.Error("the plan does not end in exec")
	}
	if got := find(p, OpDeviceAt); len(got) != len(defaultDevices) {
		t.Errorf("%d devices, want the %d defaults for a fresh /dev", len(got), len(defaultDevices))
	}
	if got := find(p, OpWriteFile)[0].Args[1]; got != "/proc/sys/net/ipv4/ip_forward" {
		t.Errorf("sysctl path %q", got)
	}
}

func TestBindMountIsRelativeToTheBundleWithItsFlags(t *testing.T) {
	p := build(t, baseConfig())
	var bind Step
	for _, s := range find(p, OpMountAt) {
		if s.Args[2] == "/data" {
			bind = s
		}
	}
	// ctx, source, dest, fstype, flags, data, bind, remount, attrset, attrclr, propagation...
	want := []string{"config.json: mounts[2] (/data)", "/run/b/data", "/data", "bind", "20481", "", "1", "1", "0", "0", "278528"}
	if !reflect.DeepEqual(bind.Args, want) {
		t.Errorf("bind step %q, want %q", bind.Args, want)
	}
}

func TestCgroupMountOnAHybridHostBindsInitsCgroups(t *testing.T) {
	p := build(t, baseConfig())
	got := find(p, OpCgroupAt)[0].Args
	want := []string{"config.json: mounts[3] (/sys/fs/cgroup)", "/sys/fs/cgroup", "0", "1", "1",
		"cpu,cpuacct", "bind", "", "/sys/fs/cgroup/cpu,cpuacct/ctr",
		"memory", "bind", "", "/sys/fs/cgroup/memory/ctr",
		"unified", "bind", "", "/sys/fs/cgroup/unified/ctr"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cgroup step\n%q\nwant\n%q", got, want)
	}

	cfg := baseConfig()
	cfg.Spec.Linux.Namespaces = append(cfg.Spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	got = find(build(t, cfg), OpCgroupAt)[0].Args
	if got[6] != "cgroup" || got[7] != "cpu,cpuacct" || got[14] != "cgroup2" {
		t.Errorf("with a cgroup namespace each hierarchy is mounted fresh: %q", got)
	}
}

func TestSeccompIsLoadedWhereItMust(t *testing.T) {
	cfg := baseConfig()
	cfg.Seccomp = &seccomp.Filter{DefaultAction: seccomp.ActAllow}
	cfg.SeccompProgram = []byte("\x06\x00\x00\x00\x00\x00\xff\x7f")
	p := build(t, cfg)
	if index(p, OpSeccomp) > index(p, OpCredentials) {
		t.Error("without noNewPrivileges the filter must be loaded while init still has CAP_SYS_ADMIN")
	}
	cfg.Spec.Process.NoNewPrivileges = true
	p = build(t, cfg)
	if index(p, OpSeccomp) < index(p, OpCredentials) {
		t.Error("with noNewPrivileges the filter is loaded after the credentials change")
	}
	cfg.Seccomp = &seccomp.Filter{DefaultAction: seccomp.ActAllow, Listener: true}
	p = build(t, cfg)
	if index(p, OpSeccomp) > index(p, OpReady) || len(find(p, OpSeccomp)) != 1 {
		t.Error("a filter with a listener is loaded once, before ready")
	}
}

func TestSeccompProgramTravelsFirst(t *testing.T) {
	cfg := baseConfig()
	cfg.Seccomp = &seccomp.Filter{DefaultAction: seccomp.ActErrno, Rules: []seccomp.Rule{{Names: []string{"read"}, Action: seccomp.ActAllow}}}
	prog := "\x06\x00\x00\x00\x00\x00\xff\x7f"
	cfg.SeccompProgram = []byte(prog)
	for _, exec := range []bool{false, true} {
		cfg.Exec = exec
		p := build(t, cfg)
		progs := find(p, OpSeccompProgram)
		if len(progs) != 1 || index(p, OpSeccompProgram) != 1 {
			t.Fatalf("exec %v: program steps at %d (%d of them), want one right after OpCloexecFrom", exec, index(p, OpSeccompProgram), len(progs))
		}
		if got := progs[0].Args; len(got) != 2 || got[1] != prog {
			t.Errorf("exec %v: program step args %q, want the context and the program", exec, got)
		}
	}
	cfg.SeccompProgram = nil
	if _, err := Build(cfg, &Host{MountInfo: hybridMountInfo, Cgroup: initCgroups, HasKcore: true}); err == nil || !strings.Contains(err.Error(), "linux.seccomp") {
		t.Errorf("a filter without its program: %v, want an error naming linux.seccomp", err)
	}
	cfg.Seccomp = nil
	if p := build(t, cfg); index(p, OpSeccompProgram) >= 0 || index(p, OpSeccomp) >= 0 {
		t.Error("no linux.seccomp, yet the plan has seccomp steps")
	}
}

func TestExecPlanJoinsWithoutSetup(t *testing.T) {
	cfg := baseConfig()
	cfg.Exec, cfg.FifoFd, cfg.ProcFd = true, 0, 0
	p := build(t, cfg)
	for _, op := range []Op{OpHostname, OpKeyring, OpOpenRoot, OpMountAt, OpPivotRoot, OpOpenFifo, OpStart} {
		if index(p, op) >= 0 {
			t.Errorf("exec plan has step %d", op)
		}
	}
	if index(p, OpExec) < 0 || index(p, OpCredentials) < 0 {
		t.Error("exec plan lacks credentials or exec")
	}
}

func TestNoMountNamespaceChroots(t *testing.T) {
	cfg := baseConfig()
	cfg.Spec.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.PIDNamespace}}
	p := build(t, cfg)
	if index(p, OpChroot) < 0 || index(p, OpMountAt) >= 0 || index(p, OpPivotRoot) >= 0 {
		t.Errorf("plan without a mount namespace: %v", ops(p))
	}
}

func TestBadInputNamesTheField(t *testing.T) {
	for _, c := range []struct {
		edit func(*handshake.Config)
		want string
	}{
		{func(c *handshake.Config) { c.Spec.Process.Rlimits[0].Type = "RLIMIT_BOGUS" }, "process.rlimits[0].type"},
		{func(c *handshake.Config) { c.Spec.Linux.Sysctl = map[string]string{"../x": "1"} }, "linux.sysctl"},
		{func(c *handshake.Config) { c.Spec.Process.Terminal = true }, "process.terminal"},
		{func(c *handshake.Config) { c.Spec.Process.Capabilities.Ambient = []string{"CAP_NOPE"} }, "process.capabilities.ambient"},
		{func(c *handshake.Config) { c.Spec.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/x", Type: "q"}} }, "linux.devices[0]"},
		{func(c *handshake.Config) { c.Spec.Mounts[0].Type = "" }, "mounts[0]"},
		{func(c *handshake.Config) { c.Spec.Process.IOPriority = &specs.LinuxIOPriority{Class: "x"} }, "process.ioPriority.class"},
		{func(c *handshake.Config) { c.Spec.Linux.RootfsPropagation = "sideways" }, "linux.rootfsPropagation"},
	} {
		cfg := baseConfig()
		c.edit(cfg)
		_, err := Build(cfg, &Host{MountInfo: hybridMountInfo, Cgroup: initCgroups})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error naming %s, got %v", c.want, err)
		}
	}
}

// TestEncodeIsWhatPlanCReads decodes the wire format the way plan.c does.
func TestEncodeIsWhatPlanCReads(t *testing.T) {
	p := &Plan{}
	p.add(OpMount, "ctx", "a", 42, true, []byte{0, 1})
	p.add(OpReady, "")
	b := p.Encode()
	if n := binary.NativeEndian.Uint32(b); int(n) != len(b)-4 {
		t.Fatalf("length %d, frame %d", n, len(b)-4)
	}
	b = b[4:]
	var got []Step
	for len(b) > 0 {
		s := Step{Op: Op(binary.NativeEndian.Uint16(b))}
		argc := int(binary.NativeEndian.Uint16(b[2:]))
		b = b[4:]
		for i := 0; i < argc; i++ {
			n := int(binary.NativeEndian.Uint32(b))
			s.Args = append(s.Args, string(b[4:4+n]))
			if b[4+n] != 0 {
				t.Fatal("argument not NUL-terminated")
			}
			b = b[5+n:]
		}
		got = append(got, s)
	}
	want := []Step{{OpMount, []string{"ctx", "a", "42", "1", "\x00\x01"}}, {OpReady, []string{""}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
}
