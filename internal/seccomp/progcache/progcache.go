// Package progcache keeps the BPF programs skiff-init compiled from
// seccomp filters, so that a profile is compiled once per build of
// skiff-init and kernel, not on every create and exec: libseccomp takes
// 15-20 ms for Docker's default profile on every container otherwise.
//
// An entry is a file in a directory of the state root, named by a SHA-256
// of what the program depends on: the skiff-init build (its libseccomp),
// the kernel release, and the encoded filter. The file holds the program
// and a SHA-256 of it, so that a torn or damaged file reads as a miss and
// is compiled again, never loaded. Only skiff writes there: the directory
// is root's (or a rootless user's own state root), and no container sees
// it.
package progcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// DirName is the cache's directory in the state root. "~" is outside
// the container id alphabet, so no container can be named like it.
const DirName = "~seccomp"

// MaxEntries bounds the cache: a host rarely runs more than a few
// profiles, and each entry is a few KiB. Put removes the oldest beyond it.
const MaxEntries = 64

// magic starts every entry; a change of the format changes it.
var magic = []byte("skiffbpf1\n")

// Cache is the program cache in one state root, for one skiff-init build
// on one kernel.
type Cache struct {
	dir  string
	salt []byte // what a program depends on besides its filter
}

// New returns the cache under root for the skiff-init build initID
// running on kernel release.
func New(root, initID, release string) *Cache {
	return &Cache{
		dir:  filepath.Join(root, DirName),
		salt: []byte(initID + "\x00" + release + "\x00"),
	}
}

func (c *Cache) path(filter []byte) string {
	h := sha256.New()
	h.Write(c.salt)
	h.Write(filter)
	return filepath.Join(c.dir, hex.EncodeToString(h.Sum(nil)))
}

// Get returns the program compiled from the encoded filter, if the cache
// holds an intact one.
func (c *Cache) Get(filter []byte) ([]byte, bool) {
	data, err := os.ReadFile(c.path(filter))
	if err != nil {
		return nil, false
	}
	return decode(data)
}

// Put stores the program compiled from the encoded filter. The entry
// appears whole or not at all (a temporary file renamed into place), so
// concurrent creates may store the same program at once.
func (c *Cache) Put(filter, prog []byte) error {
	if len(prog) == 0 || len(prog)%bpf.InstructionSize != 0 {
		return errors.New("store seccomp program: not a whole number of instructions")
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// No fsync: the cache is in /run, and a file a crash damaged fails
	// its checksum and is compiled again.
	_, err = tmp.Write(encode(prog))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), c.path(filter)); err != nil {
		return err
	}
	c.prune()
	return nil
}

func encode(prog []byte) []byte {
	sum := sha256.Sum256(prog)
	out := make([]byte, 0, len(magic)+len(sum)+len(prog))
	out = append(out, magic...)
	out = append(out, sum[:]...)
	return append(out, prog...)
}

func decode(data []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(data, magic)
	if !ok || len(rest) < sha256.Size {
		return nil, false
	}
	sum, prog := rest[:sha256.Size], rest[sha256.Size:]
	if len(prog) == 0 || len(prog)%bpf.InstructionSize != 0 {
		return nil, false
	}
	if got := sha256.Sum256(prog); !bytes.Equal(got[:], sum) {
		return nil, false
	}
	return prog, true
}

// staleTemp is how old a temporary file must be before prune takes it for
// one a killed skiff left, rather than one being written.
const staleTemp = time.Minute

// prune removes the oldest entries beyond MaxEntries, and temporary files
// left by a skiff killed while writing.
func (c *Cache) prune() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		mod  time.Time
	}
	var kept []entry
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		if strings.HasPrefix(e.Name(), ".tmp-") {
			if time.Since(info.ModTime()) > staleTemp {
				os.Remove(filepath.Join(c.dir, e.Name()))
			}
			continue
		}
		kept = append(kept, entry{e.Name(), info.ModTime()})
	}
	if len(kept) <= MaxEntries {
		return
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].mod.Before(kept[j].mod) })
	for _, e := range kept[:len(kept)-MaxEntries] {
		os.Remove(filepath.Join(c.dir, e.name))
	}
}
