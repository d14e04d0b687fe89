package seccomp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/internal/initbin"
	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// The compiler is C: libinit/seccompcompile.c with the libseccomp linked
// into skiff-init. The tests run the skiff-init that `make skiff` builds,
// in its compile mode, as skiff does when its program cache misses
// (Compile), so that they test exactly the program a container loads.
const skiffInit = "../initbin/bin/skiff-init"

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

// runInit runs skiff-init (the copy embedded in this test binary, which
// needInit checks is built from the current sources) with env set and
// stdin, and returns its stdout, or the error it reported itself. Any
// other failure (a crash, a bad exit) fails the test.
func runInit(t *testing.T, env string, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	needInit(t)
	out, err := initbin.Run(context.Background(), env+"=1", stdin, args...)
	var reported *initbin.Reported
	if err != nil && !errors.As(err, &reported) {
		t.Fatalf("skiff-init: %v", err)
	}
	if err != nil {
		return nil, reported
	}
	return out, nil
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
	prog, err := runInit(t, EnvCompile, f.Encode())
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
