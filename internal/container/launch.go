package container

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/skiffrt/skiff/cgroups"
	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/initplan"
	"github.com/skiffrt/skiff/internal/netdev"
	"golang.org/x/sys/unix"
)

// launchSpec is one start of `skiff init`: a container's init (create) or
// a process joining a running container (exec).
type launchSpec struct {
	boot        *handshake.Bootstrap
	cg          cgroups.Manager // joined before step 1, or after step 5 with joinLate
	fifo        *os.File        // exec FIFO (O_PATH); nil for exec
	linux       *specs.Linux    // id maps for a new user namespace
	console     *os.File        // connection that receives the pty master
	preserveFds int
	cfg         handshake.Config // fd numbers and InitPid are filled in here
	hooks       func() error     // step 7, when cfg.HooksInParent
	// state gives the container's state JSON once init's pid is known,
	// for the hooks init runs and for a seccomp listener.
	state func() []byte
	// started records the process to clean up so far: first the direct
	// child, then init. With joinLate and a pid namespace the direct
	// child is only the stage's intermediate, outside the cgroup, and is
	// not recorded (a state save less): if we die before it reports init,
	// it and the init it forked read EOF from the handshake and exit.
	started func(pid int, start uint64)
	t       *timeline
	root    string // the state root, where skiff-init is cached
	// joinLate moves init into cg once it has made its namespaces and
	// forked (step 5), so that they are charged to our cgroup.
	joinLate bool
	// seccomp gives the program of cfg.Seccomp (startSeccompProgram).
	seccomp *pendingProgram
}

