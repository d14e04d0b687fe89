// Package container is the host side of one container: its state
// directory, lock, status, the spawn of its init, hooks, and rollback.
package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Status values, as runc reports them.
const (
	Creating = "creating"
	Created  = "created"
	Running  = "running"
	Paused   = "paused"
	Stopped  = "stopped"
)

const (
	stateFile = "state.json"
	fifoName  = "exec.fifo"
)

// ErrNotExist is returned for an id with no container.
var ErrNotExist = errors.New("container does not exist")

// idChar is runc's id alphabet (^[\w+\-.]+$): letters, digits and
// "_+-.", so an id is always one plain path component under --root. A
// loop, not a regexp: compiling one at start-up cost every command.
func idChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '+' || c == '-' || c == '.'
}

func validIDChars(id string) bool {
	for i := 0; i < len(id); i++ {
		if !idChar(id[i]) {
			return false
		}
	}
	return true
}

// ValidateID rejects ids that could name something outside --root.
func ValidateID(id string) error {
	switch {
	case id == "":
		return errors.New("container id cannot be empty")
	case len(id) > 255:
		return fmt.Errorf("container id is %d characters long: the limit is 255", len(id))
	case id == "." || id == ".." || !validIDChars(id):
		return fmt.Errorf("invalid container id %q: use letters, digits and _+-.", id)
	}
	return nil
}

// State is what skiff keeps about a container between commands. Status is
// not stored: it is derived from facts each time (see Status).
type State struct {
	ID          string            `json:"id"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Pid         int               `json:"pid"`
	StartTime   uint64            `json:"startTime"` // of Pid, from /proc/<pid>/stat, against pid reuse
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
	CgroupPaths map[string]string `json:"cgroupPaths,omitempty"`
	Spec        *specs.Spec       `json:"spec"`
	// InCreate marks a state saved while create runs, so that a create
	// killed midway leaves a record of what to remove (cgroups, init)
	// for delete. Cleared by the last save of a create that finished.
	InCreate bool `json:"inCreate,omitempty"`
}

// OCIState is the state JSON of runtime.md ("State"), with runc's extra
// fields, as `skiff state` prints it and hooks receive it.
type OCIState struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      string            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// writeFileAtomic replaces path in one rename, so a reader sees the old
// or the new content, never a half-written file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func saveState(dir string, st *State) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, stateFile), data, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// stateOnDisk is a State whose spec is already encoded. A create saves
// its state up to four times (published, the stage's pid when it is in
// the cgroup, init's pid, done) and the spec, most of the bytes, does not
// change meanwhile: encoding it once saves ~0.4 ms a save.
type stateOnDisk struct {
	*State
	Spec json.RawMessage `json:"spec"`
}

// save writes the container's state, with the spec encoded once if the
// create left it so.
func (c *Container) save() error { return c.saveTo(c.dir) }

func (c *Container) saveTo(dir string) error {
	if c.specJSON == nil {
		return saveState(dir, c.state)
	}
	data, err := json.Marshal(stateOnDisk{State: c.state, Spec: c.specJSON})
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, stateFile), data, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// loadState reads a container's state with its spec left encoded (the
// second result); decodeSpec decodes it when a verb needs it. Decoding
// specs.Spec makes encoding/json build its codecs for every type the spec
// reaches: 1.8 ms of the 12.4 ms `skiff state` took, for a spec that
// state, kill and list never look at.
func loadState(dir string) (*State, json.RawMessage, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, nil, err
	}
	st := stateOnDisk{State: &State{}}
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", filepath.Join(dir, stateFile), err)
	}
	return st.State, st.Spec, nil
}

// decodeSpec decodes the spec loadState left encoded into the state. It
// is a no-op once the state has its spec.
func (c *Container) decodeSpec() error {
	if c.state.Spec != nil || c.specJSON == nil {
		return nil
	}
	var s specs.Spec
	if err := json.Unmarshal(c.specJSON, &s); err != nil {
		return fmt.Errorf("decode %s: spec: %w", filepath.Join(c.dir, stateFile), err)
	}
	c.state.Spec = &s
	// From here on the spec may change (update): save encodes it afresh.
	c.specJSON = nil
	return nil
}

// hooks returns the spec's hooks, decoding no more of an encoded spec
// than them.
func (c *Container) hooks() (*specs.Hooks, error) {
	if c.state.Spec != nil {
		return c.state.Spec.Hooks, nil
	}
	if c.specJSON == nil {
		return nil, nil
	}
	var s struct {
		Hooks *specs.Hooks `json:"hooks"`
	}
	if err := json.Unmarshal(c.specJSON, &s); err != nil {
		return nil, fmt.Errorf("decode %s: spec: %w", filepath.Join(c.dir, stateFile), err)
	}
	return s.Hooks, nil
}
