// Package libinit is everything that runs inside a container's new
// namespaces, from the moment the Go runtime starts in init until execve of
// the user's process. It never returns to its caller.
//
// The namespace work before the Go runtime started (steps 1-5) was done by
// the C stage in internal/nsenter; this file continues at step 6.
package libinit

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/hooks"
)

// Run is the body of `skiff init`. Errors go back to the parent over the
// handshake socket, which reports them; init then exits.
func Run() {
	// Credentials and capabilities are per thread in Linux; the final
	// execve carries the calling thread's. Keep all of it on one thread.
	runtime.LockOSThread()

	fd, err := strconv.Atoi(os.Getenv(handshake.EnvInitPipe))
	if err != nil {
		os.Exit(1)
	}
	sock := os.NewFile(uintptr(fd), "handshake")
	if err := initContainer(sock); err == errReportedByParent {
		os.Exit(1)
	} else if err != nil {
		// Before start the parent reads this; after it, the socket is
		// closed and the process's stderr is the only witness left.
		if handshake.WriteFrame(sock, handshake.ErrorMessage(err)) != nil {
			fmt.Fprintf(os.Stderr, "skiff init: %v\n", err)
		}
		os.Exit(127)
	}
	// initContainer only returns on error: success ends in execve.
	os.Exit(1)
}

// errReportedByParent ends init when the parent already has the error.
var errReportedByParent = errors.New("reported by parent")

func initContainer(sock *os.File) error {
	// Step 6: the config.
	var cfg handshake.Config
	if err := handshake.ReadFrame(sock, &cfg); err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	os.Clearenv()
	// The parent made the idmapped mounts (detached) and sends them now.
	var idmapFds map[int]int
	if n := len(cfg.IDMapMounts); n > 0 {
		fds, err := handshake.RecvFds(sock, n)
		if err != nil {
			return err
		}
		idmapFds = make(map[int]int, n)
		for i, idx := range cfg.IDMapMounts {
			idmapFds[idx] = fds[i]
		}
	}
	s := cfg.Spec
	if s.Process == nil {
		return fmt.Errorf("config.json: process: missing")
	}

	// A process joining a running container (exec) finds all of this done.
	if !cfg.Exec {
		if err := setupEnvironment(&cfg); err != nil {
			return err
		}
	}

	if err := applyOOMScoreAdj(s.Process); err != nil {
		return err
	}

	// The root filesystem is set up in a new mount namespace or in one
	// joined by path (runtime-spec: the namespace is joined, root.path
	// and mounts still apply). An exec'd process finds it all done.
	// Without any mount namespace there is nothing to mount into: the
	// process is only confined to root.path, with chroot.
	hasMountNS := (hasNewNamespace(s, "mount") || joinsNamespace(s, "mount")) && !cfg.Exec
	if hasMountNS {
		if err := prepareRootfs(&cfg, idmapFds); err != nil {
			return err
		}
	} else if !hasNewNamespace(s, "mount") && !joinsNamespace(s, "mount") {
		if err := chrootRootfs(cfg.Rootfs); err != nil {
			return err
		}
	}

	// Step 7: prestart and createRuntime hooks run in the parent, after the
	// namespaces exist and before pivot_root (runtime.md, lifecycle 5-6).
	if cfg.HooksInParent {
		if err := handshake.WriteFrame(sock, handshake.Message{Type: handshake.MsgHooks}); err != nil {
			return fmt.Errorf("ask parent for hooks: %w", err)
		}
		var m handshake.Message
		if err := handshake.ReadFrame(sock, &m); err != nil {
			return fmt.Errorf("wait for hooks: %w", err)
		}
		if m.Type == handshake.MsgError {
			// The parent failed the hooks and reports that itself.
			return errReportedByParent
		}
	}
	// createContainer hooks: resolved in the runtime's mount namespace,
	// run in the container's, before pivot_root.
	if s.Hooks != nil && len(s.Hooks.CreateContainer) > 0 {
		if err := hooks.Run("createContainer", s.Hooks.CreateContainer, cfg.State); err != nil {
			return err
		}
	}

	if hasMountNS {
		if err := enterRootfs(&cfg); err != nil {
			return err
		}
	}

	if err := setupConsole(&cfg); err != nil {
		return err
	}
	cwd := s.Process.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := enterCwd(cwd); err != nil {
		return err
	}
	argv0, err := lookPath(s.Process.Args[0], s.Process.Env)
	if err != nil {
		return err
	}

	// Limits and attributes apply before reporting ready so that a
	// refused one fails create, which can still report it; init needs only
	// a few fds more.
	if err := applyRlimits(s.Process); err != nil {
		return err
	}
	if err := applyProcessAttrs(&cfg); err != nil {
		return err
	}

	// A filter with a notify listener is loaded now (see seccomp.go).
	seccompLoaded, err := loadSeccompForListener(sock, cfg.Seccomp)
	if err != nil {
		return err
	}

	// Step 8: tell the parent we are parked, then block on the FIFO until
	// `start` opens it for reading.
	if err := handshake.WriteFrame(sock, handshake.Message{Type: handshake.MsgReady}); err != nil {
		return fmt.Errorf("report ready: %w", err)
	}
	// startContainer hooks run while `start` still listens on the FIFO,
	// so that their failure fails start (runtime.md: the runtime MUST
	// generate an error and stop the container).
	startHooks := func() error {
		sock.Close()
		if s.Hooks != nil && len(s.Hooks.StartContainer) > 0 {
			return hooks.Run("startContainer", s.Hooks.StartContainer, cfg.State)
		}
		return nil
	}
	startFifo := -1
	if cfg.FifoFd > 0 {
		fd, err := waitForStart(&cfg, startHooks)
		if err != nil {
			return errReportedByParent
		}
		startFifo = fd
	} else if err := startHooks(); err != nil {
		return err
	}
	if err := execProcess(&cfg, argv0, seccompLoaded); err != nil {
		// `start` still reads the FIFO: it reports the error.
		if startFifo >= 0 {
			unix.Write(startFifo, []byte("E"+err.Error()))
			return errReportedByParent
		}
		return err
	}
	return nil
}

