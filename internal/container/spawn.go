package container

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/cgroups"
	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/hooks"
)

// handshakeTimeout bounds each wait for init outside of hooks: an init
// stuck in a mount or a dead FUSE server must not hang create.
const handshakeTimeout = 60 * time.Second

// spawnInit starts the container's init and walks the handshake with it
// (steps as in internal/handshake) until init is parked on the FIFO.
func spawnInit(c *Container, o *CreateOptions, t *timeline) error {
	s := c.state.Spec

	// The cgroup exists, with its limits, before init does: the memory a
	// process allocates is charged where it was when it allocated.
	var cg cgroups.Manager
	if s.Linux != nil {
		var cgPath string
		cgPath = s.Linux.CgroupsPath
		m, err := cgroups.New(cgPath, c.ID())
		if err != nil {
			return fmt.Errorf("config.json: linux.cgroupsPath: %w", err)
		}
		c.state.CgroupPaths = m.Paths()
		if err := m.Create(); err != nil {
			return fmt.Errorf("create cgroup: %w", err)
		}
		if r := cgroupResources(s.Linux); r != nil {
			if err := m.Set(r); err != nil {
				return fmt.Errorf("config.json: %w", err)
			}
		}
		cg = m
		t.mark("cgroup")
	}

	fifo := filepath.Join(c.dir, fifoName)
	if err := unix.Mkfifo(fifo, 0o622); err != nil {
		return fmt.Errorf("create exec fifo: %w", err)
	}
	// Writable by init whatever uid it has in its user namespace; the
	// umask would have taken that away.
	if err := os.Chmod(fifo, 0o622); err != nil {
		return fmt.Errorf("create exec fifo: %w", err)
	}
	fifoFile, err := os.OpenFile(fifo, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer fifoFile.Close()

	procDir, err := os.Open("/proc")
	if err != nil {
		return fmt.Errorf("open /proc: %w", err)
	}
	defer procDir.Close()

	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("handshake socketpair: %w", err)
	}
	// Non-blocking on our side so reads can time out through the poller.
	unix.SetNonblock(fds[0], true)
	parent := os.NewFile(uintptr(fds[0]), "handshake")
	child := os.NewFile(uintptr(fds[1]), "handshake-init")
	defer parent.Close()
	defer child.Close()

	var console *os.File
	if o.ConsoleSocket != "" {
		console, err = dialConsole(o.ConsoleSocket)
		if err != nil {
			return err
		}
		defer console.Close()
	} else if o.ConsoleConn != nil && s.Process.Terminal {
		console = o.ConsoleConn
	}

	// fds 3 .. 3+PreserveFds-1 are passed through unchanged; ours follow.
	var extra []*os.File
	for i := 0; i < o.PreserveFds; i++ {
		extra = append(extra, os.NewFile(uintptr(3+i), "preserved-"+strconv.Itoa(i)))
	}
	sockFd := 3 + len(extra)
	extra = append(extra, child)
	fifoFd := 3 + len(extra)
	extra = append(extra, fifoFile)
	procFd := 3 + len(extra)
	extra = append(extra, procDir)
	consoleFd := 0
	if console != nil {
		consoleFd = 3 + len(extra)
		extra = append(extra, console)
	}

	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find skiff binary: %w", err)
	}
	cmd := &exec.Cmd{
		Path:       self,
		Args:       []string{"skiff", "init"},
		Env:        []string{handshake.EnvInitPipe + "=" + strconv.Itoa(sockFd)},
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		ExtraFiles: extra,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start init: %w", err)
	}
	child.Close()
	// Until init's pid is known, the process to clean up is this one.
	c.state.Pid = cmd.Process.Pid
	c.state.StartTime, _, _ = procStartTime(cmd.Process.Pid)
	// The direct child is either init itself (no pid namespace), which
	// outlives create and is reaped by whoever inherits it (our caller as
	// subreaper, or `skiff run`), or the C stage's intermediate, reaped
	// below as soon as it has reported.
	t.mark("start init")

	// Step 1: cgroup, then the bootstrap record.
	if cg != nil {
		if err := cg.AddProc(cmd.Process.Pid); err != nil {
			return fmt.Errorf("join cgroup: %w", err)
		}
	}
	boot, err := bootstrap(s)
	if err != nil {
		return err
	}
	if _, err := parent.Write(boot.Encode()); err != nil {
		return fmt.Errorf("send bootstrap to init: %w", err)
	}

	// Steps 2-5 happen in the C stage; we answer its requests.
	var initPid int
	for initPid == 0 {
		parent.SetReadDeadline(time.Now().Add(handshakeTimeout))
		r, err := handshake.ReadStageReply(parent)
		if err != nil {
			return initFailure(err)
		}
		switch r.Kind {
		case 'U':
			if err := writeIDMaps(cmd.Process.Pid, s.Linux); err != nil {
				return err
			}
			if _, err := parent.Write([]byte{'u'}); err != nil {
				return fmt.Errorf("answer init: %w", err)
			}
		case 'P':
			initPid = r.Pid
		case 'E':
			return initFailure(r.Err)
		}
	}
	if initPid != cmd.Process.Pid {
		// The intermediate exits right after reporting; reap it now.
		cmd.Wait()
	}
	c.state.Pid = initPid
	if c.state.StartTime, _, err = procStartTime(initPid); err != nil {
		return fmt.Errorf("init exited early: %w", err)
	}
	t.mark("namespaces")

	// Step 6: the config.
	cfg := handshake.Config{
		ID:            c.ID(),
		Bundle:        c.state.Bundle,
		Rootfs:        c.state.Rootfs,
		Spec:          s,
		NoPivot:       o.NoPivot,
		NoNewKeyring:  o.NoNewKeyring,
		FifoFd:        fifoFd,
		ProcFd:        procFd,
		InitPid:       initPid,
		ConsoleFd:     consoleFd,
		PreserveFds:   o.PreserveFds,
		HooksInParent: s.Hooks != nil && (len(s.Hooks.Prestart) > 0 || len(s.Hooks.CreateRuntime) > 0),
		State:         c.stateJSON(Creating),
	}
	if err := handshake.WriteFrame(parent, &cfg); err != nil {
		return fmt.Errorf("send config to init: %w", err)
	}

	// Steps 7-8.
	for {
		parent.SetReadDeadline(time.Now().Add(handshakeTimeout))
		var m handshake.Message
		if err := handshake.ReadFrame(parent, &m); err != nil {
			return initFailure(err)
		}
		switch m.Type {
		case handshake.MsgHooks:
			t.mark("rootfs")
			herr := runCreateHooks(s.Hooks, c.stateJSON(Creating))
			reply := handshake.Message{Type: handshake.MsgHooksDone}
			if herr != nil {
				reply = handshake.ErrorMessage(herr)
			}
			if err := handshake.WriteFrame(parent, reply); err != nil && herr == nil {
				return fmt.Errorf("answer init: %w", err)
			}
			if herr != nil {
				return herr
			}
			t.mark("hooks")
		case handshake.MsgReady:
			t.mark("init ready")
			return nil
		case handshake.MsgError:
			return m.AsError()
		default:
			return fmt.Errorf("unexpected message %q from init", m.Type)
		}
	}
}

