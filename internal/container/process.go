package container

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// procStartTime reads field 22 (starttime) of /proc/<pid>/stat, and
// whether the process is a zombie. Together with the pid it identifies a
// process across pid reuse.
func procStartTime(pid int) (start uint64, zombie bool, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false, err
	}
	// comm (field 2) may hold spaces and parentheses: parse after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := bytes.Fields(data[i+1:])
	if len(fields) < 20 {
		return 0, false, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	start, err = strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
	}
	return start, string(fields[0]) == "Z", nil
}

// alive tells whether pid is still the process that started at start.
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	s, zombie, err := procStartTime(pid)
	return err == nil && !zombie && s == start
}

// openPidfd returns a pidfd for pid if it is still the process started at
// start. Signals sent through it can never reach a recycled pid.
func openPidfd(pid int, start uint64) (int, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return -1, errNotRunning
		}
		return -1, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	// The check after opening closes the race: if pid was reused before
	// pidfd_open, the start time differs now.
	if !alive(pid, start) {
		unix.Close(fd)
		return -1, errNotRunning
	}
	return fd, nil
}

var errNotRunning = errors.New("process is not running")

// signalProcess sends sig to the container's init, safely against reuse.
func signalProcess(pid int, start uint64, sig unix.Signal) error {
	fd, err := openPidfd(pid, start)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return errNotRunning
		}
		return fmt.Errorf("send %s to pid %d: %w", unix.SignalName(sig), pid, err)
	}
	return nil
}

// waitExit waits up to timeout for pid to exit. A pidfd is readable once
// the process has exited, for any caller, not just the parent.
func waitExit(pid int, start uint64, timeout time.Duration) error {
	fd, err := openPidfd(pid, start)
	if errors.Is(err, errNotRunning) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("pid %d still running after %s", pid, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait for pid %d: %w", pid, err)
		}
		if n > 0 {
			return nil
		}
	}
}