// execProcess makes this thread the user's process: no fd of ours left,
// LSM labels, seccomp filter and credentials in the order seccomp.go
// explains, then execve.
func execProcess(cfg *handshake.Config, argv0 string, seccompLoaded bool) error {
	p := cfg.Spec.Process
	if err := closeExtraFds(3 + cfg.PreserveFds); err != nil {
		return err
	}
	if err := applyLSMLabels(p); err != nil {
		return err
	}
	if !seccompLoaded && !p.NoNewPrivileges {
		if err := loadSeccomp(cfg.Seccomp); err != nil {
			return err
		}
		seccompLoaded = true
	}
	if err := setCredentials(p); err != nil {
		return err
	}
	if !seccompLoaded {
		if err := loadSeccomp(cfg.Seccomp); err != nil {
			return err
		}
	}
	if err := unix.Exec(argv0, p.Args, p.Env); err != nil {
		return fmt.Errorf("exec %s: %w", p.Args[0], err)
	}
	return nil
}

// applyProcessAttrs sets what the kernel keeps across execve besides
// credentials and limits.
func applyProcessAttrs(cfg *handshake.Config) error {
	s := cfg.Spec
	if s.Linux != nil {
		if err := applyPersonality(s.Linux.Personality); err != nil {
			return err
		}
		if err := applyMemoryPolicy(s.Linux.MemoryPolicy); err != nil {
			return err
		}
	}
	if err := applyScheduler(s.Process.Scheduler); err != nil {
		return err
	}
	if err := applyIOPriority(s.Process.IOPriority); err != nil {
		return err
	}
	// execCPUAffinity is for exec'd processes only (config.md).
	affinity := s.Process.ExecCPUAffinity
	if !cfg.Exec {
		affinity = nil
	}
	return applyFinalAffinity(affinity)
}

// waitForStart opens the exec FIFO for writing, which blocks until a reader
// (`skiff start`) opens the other end, runs then, and writes its outcome:
// "0" to go on, or "E" and the error, which start reports. The FIFO stays
// open, close-on-exec, so start sees end-of-file only once execve has
// succeeded, and an error before that still reaches it.
func waitForStart(cfg *handshake.Config, then func() error) (int, error) {
	path := fmt.Sprintf("%d/fd/%d", cfg.InitPid, cfg.FifoFd)
	fd, err := unix.Openat(cfg.ProcFd, path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "skiff init: open exec fifo: %v\n", err)
		return -1, err
	}
	unix.Close(cfg.ProcFd)
	unix.Close(cfg.FifoFd)
	// start reports what it reads after "E".
	fail := func(err error) (int, error) {
		unix.Write(fd, []byte("E"+err.Error()))
		unix.Close(fd)
		return -1, err
	}
	// The C stage left a new user namespace's init dumpable for the
	// reopen above; nothing more of ours needs it.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fail(fmt.Errorf("prctl dumpable: %w", err))
	}
	if err := then(); err != nil {
		return fail(err)
	}
	if _, err := unix.Write(fd, []byte{'0'}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("write exec fifo: %w", err)
	}
	return fd, nil
}

// setupEnvironment configures the container's new namespaces: loopback,
// hostname, sysctls, session keyring.
func setupEnvironment(cfg *handshake.Config) error {
	s := cfg.Spec
	if hasNewNamespace(s, "network") {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	if hasNewNamespace(s, "uts") {
		if s.Hostname != "" {
			if err := unix.Sethostname([]byte(s.Hostname)); err != nil {
				return fmt.Errorf("config.json: hostname: set %q: %w", s.Hostname, err)
			}
		}
		if s.Domainname != "" {
			if err := unix.Setdomainname([]byte(s.Domainname)); err != nil {
				return fmt.Errorf("config.json: domainname: set %q: %w", s.Domainname, err)
			}
		}
	}
	if s.Linux != nil {
		if err := writeSysctls(s.Linux.Sysctl); err != nil {
			return err
		}
	}
	if !cfg.NoNewKeyring {
		// A fresh session keyring so the container cannot read the host's
		// keys. EPERM/ENOSYS means keyrings are unavailable here.
		if _, err := unix.KeyctlJoinSessionKeyring("_ses." + cfg.ID); err != nil && err != unix.ENOSYS && err != unix.EPERM {
			return fmt.Errorf("join session keyring: %w", err)
		}
	}

	return nil
}