// initFailure turns a broken handshake into the most useful error.
func initFailure(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("init did not answer within %s", handshakeTimeout)
	}
	return err
}

func runCreateHooks(h *specs.Hooks, state []byte) error {
	if err := hooks.Run("prestart", h.Prestart, state); err != nil {
		return err
	}
	return hooks.Run("createRuntime", h.CreateRuntime, state)
}

// bootstrap lists the namespaces for the C stage.
func bootstrap(s *specs.Spec) (*handshake.Bootstrap, error) {
	b := &handshake.Bootstrap{Joins: map[int]string{}}
	if s.Linux == nil {
		return b, nil
	}
	for i, ns := range s.Linux.Namespaces {
		flag, ok := cloneFlags[ns.Type]
		if !ok {
			return nil, fmt.Errorf("config.json: linux.namespaces[%d].type: unknown %q", i, ns.Type)
		}
		if ns.Path != "" {
			b.Joins[flag] = ns.Path
		} else {
			b.CloneFlags |= uintptr(flag)
		}
	}
	if len(s.Linux.TimeOffsets) > 0 {
		var sb strings.Builder
		for clock, off := range s.Linux.TimeOffsets {
			fmt.Fprintf(&sb, "%s %d %d\n", clock, off.Secs, off.Nanosecs)
		}
		b.TimeOffsets = sb.String()
	}
	return b, nil
}

// writeIDMaps writes a new user namespace's uid and gid maps (step 3).
func writeIDMaps(pid int, l *specs.Linux) error {
	write := func(file, field string, ms []specs.LinuxIDMapping) error {
		var sb strings.Builder
		for _, m := range ms {
			fmt.Fprintf(&sb, "%d %d %d\n", m.ContainerID, m.HostID, m.Size)
		}
		p := fmt.Sprintf("/proc/%d/%s", pid, file)
		if err := os.WriteFile(p, []byte(sb.String()), 0); err != nil {
			return fmt.Errorf("config.json: linux.%s: write %s: %w", field, p, err)
		}
		return nil
	}
	if err := write("uid_map", "uidMappings", l.UIDMappings); err != nil {
		return err
	}
	return write("gid_map", "gidMappings", l.GIDMappings)
}

// dialConsole connects to the --console-socket receiver; init sends the
// pty master over this connection.
func dialConsole(path string) (*os.File, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("--console-socket %s: %w", path, err)
	}
	defer conn.Close()
	f, err := conn.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("--console-socket %s: %w", path, err)
	}
	return f, nil
}
