package initbin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Run executes the embedded skiff-init in one of its host-side modes,
// selected by env ("NAME=1", see main in libinit/init.c), with args and
// stdin, and returns what it wrote on stdout. It runs from an anonymous
// memfd copy: nothing is left behind, and nothing of a container is
// involved. Cancelling ctx kills it.
//
// An error skiff-init reports itself comes back as a *Reported.
func Run(ctx context.Context, env string, stdin []byte, args ...string) ([]byte, error) {
	bin, err := Binary()
	if err != nil {
		return nil, errors.New("this skiff was built without skiff-init (libinit/); build it with `make skiff`")
	}
	fd, err := unix.MemfdCreate("skiff-init", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	f := os.NewFile(uintptr(fd), "skiff-init")
	defer f.Close()
	if _, err := f.Write(bin); err != nil {
		return nil, fmt.Errorf("copy skiff-init: %w", err)
	}
	// execve opens the path before it closes close-on-exec fds.
	cmd := exec.CommandContext(ctx, "/proc/self/fd/"+strconv.Itoa(fd), args...)
	cmd.Args[0] = "skiff-init"
	cmd.Env = []string{env}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("skiff-init %s: %w", env, ctx.Err())
	}
	msg := strings.TrimSpace(stderr.String())
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 127 {
		if m, ok := strings.CutPrefix(msg, "skiff init: "); ok {
			return nil, &Reported{Msg: m}
		}
	}
	if msg != "" {
		return nil, fmt.Errorf("skiff-init %s: %w: %s", env, err, msg)
	}
	return nil, fmt.Errorf("skiff-init %s: %w", env, err)
}

// Reported is an error skiff-init reported itself (fail() in
// libinit/report.c: exit status 127, "skiff init: " and the message on
// stderr). The message names the config field at fault.
type Reported struct{ Msg string }

func (e *Reported) Error() string { return e.Msg }
