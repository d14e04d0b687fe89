package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/cgroups"
	"github.com/skiffrt/skiff/internal/seccomp"
	"github.com/skiffrt/skiff/internal/spec"
)

// CreateOptions are the inputs of `skiff create`.
type CreateOptions struct {
	Root          string
	ID            string
	Bundle        string
	PidFile       string
	ConsoleSocket string
	// ConsoleConn, when ConsoleSocket is empty, is a connected socket that
	// receives the pty master (`skiff run` relaying a terminal itself).
	ConsoleConn  *os.File
	PreserveFds  int
	NoPivot      bool
	NoNewKeyring bool
	// ExtraEnv is appended to process.env (socket activation's LISTEN_FDS).
	ExtraEnv []string
	// Timeline, when set, receives phase timings (--debug).
	Timeline func(phase string, d time.Duration)
	// Rootless: the caller has no privilege on the host. A cgroup skiff
	// cannot create is then skipped when no limits need it.
	Rootless bool
	// Warn reports what does not fail the create.
	Warn func(error)

	seccomp *seccomp.Filter // linux.seccomp, translated
}

// Create makes a container and leaves its init parked on the exec FIFO
// (runtime.md, "Create"). On any failure everything it made is removed:
// init, cgroup, state directory. The returned container is locked.
func Create(o CreateOptions) (_ *Container, err error) {
	t := newTimeline(o.Timeline)
	if err := ValidateID(o.ID); err != nil {
		return nil, err
	}
	bundle, err := filepath.Abs(o.Bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", o.Bundle, err)
	}
	s, raw, err := spec.LoadRaw(bundle)
	if err != nil {
		return nil, err
	}
	if s.Process == nil {
		return nil, errors.New("config.json: process: required by create")
	}
	s.Process.Env = append(s.Process.Env, o.ExtraEnv...)
	if err := checkHostSupport(s); err != nil {
		return nil, err
	}
	if s.Linux != nil && s.Linux.Resources != nil {
		mode, err := cgroups.DetectMode()
		if err != nil {
			return nil, fmt.Errorf("detect cgroup layout: %w", err)
		}
		if err := cgroups.Validate(s.Linux.Resources, mode); err != nil {
			return nil, fmt.Errorf("config.json: %w", err)
		}
	}
	if s.Linux != nil {
		if o.seccomp, err = translateSeccomp(s.Linux.Seccomp); err != nil {
			return nil, err
		}
	}
	// A symlinked rootfs is resolved once, so that every later step (the
	// bind, pivot_root, the state's "rootfs") names the same directory.
	rootfs, err := filepath.EvalSymlinks(spec.RootfsPath(s, bundle))
	if err != nil {
		return nil, fmt.Errorf("config.json: root.path: %w", err)
	}
	t.mark("load config")

	if err := os.MkdirAll(o.Root, 0o711); err != nil {
		return nil, fmt.Errorf("state root %s: %w", o.Root, err)
	}
	dir := filepath.Join(o.Root, o.ID)
	c := &Container{root: o.Root, dir: dir, state: &State{
		ID:          o.ID,
		Bundle:      bundle,
		Rootfs:      rootfs,
		Created:     time.Now().UTC(),
		Owner:       "",
		Annotations: s.Annotations,
		Spec:        s,
		InCreate:    true,
	}}
	// The cgroup's paths are recorded before the cgroup exists, so that
	// delete can remove it after a create killed at any point.
	var cg cgroups.Manager
	if s.Linux != nil {
		cgPath := s.Linux.CgroupsPath
		if cgPath == "" && o.Rootless {
			// Under the caller's own cgroup, which may be delegated to
			// them, rather than at the hierarchy root, which is not.
			cgPath = o.ID
		}
		if cg, err = cgroups.New(cgPath, o.ID); err != nil {
			return nil, fmt.Errorf("config.json: linux.cgroupsPath: %w", err)
		}
		c.state.CgroupPaths = cg.Paths()
	}
	// The state keeps the spec as config.json had it, unless create
	// changed it: encoding it again would cost a cold encoder ~1 ms.
	c.specJSON = raw
	if len(o.ExtraEnv) > 0 {
		if c.specJSON, err = json.Marshal(s); err != nil {
			return nil, fmt.Errorf("encode spec: %w", err)
		}
	}
	if c.lock, err = publishDir(o.Root, o.ID, c); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.destroy()
			c.Close()
		}
	}()

	if err := spawnInit(c, &o, t, cg); err != nil {
		return nil, err
	}
	c.state.InCreate = false
	if err := c.save(); err != nil {
		return nil, err
	}
	// Later changes to the spec (update) must be encoded afresh.
	c.specJSON = nil
	if o.PidFile != "" {
		if err := WritePidFile(o.PidFile, c.state.Pid); err != nil {
			return nil, err
		}
	}
	t.mark("save state")
	return c, nil
}

// publishDir makes the container's directory appear with its lock taken
// and a state in it: it is built under a name no id can have ("~" is not
// in the id alphabet) and renamed into place without replacing anything,
// so no other command ever sees the directory unlocked or empty, and two
// creates of one id cannot both succeed.
func publishDir(root, id string, c *Container) (*os.File, error) {
	tmp, err := os.MkdirTemp(root, creatingPrefix+id+"-")
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	fail := func(err error) (*os.File, error) {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Chmod(tmp, 0o711); err != nil {
		return fail(fmt.Errorf("state dir: %w", err))
	}
	lock, err := lockDir(tmp)
	if err != nil {
		return fail(err)
	}
	if err := c.saveTo(tmp); err != nil {
		lock.Close()
		return fail(err)
	}
	dir := filepath.Join(root, id)
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_NOREPLACE); err != nil {
		lock.Close()
		if errors.Is(err, unix.EEXIST) {
			return fail(fmt.Errorf("container %q already exists", id))
		}
		return fail(fmt.Errorf("state dir %s: %w", dir, err))
	}
	return lock, nil
}

// WritePidFile writes the pid atomically: clients poll this file and must
// never read a partial number.
func WritePidFile(path string, pid int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	if err := writeFileAtomic(abs, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	return nil
}

// cloneFlags maps namespace types to the flags unshare/setns use.
var cloneFlags = map[specs.LinuxNamespaceType]int{
	specs.PIDNamespace:     unix.CLONE_NEWPID,
	specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.MountNamespace:   unix.CLONE_NEWNS,
	specs.IPCNamespace:     unix.CLONE_NEWIPC,
	specs.UTSNamespace:     unix.CLONE_NEWUTS,
	specs.UserNamespace:    unix.CLONE_NEWUSER,
	specs.CgroupNamespace:  unix.CLONE_NEWCGROUP,
	specs.TimeNamespace:    unix.CLONE_NEWTIME,
}
