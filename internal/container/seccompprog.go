package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/initbin"
	"github.com/skiffrt/skiff/internal/seccomp"
	"github.com/skiffrt/skiff/internal/seccomp/progcache"
)

// compileTimeout bounds skiff-init's compile mode. libseccomp takes about
// 20 ms for Docker's profile; a stuck compile must not hang create.
const compileTimeout = 30 * time.Second

// pendingProgram is the BPF program of a container's seccomp filter on its
// way: from the program cache at once, or from skiff-init's compile mode,
// which runs on the host while create makes the cgroup and starts init.
// Compiling on the host, not in init, keeps libseccomp's memory (about
// 1.7 MB for Docker's profile) out of the container's cgroup, and a
// profile libseccomp refuses fails before anything is mounted.
type pendingProgram struct {
	done   chan struct{}
	prog   []byte
	err    error
	cached bool // found in the cache
	// stop expires the compile's pipe deadlines (abandon).
	stop func()
}

// startSeccompProgram looks filter up in the program cache under root
// and, on a miss, starts compiling it. The caller must wait or abandon.
func startSeccompProgram(root string, filter *seccomp.Filter) *pendingProgram {
	p := &pendingProgram{done: make(chan struct{})}
	enc := filter.Encode()
	cache := progcache.New(root, initbin.ID(), kernelRelease())
	if prog, ok := cache.Get(enc); ok {
		p.prog, p.cached = prog, true
		close(p.done)
		return p
	}
	stop, wait, err := startCompile(root, enc)
	if err != nil {
		p.err = err
		close(p.done)
		return p
	}
	p.stop = stop
	go func() {
		defer close(p.done)
		p.prog, p.err = wait()
		if p.err == nil {
			// A cache that cannot be written costs the next create a
			// compile, nothing more.
			cache.Put(enc, p.prog)
		}
	}()
	return p
}

// phase names the wait in a timeline.
func (p *pendingProgram) phase() string {
	if p.cached {
		return "seccomp (cached)"
	}
	return "seccomp (compiled)"
}

// wait returns the program, or why there is none.
func (p *pendingProgram) wait() ([]byte, error) {
	<-p.done
	return p.prog, p.err
}

// abandon stops a compile still running and reaps it.
func (p *pendingProgram) abandon() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	p.stop()
	<-p.done
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// startCompile runs skiff-init's compile mode (libinit/seccomptool.c) on
// the encoded filter. The returned wait gives the program, or the error
// skiff-init reported (it names the config field), and reaps the process
// whatever happens: a compile that outlives compileTimeout, or that stop
// cuts short, is killed.
func startCompile(root string, enc []byte) (stop func(), wait func() ([]byte, error), err error) {
	self, err := protectedInit(root)
	if err != nil {
		return nil, nil, err
	}
	defer self.Close()
	var pipes [6]*os.File // stdin r/w, stdout r/w, stderr r/w
	for i := 0; i < len(pipes); i += 2 {
		if pipes[i], pipes[i+1], err = os.Pipe(); err != nil {
			for _, f := range pipes[:i] {
				f.Close()
			}
			return nil, nil, fmt.Errorf("compile linux.seccomp: %w", err)
		}
	}
	in, out, errOut := pipes[1], pipes[2], pipes[4]
	files := []*os.File{pipes[0], pipes[3], pipes[5], self}
	pid, err := forkExec("/proc/self/fd/3", []string{"skiff-init"}, []string{"_SKIFF_SECCOMP_COMPILE=1"}, files, -1)
	for _, f := range files[:3] {
		f.Close()
	}
	if err != nil {
		in.Close()
		out.Close()
		errOut.Close()
		return nil, nil, fmt.Errorf("compile linux.seccomp: start skiff-init: %w", err)
	}
	setDeadline := func(at time.Time) {
		in.SetWriteDeadline(at)
		out.SetReadDeadline(at)
		errOut.SetReadDeadline(at)
	}
	setDeadline(time.Now().Add(compileTimeout))
	stop = func() { setDeadline(time.Now()) }
	wait = func() ([]byte, error) {
		defer out.Close()
		defer errOut.Close()
		// skiff-init reads all of its input before it writes, so this
		// order cannot deadlock. A write error shows as the exit below.
		in.Write(enc)
		in.Close()
		prog, rerr := io.ReadAll(out)
		msg, merr := io.ReadAll(errOut)
		if rerr != nil || merr != nil {
			// Not reaped yet, so pid is still this child.
			unix.Kill(pid, unix.SIGKILL)
		}
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		if errors.Is(rerr, os.ErrDeadlineExceeded) || errors.Is(merr, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("compile linux.seccomp: skiff-init did not finish within %s", compileTimeout)
		}
		if rerr != nil {
			return nil, fmt.Errorf("compile linux.seccomp: read program: %w", rerr)
		}
		text := strings.TrimSpace(string(msg))
		if ws.ExitStatus() == 127 {
			if m, ok := strings.CutPrefix(text, "skiff init: "); ok {
				return nil, errors.New(m) // it names the field
			}
		}
		if !ws.Exited() || ws.ExitStatus() != 0 {
			return nil, fmt.Errorf("compile linux.seccomp: skiff-init %s: %s", describeWait(ws), text)
		}
		if len(prog) == 0 || len(prog)%8 != 0 {
			return nil, fmt.Errorf("compile linux.seccomp: skiff-init wrote %d bytes, not a program", len(prog))
		}
		return prog, nil
	}
	return stop, wait, nil
}

func describeWait(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}
