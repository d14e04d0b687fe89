// Command seccompagent is a seccomp notify agent for the tests: it listens
// on a unix socket for the runtime's message (the container process state
// and the notify fd, config-linux.md "Seccomp" listenerPath), writes the
// state JSON to a file, and answers every notification with one errno.
//
//	seccompagent SOCKET STATE_FILE ERRNO
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Layouts of linux/seccomp.h.
type seccompData struct {
	Nr                 int32
	Arch               uint32
	InstructionPointer uint64
	Args               [6]uint64
}

type notif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  seccompData
}

type notifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

const (
	ioctlRecv = 0xc0502100 // SECCOMP_IOCTL_NOTIF_RECV
	ioctlSend = 0xc0182101 // SECCOMP_IOCTL_NOTIF_SEND
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: seccompagent SOCKET STATE_FILE ERRNO")
		os.Exit(2)
	}
	errno, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fail(err)
	}
	l, err := net.Listen("unix", os.Args[1])
	if err != nil {
		fail(err)
	}
	for {
		conn, err := l.Accept()
		if err != nil {
			fail(err)
		}
		fd, state, err := receive(conn.(*net.UnixConn))
		conn.Close()
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(os.Args[2], state, 0o644); err != nil {
			fail(err)
		}
		go answer(fd, int32(errno))
	}
}

func receive(c *net.UnixConn) (int, []byte, error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return -1, nil, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return -1, nil, fmt.Errorf("no fd in the message (%v)", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return -1, nil, fmt.Errorf("want one fd (%v)", err)
	}
	return fds[0], buf[:n], nil
}

// answer fails every notified syscall with errno until the filter's
// processes are gone.
func answer(fd int, errno int32) {
	for {
		var req notif
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), ioctlRecv, uintptr(unsafe.Pointer(&req))); e != 0 {
			if e == unix.EINTR {
				continue
			}
			unix.Close(fd)
			return
		}
		resp := notifResp{ID: req.ID, Error: -errno}
		unix.Syscall(unix.SYS_IOCTL, uintptr(fd), ioctlSend, uintptr(unsafe.Pointer(&resp)))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "seccompagent:", err)
	os.Exit(1)
}
