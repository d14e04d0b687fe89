//go:build amd64

package seccomp

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// The kernel tests run each filter in a child process, the test binary run
// again as TestHelperProcess: a filter cannot be removed once loaded, and a
// killing action must not take the test runner with it. They are amd64
// only: probes use x86_64 syscall numbers and the x32 ABI.

const helperEnv = "SKIFF_SECCOMP_HELPER"

// helperRequest is what the parent sends the child on stdin.
type helperRequest struct {
	Program bpf.Program
	Probes  []string
	Dir     string // scratch directory for mkdir, rmdir and open probes
	// SendListener sends the listener fd over the unix socket at fd 3.
	SendListener bool
}

// resultPrefix marks the child's one line of results on stdout.
const resultPrefix = "RESULTS "

// TestHelperProcess is the child side of the kernel tests; run directly it
// does nothing.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	if err := helper(); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

func helper() error {
	var req helperRequest
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return err
	}
	// A killed child must not leave a core file in the package directory.
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
		return err
	}
	// The filter belongs to this thread (and, with TSYNC, to all): every
	// probe must run here, after Load, on the same thread.
	runtime.LockOSThread()

	// A second thread that exists before Load, for "other:" probes: it
	// shows whether SECCOMP_FILTER_FLAG_TSYNC reached it.
	work := make(chan string)
	done := make(chan string)
	started := make(chan int)
	var otherTid int
	go func() {
		runtime.LockOSThread()
		started <- unix.Gettid()
		for p := range work {
			done <- probe(req.Dir, p)
		}
	}()
	if otherTid = <-started; otherTid == unix.Gettid() {
		return fmt.Errorf("the other goroutine runs on this thread")
	}

	tid := unix.Gettid()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl no_new_privs: %w", err)
	}
	fd, err := req.Program.Load()
	if err != nil {
		return err
	}
	if req.SendListener {
		if err := unix.Sendmsg(3, []byte{0}, unix.UnixRights(fd), nil, 0); err != nil {
			return fmt.Errorf("send listener: %w", err)
		}
	}
	// The thread id, as seccomp_notif.pid reports it.
	results := map[string]string{"tid": strconv.Itoa(tid)}
	for _, p := range req.Probes {
		if rest, ok := strings.CutPrefix(p, "other:"); ok {
			work <- rest
			select {
			case results[p] = <-done:
			case <-threadGone(otherTid):
				results[p] = "thread killed"
			}
			continue
		}
		results[p] = probe(req.Dir, p)
	}
	b, err := json.Marshal(results)
	if err != nil {
		return err
	}
	_, err = unix.Write(1, append([]byte(resultPrefix), append(b, '\n')...))
	return err
}

// threadGone closes its channel once the thread tid of this process has
// exited, as a seccomp kill leaves it.
func threadGone(tid int) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		for {
			if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid)); os.IsNotExist(err) {
				close(gone)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return gone
}

// probeSyscalls are the syscalls a probe may name, called with the
// probe's arguments ("getppid:0x12ab") or zeros. Most of them ignore their
// arguments, so conditions can be tested with any value; the others fail
// harmlessly with zero arguments when the filter lets them through.
var probeSyscalls = map[string]uintptr{
	"getpid":      unix.SYS_GETPID,
	"getppid":     unix.SYS_GETPPID,
	"getpgrp":     unix.SYS_GETPGRP,
	"getuid":      unix.SYS_GETUID,
	"getgid":      unix.SYS_GETGID,
	"geteuid":     unix.SYS_GETEUID,
	"getegid":     unix.SYS_GETEGID,
	"munlockall":  unix.SYS_MUNLOCKALL,
	"personality": unix.SYS_PERSONALITY,
	"unshare":     unix.SYS_UNSHARE, // unshare(0) does nothing
	"mount":       unix.SYS_MOUNT,   // EFAULT on NULL arguments
	"clone3":      unix.SYS_CLONE3,  // EINVAL for size 0
	"openat2":     unix.SYS_OPENAT2, // EINVAL for size 0
	"fchmodat2":   unix.SYS_FCHMODAT2,
	"socket":      unix.SYS_SOCKET,
	// x32's unshare: the same number with __X32_SYSCALL_BIT, judged by
	// the filter before the kernel looks the number up.
	"x32unshare": x32SyscallBit | unix.SYS_UNSHARE,
}

// probe runs one syscall and returns "ok" or the errno's name.
func probe(dir, p string) string {
	name, argList, _ := strings.Cut(p, ":")
	var err error
	switch name {
	case "mkdir":
		err = rawPath(unix.SYS_MKDIR, filepath.Join(dir, "m"), 0o755)
	case "rmdir":
		err = rawPath(unix.SYS_RMDIR, filepath.Join(dir, "r"), 0)
	case "open":
		var fd int
		fd, err = unix.Open(filepath.Join(dir, "f"), unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
		if err == nil {
			unix.Close(fd)
		}
	case "exec":
		// fork with clone or clone3 from this thread, then execve in
		// the child, which inherits the filter.
		if out, e := exec.Command("/bin/true").CombinedOutput(); e != nil {
			return fmt.Sprintf("%v %s", e, out)
		}
	default:
		nr, ok := probeSyscalls[name]
		if !ok {
			return "unknown probe " + p
		}
		var a [6]uintptr
		if argList != "" {
			for i, s := range strings.Split(argList, ":") {
				v, perr := strconv.ParseUint(s, 0, 64)
				if perr != nil {
					return perr.Error()
				}
				a[i] = uintptr(v)
			}
		}
		_, _, errno := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
		if errno != 0 {
			err = errno
		}
	}
	if err == nil {
		return "ok"
	}
	if errno, ok := err.(unix.Errno); ok {
		return unix.ErrnoName(errno)
	}
	return err.Error()
}

// rawPath calls a path syscall by number, so the probe is exactly that
// syscall (Go's Mkdir calls mkdirat).
func rawPath(nr uintptr, path string, mode uintptr) error {
	b, err := unix.BytePtrFromString(path)
	if err != nil {
		return err
	}
	_, _, errno := unix.Syscall(nr, uintptr(unsafe.Pointer(b)), mode, 0)
	runtime.KeepAlive(b)
	if errno != 0 {
		return errno
	}
	return nil
}
