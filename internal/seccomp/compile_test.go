package seccomp

import (
	"bytes"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

func TestCompileNil(t *testing.T) {
	p, err := Compile(nil)
	if p != nil || err != nil {
		t.Errorf("Compile(nil) = %v, %v; want no program and no error", p, err)
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
