package seccomp

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// dockerProfile loads testdata/docker-default.json: Docker's default
// profile resolved for an amd64 host with Docker's default capabilities.
func dockerProfile(t *testing.T) *specs.LinuxSeccomp {
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

func TestCompileNil(t *testing.T) {
	p, err := Compile(nil)
	if p != nil || err != nil {
		t.Errorf("Compile(nil) = %v, %v; want no program and no error", p, err)
	}
}

func TestCompileDocker(t *testing.T) {
	p, err := Compile(dockerProfile(t))
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

	// The program crosses to init as JSON and must come back the same.
	j, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back bpf.Program
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Filter, p.Filter) || back.Flags != p.Flags || back.Listener != p.Listener {
		t.Error("program changed through JSON")
	}
	t.Logf("%d bytes of JSON", len(j))
}

func TestCompileHorizons(t *testing.T) {
	p, err := translate(dockerProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	hs, err := horizons(p)
	if err != nil {
		t.Fatal(err)
	}
	clone3, err := libseccomp.GetSyscallFromNameByArch("clone3", libseccomp.ArchAMD64)
	if err != nil {
		t.Skip("libseccomp does not know clone3")
	}
	if len(hs) != 2 {
		t.Fatalf("horizons %+v, want x86_64 and i386", hs)
	}
	for _, h := range hs {
		if h.max < uint32(clone3) {
			t.Errorf("horizon %+v below clone3 (%d), which the profile names", h, clone3)
		}
		if h.x32 != (h.audit == unix.AUDIT_ARCH_X86_64) {
			t.Errorf("horizon %+v: only x86_64 carries x32 syscalls", h)
		}
	}
}

func TestCompileAllowDefaultHasNoStub(t *testing.T) {
	sc := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}}
	p, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := translate(sc)
	f, err := newFilter(plan)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	lib, err := exportBPF(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Filter, lib) {
		t.Errorf("an allow-by-default program is %d bytes, libseccomp's %d: nothing should be prepended", len(p.Filter), len(lib))
	}
}

func TestCompileSkipsUnknownSyscalls(t *testing.T) {
	known := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "write"}, Action: specs.ActAllow}}}
	unknown := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "no_such_syscall", "write"}, Action: specs.ActAllow}}}
	a, err := Compile(known)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compile(unknown)
	if err != nil {
		t.Fatalf("an unknown name must be skipped, got %v", err)
	}
	if !bytes.Equal(a.Filter, b.Filter) {
		t.Error("an unknown name changed the program")
	}
}

func TestCompileUnsupportedArch(t *testing.T) {
	major, minor, _ := libseccomp.GetLibraryVersion()
	if major > 2 || minor >= 6 {
		t.Skip("libseccomp >= 2.6 supports SuperH")
	}
	_, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchSH}})
	const want = "config.json: linux.seccomp.architectures[1]: add SCMP_ARCH_SH: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %s...", err, want)
	}
	t.Log(err)
}

func TestCompileTooLarge(t *testing.T) {
	// Repeating arg 0 makes each condition its own rule: thousands of
	// them outgrow BPF_MAXINSNS. Distinct high halves keep libseccomp
	// from sharing the upper-word comparisons between them.
	var args []specs.LinuxSeccompArg
	for i := range 2000 {
		args = append(args, specs.LinuxSeccompArg{Index: 0, Value: uint64(i) << 33, Op: specs.OpEqualTo})
	}
	_, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"personality"}, Action: specs.ActErrno, Args: args}}})
	const want = "config.json: linux.seccomp: the filter compiles to "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "instructions, the kernel allows 4096") {
		t.Fatalf("got %v, want %s... instructions, the kernel allows 4096", err, want)
	}
}