// launchInit starts `skiff init` and walks the handshake (steps as in
// internal/handshake) until init reports ready. It returns init's pid.
func launchInit(l *launchSpec) (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("handshake socketpair: %w", err)
	}
	// Non-blocking on our side so reads can time out through the poller.
	unix.SetNonblock(fds[0], true)
	parent := os.NewFile(uintptr(fds[0]), "handshake")
	child := os.NewFile(uintptr(fds[1]), "handshake-init")
	defer parent.Close()
	defer child.Close()

	// fds 3 .. 3+preserveFds-1 are passed through unchanged; ours follow.
	var extra []*os.File
	for i := 0; i < l.preserveFds; i++ {
		extra = append(extra, os.NewFile(uintptr(3+i), "preserved-"+strconv.Itoa(i)))
	}
	add := func(f *os.File) int {
		extra = append(extra, f)
		return 2 + len(extra)
	}
	sockFd := add(child)
	if l.fifo != nil {
		// Only the FIFO reopen needs the host's /proc; exec gets none.
		procDir, err := os.Open("/proc")
		if err != nil {
			return 0, fmt.Errorf("open /proc: %w", err)
		}
		defer procDir.Close()
		l.cfg.FifoFd = add(l.fifo)
		l.cfg.ProcFd = add(procDir)
	}
	if l.console != nil {
		l.cfg.ConsoleFd = add(l.console)
	}
	l.cfg.PreserveFds = l.preserveFds

	self, err := protectedInit(l.root)
	if err != nil {
		return 0, err
	}
	defer self.Close()
	// Executed through its fd in the child, so /proc/<init>/exe is the
	// read-only view; init closes the fd with the rest before execve.
	selfFd := add(self)
	path := "/proc/self/fd/" + strconv.Itoa(selfFd)
	env := []string{handshake.EnvInitPipe + "=" + strconv.Itoa(sockFd)}
	files := append([]*os.File{os.Stdin, os.Stdout, os.Stderr}, extra...)
	// On cgroup2, init is born inside the container's cgroup (clone3 with
	// CLONE_INTO_CGROUP): not one page is charged elsewhere, and no window
	// exists before AddProc. v1 hierarchies still get AddProc below.
	cgroupFD := -1
	if l.cg != nil && !l.joinLate {
		if dir, ok := l.cg.Paths()[""]; ok {
			if d, err := os.Open(dir); err == nil {
				defer d.Close()
				cgroupFD = int(d.Fd())
			}
		}
	}
	pid, err := forkExec(path, []string{"skiff", "init"}, env, files, cgroupFD)
	if err != nil && cgroupFD >= 0 {
		// A kernel before 5.7 has no CLONE_INTO_CGROUP; AddProc will do.
		pid, err = forkExec(path, []string{"skiff", "init"}, env, files, -1)
	}
	if err != nil {
		return 0, fmt.Errorf("start init: %w", err)
	}
	child.Close()
	// The direct child is either init itself (no pid namespace), which
	// outlives us and is reaped by whoever inherits it (our caller as
	// subreaper, or `skiff run`), or the C stage's intermediate, reaped
	// below as soon as it has reported.
	if !(l.joinLate && l.boot.ForksIntoPidNS()) {
		start, _, _ := procStartTime(pid)
		l.started(pid, start)
	}
	l.t.mark("start init")

	// Step 1: cgroup, then the bootstrap record. An exec'd process runs
	// on process.execCPUAffinity.initial until it is in the cgroup.
	if l.cfg.Exec {
		if err := setInitialAffinity(pid, l.cfg.Spec.Process); err != nil {
			return 0, err
		}
	}
	if l.cg != nil && !l.joinLate {
		if err := l.cg.AddProc(pid); err != nil {
			return 0, fmt.Errorf("join cgroup: %w", err)
		}
	}
	l.boot.LateCgroup = l.cg != nil && l.joinLate
	if _, err := parent.Write(l.boot.Encode()); err != nil {
		return 0, fmt.Errorf("send bootstrap to init: %w", err)
	}

	// Steps 2-5 happen in the C stage; we answer its requests.
	var initPid int
	for initPid == 0 {
		parent.SetReadDeadline(time.Now().Add(handshakeTimeout))
		r, err := handshake.ReadStageReply(parent)
		if err != nil {
			return 0, initFailure(err)
		}
		switch r.Kind {
		case 'U':
			if err := writeIDMaps(pid, l.linux); err != nil {
				return 0, err
			}
			if _, err := parent.Write([]byte{'u'}); err != nil {
				return 0, fmt.Errorf("answer init: %w", err)
			}
		case 'P':
			initPid = r.Pid
		case 'E':
			return 0, explainUserNSFailure(initFailure(r.Err))
		}
	}
	if initPid != pid {
		// The intermediate exits right after reporting; reap it now.
		reap(pid)
	}
	start, _, err := procStartTime(initPid)
	if err != nil {
		return 0, fmt.Errorf("init exited early: %w", err)
	}
	l.started(initPid, start)
	l.t.mark("namespaces")
	if l.boot.LateCgroup {
		if err := l.cg.AddProc(initPid); err != nil {
			return 0, fmt.Errorf("join cgroup: %w", err)
		}
		l.t.mark("join cgroup")
	}
	// linux.netDevices: into init's network namespace, new or joined
	// (validated), before anything runs there.
	if !l.cfg.Exec && l.linux != nil && len(l.linux.NetDevices) > 0 {
		if err := netdev.MoveInto(l.linux.NetDevices, fmt.Sprintf("/proc/%d/ns/net", initPid)); err != nil {
			return 0, err
		}
	}

	// Step 6: the plan (internal/initplan), then the idmapped mounts made
	// for it.
	l.cfg.InitPid = initPid
	var state []byte
	if l.state != nil {
		state = l.state()
		if !l.cfg.Exec {
			l.cfg.State = state
		}
	}
	var mountFds []int
	if !l.cfg.Exec {
		mountFds, l.cfg.IDMapMounts, err = openIDMappedMounts(l.cfg.Spec, l.cfg.Bundle, initPid, l.root)
		if err != nil {
			return 0, err
		}
		defer func() {
			for _, fd := range mountFds {
				unix.Close(fd)
			}
		}()
	}
	host, err := initplan.ReadHost(&l.cfg, initPid)
	if err != nil {
		return 0, err
	}
	if l.cfg.Seccomp != nil {
		if l.cfg.SeccompProgram, err = l.seccomp.wait(); err != nil {
			return 0, err
		}
		l.t.mark(l.seccomp.phase())
	}
	plan, err := initplan.Build(&l.cfg, host)
	if err != nil {
		return 0, err
	}
	if _, err := parent.Write(plan.Encode()); err != nil {
		return 0, fmt.Errorf("send plan to init: %w", err)
	}
	if len(mountFds) > 0 {
		if err := handshake.SendFds(parent, mountFds); err != nil {
			return 0, fmt.Errorf("send idmapped mounts to init: %w", err)
		}
	}

	// Steps 7-8.
	for {
		parent.SetReadDeadline(time.Now().Add(handshakeTimeout))
		var m handshake.Message
		if err := handshake.ReadFrame(parent, &m); err != nil {
			return 0, initFailure(err)
		}
		switch m.Type {
		case handshake.MsgHooks:
			l.t.mark("rootfs")
			herr := l.hooks()
			reply := handshake.Message{Type: handshake.MsgHooksDone}
			if herr != nil {
				reply = handshake.ErrorMessage(herr)
			}
			if err := handshake.WriteFrame(parent, reply); err != nil && herr == nil {
				return 0, fmt.Errorf("answer init: %w", err)
			}
			if herr != nil {
				return 0, herr
			}
			l.t.mark("hooks")
		case handshake.MsgSeccompFd:
			fds, err := handshake.RecvFds(parent, 1)
			if err != nil {
				return 0, err
			}
			err = sendSeccompListener(l.cfg.Spec, initPid, state, fds[0])
			unix.Close(fds[0])
			if err != nil {
				return 0, err
			}
		case handshake.MsgReady:
			l.t.mark("init ready")
			return initPid, nil
		case handshake.MsgError:
			return 0, m.AsError()
		default:
			return 0, fmt.Errorf("unexpected message %q from init", m.Type)
		}
	}
}

// forkExec starts path with files as its fds 0, 1, 2, ... and, with
// cgroupFD >= 0, inside that cgroup. It calls syscall.ForkExec rather than
// os/exec: the os package proves once per process that pidfds work by
// cloning and reaping a throwaway child (os.checkPidfd), for a pidfd
// skiff never uses.
func forkExec(path string, args, env []string, files []*os.File, cgroupFD int) (int, error) {
	fds := make([]uintptr, len(files))
	for i, f := range files {
		fds[i] = f.Fd()
	}
	attr := &syscall.ProcAttr{Env: env, Files: fds}
	if cgroupFD >= 0 {
		attr.Sys = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: cgroupFD}
	}
	pid, err := syscall.ForkExec(path, args, attr)
	runtime.KeepAlive(files)
	return pid, err
}

// reap waits for a child that is about to exit or has exited.
func reap(pid int) {
	for {
		_, err := unix.Wait4(pid, nil, 0, nil)
		if err != unix.EINTR {
			return
		}
	}
}
