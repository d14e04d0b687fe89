package progcache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var prog = bytes.Repeat([]byte{0x06, 0, 0, 0, 0, 0, 0xff, 0x7f}, 3) // 3 × RET ALLOW

func TestPutThenGet(t *testing.T) {
	root := t.TempDir()
	c := New(root, "init-a", "6.18.0")
	if _, ok := c.Get([]byte("filter")); ok {
		t.Fatal("an empty cache had an entry")
	}
	if err := c.Put([]byte("filter"), prog); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get([]byte("filter"))
	if !ok || !bytes.Equal(got, prog) {
		t.Fatalf("Get = %x, %v; want %x", got, ok, prog)
	}
	if _, ok := c.Get([]byte("filter2")); ok {
		t.Error("another filter found the entry")
	}
	st, err := os.Stat(filepath.Join(root, DirName))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("cache directory: %v, %v; want mode 0700", st.Mode(), err)
	}
}

// A program compiled by another skiff-init (another libseccomp) or for
// another kernel is not taken.
func TestOtherInitOrKernelMisses(t *testing.T) {
	root := t.TempDir()
	if err := New(root, "init-a", "6.18.0").Put([]byte("filter"), prog); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Cache{New(root, "init-b", "6.18.0"), New(root, "init-a", "6.19.0")} {
		if _, ok := c.Get([]byte("filter")); ok {
			t.Errorf("%q found an entry stored for init-a on 6.18.0", c.salt)
		}
	}
}

// A damaged entry reads as a miss, never as a program.
func TestDamagedEntryMisses(t *testing.T) {
	root := t.TempDir()
	c := New(root, "init-a", "6.18.0")
	if err := c.Put([]byte("filter"), prog); err != nil {
		t.Fatal(err)
	}
	path := c.path([]byte("filter"))
	good, _ := os.ReadFile(path)
	damage := map[string][]byte{
		"empty":          {},
		"truncated":      good[:len(good)-3],
		"one bit":        append(append([]byte{}, good[:len(good)-1]...), good[len(good)-1]^1),
		"no program":     good[:len(magic)+32],
		"another format": append([]byte("skiffbpf0\n"), good[len(magic):]...),
	}
	for name, data := range damage {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Get([]byte("filter")); ok {
			t.Errorf("%s: Get = %x, want a miss", name, got)
		}
	}
}

func TestPutRefusesPartialInstructions(t *testing.T) {
	c := New(t.TempDir(), "init-a", "6.18.0")
	for _, p := range [][]byte{nil, prog[:7], prog[:12]} {
		if err := c.Put([]byte("filter"), p); err == nil {
			t.Errorf("Put of %d bytes: no error", len(p))
		}
	}
}

// The cache keeps at most MaxEntries, dropping the oldest, and clears
// temporary files a killed skiff left.
func TestPruneBoundsTheCache(t *testing.T) {
	root := t.TempDir()
	c := New(root, "init-a", "6.18.0")
	dir := filepath.Join(root, DirName)
	old := time.Now().Add(-time.Hour)
	for i := 0; i < MaxEntries; i++ {
		f := []byte(fmt.Sprint("filter", i))
		if err := c.Put(f, prog); err != nil {
			t.Fatal(err)
		}
		// Entry i is i minutes younger than an hour ago.
		at := old.Add(time.Duration(i) * time.Minute)
		os.Chtimes(c.path(f), at, at)
	}
	leftover := filepath.Join(dir, ".tmp-123")
	os.WriteFile(leftover, []byte("x"), 0o600)
	os.Chtimes(leftover, old, old)
	fresh := filepath.Join(dir, ".tmp-456")
	os.WriteFile(fresh, []byte("x"), 0o600)

	if err := c.Put([]byte("newest"), prog); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get([]byte("filter0")); ok {
		t.Error("the oldest entry survived a put beyond MaxEntries")
	}
	for _, f := range []string{"filter1", fmt.Sprint("filter", MaxEntries-1), "newest"} {
		if _, ok := c.Get([]byte(f)); !ok {
			t.Errorf("%s was dropped", f)
		}
	}
	if _, err := os.Stat(leftover); err == nil {
		t.Error("a stale temporary file was left")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a temporary file being written was removed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != MaxEntries+1 { // + the fresh temporary file
		t.Errorf("%d files in the cache, want %d", len(entries), MaxEntries+1)
	}
}
