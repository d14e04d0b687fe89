package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/cgroups"
)

// Container is one container under a state root, loaded from its state.
type Container struct {
	root  string
	dir   string
	state *State
	lock  *os.File
	// specJSON is state.Spec encoded: during a create, so that its saves
	// encode it once (see save); after Load, until a verb needs the spec
	// decoded (see decodeSpec), with state.Spec nil meanwhile.
	specJSON []byte
}

// Load opens container id under root and takes its lock. The caller must
// Close it. Commands on one container are serialized by the lock; commands
// on different containers never wait for each other.
func Load(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	lock, err := lockDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("container %q: %w", id, ErrNotExist)
		}
		return nil, err
	}
	st, specJSON, err := loadState(dir)
	if err != nil {
		lock.Close()
		if errors.Is(err, fs.ErrNotExist) {
			// Directories appear with their state (publishDir), so one
			// without is the husk of a removal killed midway: nothing
			// of the container is left. Clear it so the id is free.
			os.RemoveAll(dir)
			return nil, fmt.Errorf("container %q: %w", id, ErrNotExist)
		}
		return nil, err
	}
	return &Container{root: root, dir: dir, state: st, lock: lock, specJSON: specJSON}, nil
}

// lockDir takes an exclusive flock on the container's directory. A delete
// removes the directory while holding the lock, so after waiting we check
// that the directory is still the one we locked.
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	var a, b unix.Stat_t
	if unix.Fstat(int(f.Fd()), &a) != nil || unix.Stat(dir, &b) != nil || a.Ino != b.Ino {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}

// lockHeld tells whether some process holds dir's lock, without waiting.
func lockHeld(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == unix.EWOULDBLOCK
}

// Close releases the lock.
func (c *Container) Close() {
	if c.lock != nil {
		c.lock.Close()
		c.lock = nil
	}
}

// ID of the container.
func (c *Container) ID() string { return c.state.ID }

// Pid of the container's init on the host.
func (c *Container) Pid() int { return c.state.Pid }

// Spec the container was created with.
func (c *Container) Spec() (*specs.Spec, error) {
	if err := c.decodeSpec(); err != nil {
		return nil, err
	}
	return c.state.Spec, nil
}

// Status is derived from facts, never stored: is init alive (same pid and
// start time), is the exec FIFO still there, is the cgroup frozen.
func (c *Container) Status() string {
	if c.state.InCreate {
		// A create holds the container's lock to the end. If we hold it
		// (Load), or nobody does (Peek), that create died midway: what
		// it left can only be deleted.
		if c.lock != nil || !lockHeld(c.dir) {
			return Stopped
		}
		return Creating
	}
	if !alive(c.state.Pid, c.state.StartTime) {
		return Stopped
	}
	if _, err := os.Lstat(filepath.Join(c.dir, fifoName)); err == nil {
		return Created
	}
	if cg, err := c.cgroup(); err == nil {
		if frozen, err := cg.Frozen(); err == nil && frozen {
			return Paused
		}
	}
	return Running
}

// OCIState is the container's state as `skiff state` prints it.
func (c *Container) OCIState() OCIState {
	return c.ociStateWith(c.Status())
}

func (c *Container) ociStateWith(status string) OCIState {
	st := c.state
	pid := st.Pid
	if status == Stopped {
		pid = 0
	}
	return OCIState{
		OCIVersion:  specs.Version,
		ID:          st.ID,
		Pid:         pid,
		Status:      status,
		Bundle:      st.Bundle,
		Rootfs:      st.Rootfs,
		Created:     st.Created,
		Owner:       st.Owner,
		Annotations: st.Annotations,
	}
}

func (c *Container) cgroup() (cgroups.Manager, error) {
	if len(c.state.CgroupPaths) == 0 {
		return nil, errors.New("container has no cgroup")
	}
	return cgroups.Load(c.state.CgroupPaths)
}

// List returns the ids of the containers under root, sorted.
func List(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && ValidateID(e.Name()) == nil {
			ids = append(ids, e.Name())
		}
		if strings.HasPrefix(e.Name(), creatingPrefix) {
			sweepCreating(filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Peek loads a container's state without taking its lock, for `list`:
// it never blocks behind a long create. A container whose state is not
// written yet is reported as not existing.
func Peek(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	st, specJSON, err := loadState(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("container %q: %w", id, ErrNotExist)
		}
		return nil, err
	}
	return &Container{root: root, dir: dir, state: st, specJSON: specJSON}, nil
}

// creatingPrefix starts the name a container directory is built under
// (publishDir); "~" is not in the id alphabet.
const creatingPrefix = "~creating-"

// sweepCreating removes a directory a create left when it was killed
// before publishing it: it holds no more than a state file (the create
// made nothing else yet), nobody holds its lock, and it is over a minute
// old, so no create still working on it can lose it.
func sweepCreating(dir string) {
	st, err := os.Stat(dir)
	if err != nil || time.Since(st.ModTime()) < time.Minute || lockHeld(dir) {
		return
	}
	os.RemoveAll(dir)
}
