package seccomp

import (
	"bytes"
	"encoding/binary"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const retENOSYS = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)

func TestTranslateNil(t *testing.T) {
	f, err := Translate(nil)
	if f != nil || err != nil {
		t.Errorf("Translate(nil) = %v, %v; want no filter and no error", f, err)
	}
}

// returnsENOSYS tells whether any instruction returns ENOSYS.
func returnsENOSYS(insns []bpfInsn) bool {
	for _, in := range insns {
		if in.Code == unix.BPF_RET|unix.BPF_K && in.K == retENOSYS {
			return true
		}
	}
	return false
}

func TestCompileStubOnlyWhenNeeded(t *testing.T) {
	rules := []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}, {Names: []string{"read"}, Action: specs.ActTrap}}
	for _, tc := range []struct {
		def  specs.LinuxSeccompAction
		want bool
	}{
		{specs.ActAllow, false},
		{specs.ActLog, false},
		{specs.ActKillProcess, true},
		{specs.ActErrno, true},
	} {
		insns := mustCompile(t, &specs.LinuxSeccomp{DefaultAction: tc.def, Syscalls: rules})
		if got := returnsENOSYS(insns); got != tc.want {
			t.Errorf("default %s: returns ENOSYS %v, want %v", tc.def, got, tc.want)
		}
	}
}

func TestCompileSkipsUnknownSyscalls(t *testing.T) {
	known := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "write"}, Action: specs.ActAllow}}}
	unknown := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "no_such_syscall", "write"}, Action: specs.ActAllow}}}
	a, err := compile(t, known)
	if err != nil {
		t.Fatal(err)
	}
	b, err := compile(t, unknown)
	if err != nil {
		t.Fatalf("an unknown name must be skipped, got %v", err)
	}
	if !bytes.Equal(a.Filter, b.Filter) {
		t.Error("an unknown name changed the program")
	}
}

// supported asks skiff-init's architectures mode about libseccomp names.
func supported(t *testing.T, libNames ...string) map[string]bool {
	out, err := runInit(t, EnvArches, nil, libNames...)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]bool{}
	for _, n := range strings.Fields(string(out)) {
		ok[n] = true
	}
	return ok
}

func TestCompileUnsupportedArch(t *testing.T) {
	if supported(t, "sh")["sh"] {
		t.Skip("this libseccomp (>= 2.6) supports SuperH")
	}
	_, err := compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchSH}})
	want := regexp.MustCompile(`^config\.json: linux\.seccomp\.architectures\[1\]: add SCMP_ARCH_SH: libseccomp [0-9.]+ does not support it$`)
	if err == nil || !want.MatchString(err.Error()) {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestCompileMixedByteOrder(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("the test pairs a little-endian host with s390x")
	}
	_, err := compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86, specs.ArchS390X}})
	const want = "config.json: linux.seccomp.architectures[1]: add SCMP_ARCH_S390X: Numerical argument out of domain (its byte order differs from the other architectures')"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// TestSupportedArches holds `skiff features` to its word: an architecture
// is listed exactly when a profile naming it compiles.
func TestSupportedArches(t *testing.T) {
	needInit(t)
	listed := map[string]bool{}
	for _, a := range Supported().Archs {
		listed[a] = true
	}
	if len(listed) == 0 {
		t.Fatal("no architectures: the test binary embeds no skiff-init (run `make skiff` before `go test`)")
	}
	for _, a := range arches {
		_, err := compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{a.name}})
		if (err == nil) != listed[string(a.name)] {
			t.Errorf("%s: listed %v, but compiling it says %v", a.name, listed[string(a.name)], err)
		}
	}
}

func TestCompileRuleError(t *testing.T) {
	// Go does not know that libseccomp refuses the same condition on the
	// same syscall with another action; the error names the entry and the
	// name, with libseccomp's errno.
	arg := []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}}
	_, err := compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"getppid"}, Action: specs.ActErrno, Args: arg},
			{Names: []string{"getpid", "getppid"}, Action: specs.ActTrap, Args: arg},
		}})
	const want = "config.json: linux.seccomp.syscalls[1].names[1]: add rule for getppid: File exists"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestCompileTooLarge(t *testing.T) {
	// Repeating arg 0 makes each condition its own rule: thousands of
	// them outgrow BPF_MAXINSNS. Distinct high halves keep libseccomp
	// from sharing the upper-word comparisons between them.
	var args []specs.LinuxSeccompArg
	for i := range 2000 {
		args = append(args, specs.LinuxSeccompArg{Index: 0, Value: uint64(i) << 33, Op: specs.OpEqualTo})
	}
	_, err := compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"personality"}, Action: specs.ActErrno, Args: args}}})
	want := regexp.MustCompile(`^config\.json: linux\.seccomp: the filter compiles to [0-9]+ instructions, the kernel allows 4096$`)
	if err == nil || !want.MatchString(err.Error()) {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestCompileBadEncoding(t *testing.T) {
	f, err := Translate(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "write"}, Action: specs.ActAllow,
			Args: []specs.LinuxSeccompArg{{Index: 1, Value: 2, Op: specs.OpEqualTo}}}}})
	if err != nil {
		t.Fatal(err)
	}
	enc := f.Encode()
	if _, err := runInit(t, EnvCompile, enc); err != nil {
		t.Fatalf("the whole encoding: %v", err)
	}
	// Every cut, wherever it falls, is caught rather than read past.
	for n := 0; n < len(enc); n++ {
		_, err := runInit(t, EnvCompile, enc[:n])
		if err == nil || err.Error() != "config.json: linux.seccomp: encoded filter truncated" {
			t.Fatalf("cut at %d of %d: got %v", n, len(enc), err)
		}
	}
	_, err = runInit(t, EnvCompile, append(enc, 0))
	if err == nil || err.Error() != "config.json: linux.seccomp: encoded filter has 1 bytes too many" {
		t.Errorf("one byte more: got %v", err)
	}
	// A count that promises more than the bytes that follow.
	huge := binary.NativeEndian.AppendUint32(append([]byte{}, enc[:8]...), 1<<31)
	if _, err := runInit(t, EnvCompile, huge); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a huge count: got %v", err)
	}
}

// TestOpsMatchCompiler keeps the operator numbers here and in the C
// compiler's assertions the same.
func TestOpsMatchCompiler(t *testing.T) {
	src, err := os.ReadFile("../../libinit/seccompcompile.c")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`_Static_assert\(SCMP_CMP_(\w+) == (\d+),`).FindAllStringSubmatch(string(src), -1) {
		got[m[1]] = m[2]
	}
	want := map[string]Op{"NE": OpNotEqual, "LT": OpLess, "LE": OpLessOrEqual, "EQ": OpEqual,
		"GE": OpGreaterOrEqual, "GT": OpGreater, "MASKED_EQ": OpMaskedEqual}
	if len(got) != len(want) {
		t.Fatalf("seccompcompile.c asserts %d operators, want %d", len(got), len(want))
	}
	for name, op := range want {
		if got[name] != strconv.Itoa(int(op)) {
			t.Errorf("SCMP_CMP_%s: C says %s, Go %d", name, got[name], op)
		}
	}
}
