package container

import (
	"context"
	"errors"
	"fmt"
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
// way: from the program cache at once, or compiled by skiff-init's compile
// mode (seccomp.Compile), which runs on the host while create makes the
// cgroup and starts init. Compiling on the host, not in init, keeps
// libseccomp's memory (about 1.7 MB for Docker's profile) out of the
// container's cgroup.
type pendingProgram struct {
	done   chan struct{}
	prog   []byte
	err    error
	cached bool               // found in the cache
	cancel context.CancelFunc // stops a compile still running
}

// startSeccompProgram looks filter up in the program cache under root
// and, on a miss, starts compiling it. The caller must wait or abandon.
func startSeccompProgram(root string, filter *seccomp.Filter) *pendingProgram {
	p := &pendingProgram{done: make(chan struct{}), cancel: func() {}}
	enc := filter.Encode()
	cache := progcache.New(root, initbin.ID(), kernelRelease())
	if prog, ok := cache.Get(enc); ok {
		p.prog, p.cached = prog, true
		close(p.done)
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), compileTimeout)
	p.cancel = cancel
	go func() {
		defer close(p.done)
		defer cancel()
		p.prog, p.err = seccomp.Compile(ctx, enc)
		switch {
		case errors.Is(p.err, context.DeadlineExceeded):
			p.err = fmt.Errorf("compile linux.seccomp: skiff-init did not finish within %s", compileTimeout)
		case p.err == nil:
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

// abandon stops a compile still running; it returns once it is reaped.
func (p *pendingProgram) abandon() {
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
