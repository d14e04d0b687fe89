package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/skiffrt/skiff/internal/spec"
)

// benchState is the state of a running container: this test process
// stands in for its init, so the liveness check sees a live process.
func benchState(b *testing.B) *State {
	start, _, err := procStartTime(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	s := spec.Default(false)
	s.Process.Terminal = false
	return &State{
		ID:          "web-1",
		Bundle:      "/var/lib/ctr/web-1",
		Rootfs:      "/var/lib/ctr/web-1/rootfs",
		Pid:         os.Getpid(),
		StartTime:   start,
		Created:     time.Now().UTC(),
		Owner:       "root",
		Annotations: map[string]string{"org.opencontainers.image.ref": "registry.example/web:1.2.3"},
		Spec:        s,
	}
}

// BenchmarkSaveState is create's (and update's) state write: encode and
// an atomic replace of state.json.
func BenchmarkSaveState(b *testing.B) {
	dir := b.TempDir()
	st := benchState(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := saveState(dir, st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadState is the read every command after create starts with.
func BenchmarkLoadState(b *testing.B) {
	dir := b.TempDir()
	if err := saveState(dir, benchState(b)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := loadState(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStateVerb is the in-process part of `skiff state`: validate
// the id, lock the directory, load the state, derive the status, and
// encode the OCI state.
func BenchmarkStateVerb(b *testing.B) {
	root := b.TempDir()
	st := benchState(b)
	dir := filepath.Join(root, st.ID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := saveState(dir, st); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := Load(root, st.ID)
		if err != nil {
			b.Fatal(err)
		}
		out := c.OCIState()
		c.Close()
		if out.Status != Running {
			b.Fatalf("status %s, want %s", out.Status, Running)
		}
		if _, err := json.Marshal(out); err != nil {
			b.Fatal(err)
		}
	}
}
