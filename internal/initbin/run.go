package initbin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Run executes the embedded skiff-init in one of its host-side modes,
// selected by env ("NAME=1", see main in libinit/init.c), with args, and
// returns what it wrote on stdout. It runs from an anonymous memfd copy:
// nothing is left behind, and nothing of a container is involved.
func Run(env string, args ...string) ([]byte, error) {
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
	cmd := exec.Command("/proc/self/fd/"+strconv.Itoa(fd), args...)
	cmd.Args[0] = "skiff-init"
	cmd.Env = []string{env}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("skiff-init %s: %w: %s", env, err, msg)
		}
		return nil, fmt.Errorf("skiff-init %s: %w", env, err)
	}
	return out, nil
}
