package container

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/cgroups"
	"github.com/skiffrt/skiff/internal/hooks"
)

// ErrWrongStatus is returned when an operation does not apply to the
// container's current status; the message names the status.
var ErrWrongStatus = errors.New("wrong status")

func wrongStatus(op, id, status string) error {
	return fmt.Errorf("cannot %s container %q: it is %s: %w", op, id, status, ErrWrongStatus)
}

// startTimeout bounds how long start waits for init to take the FIFO.
const startTimeout = 10 * time.Second

// Start releases a created container's init to exec the user's process
// (runtime.md, "Start"), then runs poststart hooks.
func (c *Container) Start(warn func(error)) error {
	status := c.Status()
	if status != Created {
		return wrongStatus("start", c.ID(), status)
	}
	fifo := filepath.Join(c.dir, fifoName)
	if err := c.releaseInit(fifo); err != nil {
		if cg, cerr := c.cgroup(); cerr == nil && c.decodeSpec() == nil && c.state.Spec.Linux != nil {
			return explainInitDeath(cg, c.state.Spec.Linux.Resources, err)
		}
		return err
	}
	os.Remove(fifo)
	h, err := c.hooks()
	if err != nil {
		return err
	}
	if h != nil && len(h.Poststart) > 0 {
		// runtime.md, lifecycle 9: a failing poststart hook is an error,
		// and the container is stopped.
		if err := hooks.Run("poststart", h.Poststart, c.stateJSON(Running)); err != nil {
			signalProcess(c.state.Pid, c.state.StartTime, unix.SIGKILL)
			return fmt.Errorf("start %q: %w (the container was stopped)", c.ID(), err)
		}
	}
	return nil
}

// releaseInit opens the FIFO for reading, which unblocks init's open for
// writing, and reads init's outcome until it closes its end: "0", or "E"
// and the error of a startContainer hook. The open is non-blocking and the
// wait bounded, so a dead init cannot hang start.
func (c *Container) releaseInit(fifo string) error {
	fd, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(startTimeout)
	var got []byte
	buf := make([]byte, 4096)
	for time.Now().Before(deadline) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 50)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait on exec fifo: %w", err)
		}
		if n > 0 {
			m, err := unix.Read(fd, buf)
			if m > 0 && len(got) < 64<<10 {
				got = append(got, buf[:m]...)
			}
			// EOF after init wrote: it has closed its end.
			if m == 0 && err == nil && len(got) > 0 {
				break
			}
		}
		if len(got) == 0 && !alive(c.state.Pid, c.state.StartTime) {
			return fmt.Errorf("container %q: init exited before start", c.ID())
		}
	}
	// "0" once startContainer hooks passed; "E" and an error from any
	// later step; end-of-file once execve succeeded.
	rest, _ := bytes.CutPrefix(got, []byte{'0'})
	switch {
	case len(got) == 0:
		return fmt.Errorf("container %q: init did not take the exec fifo within %s", c.ID(), startTimeout)
	case len(rest) > 0 && rest[0] == 'E':
		return fmt.Errorf("start %q: %s", c.ID(), rest[1:])
	}
	return nil
}

// Kill sends sig to the container's init, or with all to every process in
// its cgroup.
func (c *Container) Kill(sig unix.Signal, all bool) error {
	status := c.Status()
	if status == Stopped {
		if all {
			// runc allows --all on a stopped container whose cgroup still
			// holds processes (a shared pid namespace): signal them.
			if cg, err := c.cgroup(); err == nil {
				return cg.Signal(sig)
			}
		}
		return fmt.Errorf("cannot kill container %q: it is not running", c.ID())
	}
	if all {
		cg, err := c.cgroup()
		if err != nil {
			return fmt.Errorf("kill --all %q: %w", c.ID(), err)
		}
		if err := cg.Signal(sig); err != nil {
			return fmt.Errorf("kill --all %q: %w", c.ID(), err)
		}
		return nil
	}
	err := signalProcess(c.state.Pid, c.state.StartTime, sig)
	if errors.Is(err, errNotRunning) {
		return fmt.Errorf("cannot kill container %q: it is not running", c.ID())
	}
	return err
}

// Delete removes the container (runtime.md, "Delete"): only a stopped one
// unless force, which kills it first. Poststop hooks run last; their
// failure is a warning.
func (c *Container) Delete(force bool, warn func(error)) error {
	status := c.Status()
	if status != Stopped && !force {
		return fmt.Errorf("cannot delete container %q that is not stopped: %s", c.ID(), status)
	}
	// The hooks are read before the state is removed; a spec that does
	// not decode must not keep the container from being deleted.
	h, herr := c.hooks()
	if err := c.destroy(); err != nil {
		return fmt.Errorf("delete %q: %w", c.ID(), err)
	}
	if herr != nil && warn != nil {
		warn(fmt.Errorf("delete %q: poststop hooks: %w", c.ID(), herr))
	}
	if h != nil && len(h.Poststop) > 0 {
		hooks.RunAll("poststop", h.Poststop, c.stateJSON(Stopped), warn)
	}
	return nil
}

// destroyTimeout bounds the wait for killed processes to exit.
const destroyTimeout = 10 * time.Second

// destroy kills init and everything in the cgroup, removes the cgroup and
// the state directory. It is the rollback of a failed create too, so it
// tolerates every piece being already gone.
func (c *Container) destroy() error {
	var errs []error
	var cg cgroups.Manager
	if len(c.state.CgroupPaths) > 0 {
		var err error
		if cg, err = c.cgroup(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.state.Pid > 0 {
		err := signalProcess(c.state.Pid, c.state.StartTime, unix.SIGKILL)
		if err != nil && !errors.Is(err, errNotRunning) {
			errs = append(errs, err)
		}
		// A frozen process does not die until thawed (paused container).
		if cg != nil {
			cg.Thaw()
		}
		// An init already gone (a stopped container, the common case)
		// has nothing to wait for: waitExit would only find that out
		// again with its own pidfd_open and read of /proc/<pid>/stat.
		if !errors.Is(err, errNotRunning) {
			if err := waitExit(c.state.Pid, c.state.StartTime, destroyTimeout); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if cg != nil {
		if err := cg.Destroy(); err != nil {
			errs = append(errs, fmt.Errorf("remove cgroup: %w", err))
		}
	}
	if err := removeStateDir(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove state: %w", err))
	}
	return errors.Join(errs...)
}

// removeStateDir removes state.json first, then the rest: a removal killed
// midway leaves a directory without state, which Load recognizes as such a
// husk and clears, so the id is never left taken.
func removeStateDir(dir string) error {
	if err := os.Remove(filepath.Join(dir, stateFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.RemoveAll(dir)
}

// stateJSON is the state hooks get on stdin.
func (c *Container) stateJSON(status string) []byte {
	data, _ := json.Marshal(c.ociStateWith(status))
	return data
}
