package container

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/seccomp"
)

// ExecOptions are the inputs of `skiff exec` once its flags are resolved
// into a process.
type ExecOptions struct {
	Process       *specs.Process
	ConsoleSocket string
	ConsoleConn   *os.File
	PreserveFds   int
	IgnorePaused  bool
	Timeline      func(phase string, d time.Duration)
}

// nsFiles names each namespace type's file under /proc/<pid>/ns.
var nsFiles = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace: "pid", specs.NetworkNamespace: "net", specs.MountNamespace: "mnt",
	specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.UserNamespace: "user",
	specs.CgroupNamespace: "cgroup", specs.TimeNamespace: "time",
}

// Exec starts a process inside the running container: it joins every
// namespace the container has (user and mount included) and its cgroup,
// then runs as o.Process says. It returns the process's host pid once the
// process is about to execve.
func (c *Container) Exec(o ExecOptions) (pid int, err error) {
	status := c.Status()
	switch status {
	case Running, Created:
	case Paused:
		if !o.IgnorePaused {
			return 0, fmt.Errorf("cannot exec in container %q: it is paused (use --ignore-paused)", c.ID())
		}
	default:
		return 0, wrongStatus("exec in", c.ID(), status)
	}
	if err := c.decodeSpec(); err != nil {
		return 0, err
	}
	spec := *c.state.Spec
	spec.Process = o.Process
	spec.Hooks = nil
	if err := checkHostSupport(&spec); err != nil {
		return 0, err
	}
	boot := &handshake.Bootstrap{Joins: map[int]string{}}
	if spec.Linux != nil {
		for _, ns := range spec.Linux.Namespaces {
			boot.Joins[cloneFlags[ns.Type]] = fmt.Sprintf("/proc/%d/ns/%s", c.state.Pid, nsFiles[ns.Type])
		}
	}
	var console *os.File
	if o.ConsoleSocket != "" {
		if console, err = dialConsole(o.ConsoleSocket); err != nil {
			return 0, err
		}
		defer console.Close()
	} else if o.ConsoleConn != nil && o.Process.Terminal {
		console = o.ConsoleConn
	}
	var filter *seccomp.Filter
	if spec.Linux != nil {
		// The container's filter confines every process in it.
		if filter, err = translateSeccomp(spec.Linux.Seccomp); err != nil {
			return 0, err
		}
	}
	l := &launchSpec{
		state:       func() []byte { return c.stateJSON(status) },
		boot:        boot,
		console:     console,
		preserveFds: o.PreserveFds,
		cfg: handshake.Config{
			ID:      c.ID(),
			Bundle:  c.state.Bundle,
			Rootfs:  c.state.Rootfs,
			Spec:    &spec,
			Exec:    true,
			Seccomp: filter,
		},
		t:    newTimeline(o.Timeline),
		root: filepath.Dir(c.dir),
	}
	if filter != nil {
		l.seccomp = startSeccompProgram(l.root, filter)
		defer l.seccomp.abandon()
	}
	if cg, err := c.cgroup(); err == nil {
		l.cg = cg
	}
	var started int
	var startT uint64
	l.started = func(p int, st uint64) { started, startT = p, st }
	defer func() {
		// A process that failed to get going must not linger inside.
		if err != nil && started > 0 {
			signalProcess(started, startT, unix.SIGKILL)
		}
	}()
	return launchInit(l)
}
