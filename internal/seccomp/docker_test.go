//go:build amd64

package seccomp

import (
	"encoding/json"
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// dockerProfile loads testdata/docker-default.json: Docker's default
// profile resolved for an amd64 host with Docker's default capabilities.
func dockerProfile(t testing.TB) *specs.LinuxSeccomp {
	t.Helper()
	b, err := os.ReadFile("testdata/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	var sc specs.LinuxSeccomp
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	return &sc
}

func TestCompileDocker(t *testing.T) {
	p, err := compile(t, dockerProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Listener || p.Flags != 0 {
		t.Errorf("listener %v flags %#x, want neither", p.Listener, p.Flags)
	}
	insns, err := bpf.Decode(p.Filter)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d instructions", len(insns))
	// The ENOSYS stub comes first, with a block for x86_64 then one for
	// i386 and none for x32.
	if insns[0] != bpf.Stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetArch) {
		t.Errorf("first instruction %+v, want the stub's arch load", insns[0])
	}
	var audits []uint32
	for _, in := range insns[:20] {
		if in.Code == unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K && in.Jt == 0 {
			audits = append(audits, in.K)
		}
	}
	if len(audits) < 2 || audits[0] != unix.AUDIT_ARCH_X86_64 || audits[1] != unix.AUDIT_ARCH_I386 {
		t.Errorf("stub arch blocks %#x, want x86_64 then i386", audits)
	}
}

func TestCompileDockerHorizons(t *testing.T) {
	// The profile names clone3 (435) and nothing from fchmodat2 (452)
	// on, on x86_64 and i386 alike (their new syscalls share numbers).
	prog := mustCompile(t, dockerProfile(t))
	for _, arch := range []uint32{unix.AUDIT_ARCH_X86_64, unix.AUDIT_ARCH_I386} {
		newer := 0
		for nr := uint32(unix.SYS_CLONE3); nr < 1000; nr++ {
			got := run(t, prog, seccompInput{nr: nr, arch: arch})
			if nr == unix.SYS_CLONE3 && got == retENOSYS {
				// Docker's own rule: the same answer, from libseccomp.
				continue
			}
			if got == retENOSYS && newer == 0 {
				newer = int(nr)
			}
			if newer != 0 && got != retENOSYS {
				t.Fatalf("arch %#x: nr %d is newer than %d, yet got %#x", arch, nr, newer, got)
			}
		}
		if newer <= unix.SYS_CLONE3 || newer > unix.SYS_FCHMODAT2 {
			t.Errorf("arch %#x: ENOSYS from %d on, want it between clone3 and fchmodat2", arch, newer)
		}
	}
}

func TestKernelDocker(t *testing.T) {
	expect(t, dockerProfile(t), map[string]string{
		"getpid":  "ok",
		"mkdir":   "ok",
		"rmdir":   "ok",
		"open":    "ok",
		"exec":    "ok",
		"unshare": "EPERM", // needs CAP_SYS_ADMIN in Docker's profile
		"mount":   "EPERM",
		// Docker answers clone3 with ENOSYS itself, so that libc
		// falls back to clone, whose flags it can inspect.
		"clone3": "ENOSYS",
		// Newer than the profile: the stub's ENOSYS, not EPERM.
		"fchmodat2": "ENOSYS",
		// x32 numbers lie above every x86_64 one, but they are not
		// "newer": libseccomp's x32 rules apply.
		"x32unshare":             "EPERM",
		"personality:0xffffffff": "ok",
		"personality:0":          "ok",
		"personality:0x4000000":  "EPERM",
		"socket:40":              "EPERM", // AF_VSOCK
		"socket:1:1":             "ok",    // AF_UNIX, SOCK_STREAM
	})
}
