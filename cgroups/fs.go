package cgroups

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cause strips *fs.PathError so messages can name the path once, in our
// own "op object: cause" form, while errors.Is still sees the errno.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readString(path string) (string, error) {
	b, err := readKernelFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// readKernelFile reads all of a small cgroup or proc file with plain
// open, read and close; writeOnce is its counterpart. The os package
// would also make each file non-blocking, add it to the runtime's poller
// (cgroupfs files are pollable) and take it out again, and fstat it to
// size the read: five more syscalls per file, on the few dozen files a
// create or delete touches.
func readKernelFile(path string) ([]byte, error) {
	fd, err := openRetry(path, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	b := make([]byte, 0, 512)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):cap(b)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

// writeValue writes value in a single write(2): cgroup files parse each
// write separately, so a split write would be two (wrong) settings.
func writeValue(path, value string) error {
	err := writeOnce(path, value)
	if err != nil {
		return fmt.Errorf("write %s to %s: %w", showValue(value), path, err)
	}
	return nil
}

// writeOnce writes value to path in one write(2).
func writeOnce(path, value string) error {
	fd, err := openRetry(path, unix.O_WRONLY|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	var n int
	for {
		n, err = unix.Write(fd, []byte(value))
		if err != unix.EINTR {
			break
		}
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err == nil && n != len(value) {
		err = io.ErrShortWrite
	}
	return err
}

// openRetry is open(2), retried if a signal interrupts it.
func openRetry(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// showValue quotes values only when they would be ambiguous in a message.
func showValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n") {
		return strconv.Quote(v)
	}
	return v
}

// parseUint reads a cgroup number; "max" is the v2 spelling of unlimited.
func parseUint(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return math.MaxUint64, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// readUint returns 0 without error when the file does not exist, because
// stats report whatever the host has.
func readUint(path string) (uint64, error) {
	s, err := readString(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	v, err := parseUint(s)
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", path, err)
	}
	return v, nil
}

// readKeyed parses "key value" lines (memory.stat, cpu.stat, memory.events,
// memory.oom_control). A missing file gives an empty map.
func readKeyed(path string) (map[string]uint64, error) {
	s, err := readString(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return map[string]uint64{}, nil
		}
		return nil, err
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		n, err := parseUint(v)
		if err != nil {
			continue // some keys carry non-numbers; they are not stats we use
		}
		out[k] = n
	}
	return out, nil
}

// listFiles names the files in dir, for deciding which optional knobs the
// kernel offers.
func listFiles(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, cause(err))
	}
	out := make(map[string]bool, len(ents))
	for _, e := range ents {
		if !e.IsDir() {
			out[e.Name()] = true
		}
	}
	return out, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
