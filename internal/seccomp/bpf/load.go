package bpf

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Load installs the filter on the calling thread with seccomp(2)
// SECCOMP_SET_MODE_FILTER, and returns the user-notification fd when
// p.Listener is set, -1 otherwise. The kernel opens that fd close-on-exec.
//
// The caller runs on a locked OS thread (the filter belongs to the thread,
// and to the threads it creates afterwards) and has set no_new_privs or
// holds CAP_SYS_ADMIN; with SECCOMP_FILTER_FLAG_TSYNC the kernel applies
// the filter to every thread of the process.
func (p *Program) Load() (listenerFd int, err error) {
	insns, err := Decode(p.Filter)
	if err != nil {
		return -1, err
	}
	flags := p.Flags
	if p.Listener {
		flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
		// With TSYNC the return value names the thread that could not
		// be synchronised, which would collide with the listener fd;
		// seccomp(2) refuses the pair with EINVAL unless TSYNC_ESRCH
		// turns that failure into ESRCH (Linux 5.7).
		if flags&unix.SECCOMP_FILTER_FLAG_TSYNC != 0 {
			flags |= unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
		}
	}
	prog := unix.SockFprog{Len: uint16(len(insns)), Filter: &insns[0]}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return -1, loadError(flags, len(insns), errno)
	}
	if p.Listener {
		return int(r), nil
	}
	// Without TSYNC_ESRCH a TSYNC failure is not an errno: seccomp(2)
	// returns the id of the first thread that could not be synchronised
	// (it has its own filter that is not an ancestor of this one, or is
	// in strict mode) and installs nothing.
	if r != 0 {
		return -1, fmt.Errorf("load seccomp filter: thread %d cannot be synchronised (SECCOMP_FILTER_FLAG_TSYNC)", r)
	}
	return -1, nil
}

// loadError explains a failed seccomp(2). EINVAL means either a flag this
// kernel does not know or a program it refuses, so each flag is tried alone
// to tell which.
func loadError(flags uint, n int, errno unix.Errno) error {
	serr := os.NewSyscallError("seccomp", errno)
	switch errno {
	case unix.EINVAL:
		if unknown := flags &^ knownFlags(); unknown != 0 {
			return fmt.Errorf("load seccomp filter: unknown %s: %w", flagName(unknown), serr)
		}
		for _, f := range filterFlags {
			if flags&f.bit != 0 && !flagSupported(f.bit) {
				return fmt.Errorf("load seccomp filter: kernel does not support %s: %w", f.name, serr)
			}
		}
		if !flagSupported(flags) {
			return fmt.Errorf("load seccomp filter: kernel refuses the flags %s together: %w", flagNames(flags), serr)
		}
		return fmt.Errorf("load seccomp filter: kernel refused the %d-instruction program: %w", n, serr)
	case unix.EACCES:
		// seccomp(2): without CAP_SYS_ADMIN in its user namespace a
		// thread must have no_new_privs set.
		return fmt.Errorf("load seccomp filter: no_new_privs is not set and CAP_SYS_ADMIN is missing: %w", serr)
	case unix.ESRCH:
		return fmt.Errorf("load seccomp filter: another thread cannot be synchronised (SECCOMP_FILTER_FLAG_TSYNC): %w", serr)
	case unix.ENOMEM:
		// The filters stacked on one thread may total at most
		// MAX_INSNS_PER_PATH (32768) instructions, counting 4 more
		// for each filter (kernel/seccomp.c).
		return fmt.Errorf("load seccomp filter: the %d-instruction program does not fit beside the filters already loaded: %w", n, serr)
	}
	return fmt.Errorf("load seccomp filter: %w", serr)
}

// flagSupported asks the kernel whether it accepts filter flags, the way
// libseccomp probes: with a NULL program, seccomp(2) checks the flags first
// and fails with EINVAL for an unknown one or a bad combination, then fails
// with EFAULT reading the program. Nothing is installed either way.
func flagSupported(flags uint) bool {
	// WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER.
	if flags&unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV != 0 {
		flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), 0)
	return errno == unix.EFAULT
}

func knownFlags() uint {
	var all uint
	for _, f := range filterFlags {
		all |= f.bit
	}
	return all
}
