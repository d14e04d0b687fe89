package seccomp

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// The compiler is C: libinit/seccompcompile.c with the libseccomp linked
// into skiff-init. The tests run the skiff-init that `make skiff` builds,
// in its compile mode, so that they test exactly what a container's init
// runs.
const (
	skiffInit  = "../initbin/bin/skiff-init"
	envCompile = "_SKIFF_SECCOMP_COMPILE" // libinit/init.c
)

// needInit skips a test without skiff-init and fails it when skiff-init
// is older than its sources: a stale build would test old code.
func needInit(t *testing.T) {
	t.Helper()
	bin, err := os.Stat(skiffInit)
	if err != nil {
		t.Skipf("%s is missing: `make skiff` builds it, and these tests need it to compile seccomp filters", skiffInit)
	}
	srcs, _ := filepath.Glob("../../libinit/*.[ch]")
	for _, src := range srcs {
		if st, err := os.Stat(src); err == nil && st.ModTime().After(bin.ModTime()) {
			t.Fatalf("%s is older than %s: run `make skiff`", skiffInit, src)
		}
	}
}

// runInit runs skiff-init with env set and stdin, and returns its stdout,
// or its error message (fail() in libinit/report.c) as an error.
func runInit(t *testing.T, env string, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	needInit(t)
	cmd := exec.Command(skiffInit, args...)
	cmd.Env = []string{env + "=1"}
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil {
		return out, nil
	}
	msg, ok := strings.CutPrefix(strings.TrimSuffix(stderr.String(), "\n"), "skiff init: ")
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 127 || !ok {
		t.Fatalf("skiff-init: %v, stderr %q", err, stderr.String())
	}
	return nil, errors.New(msg)
}

// compile translates sc and compiles the result in skiff-init, as skiff
// does for a container when its program cache misses. Errors are Translate's or
// skiff-init's.
func compile(t *testing.T, sc *specs.LinuxSeccomp) (*bpf.Program, error) {
	t.Helper()
	f, err := Translate(sc)
	if err != nil {
		return nil, err
	}
	prog, err := runInit(t, envCompile, f.Encode())
	if err != nil {
		return nil, err
	}
	return &bpf.Program{Filter: prog, Flags: f.Flags, Listener: f.Listener}, nil
}

// mustCompile is compile for a profile that must compile.
func mustCompile(t *testing.T, sc *specs.LinuxSeccomp) []bpfInsn {
	t.Helper()
	p, err := compile(t, sc)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	insns, err := bpf.Decode(p.Filter)
	if err != nil {
		t.Fatal(err)
	}
	return insns
}
