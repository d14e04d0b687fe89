package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/oneproc"
)

// runConsole is the pty of a foreground `skiff run` whose process has a
// terminal and no --console-socket was given: skiff itself receives the
// master and relays it to its own stdio, as runc does.
type runConsole struct {
	local, remote *os.File // our end and init's end of the socket pair
	master        *os.File
	restore       *unix.Termios
	done          sync.WaitGroup
}

func newRunConsole() (*runConsole, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("console socketpair: %w", err)
	}
	return &runConsole{local: os.NewFile(uintptr(fds[0]), "console"), remote: os.NewFile(uintptr(fds[1]), "console-init")}, nil
}

// receive takes the pty master init sent during create.
func (rc *runConsole) receive() error {
	rc.remote.Close()
	unix.SetNonblock(int(rc.local.Fd()), true)
	rc.local.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, err := rc.local.SyscallConn()
	if err != nil {
		return err
	}
	var fd int = -1
	var rerr error
	buf := make([]byte, 256)
	oob := make([]byte, unix.CmsgSpace(4))
	err = raw.Read(func(s uintptr) bool {
		_, oobn, _, _, e := unix.Recvmsg(int(s), buf, oob, unix.MSG_CMSG_CLOEXEC)
		if e == unix.EAGAIN {
			return false
		}
		if e != nil {
			rerr = e
			return true
		}
		msgs, e := unix.ParseSocketControlMessage(oob[:oobn])
		if e != nil || len(msgs) == 0 {
			rerr = errors.New("no pty master received")
			return true
		}
		fds, e := unix.ParseUnixRights(&msgs[0])
		if e != nil || len(fds) == 0 {
			rerr = errors.New("no pty master received")
			return true
		}
		fd = fds[0]
		return true
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("receive pty master: %w", err)
	}
	rc.master = os.NewFile(uintptr(fd), "pty-master")
	return nil
}

// relay puts our terminal (if stdin is one) in raw mode and copies both ways.
func (rc *runConsole) relay() {
	if t, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
		saved := *t
		rc.restore = &saved
		raw := *t
		raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		raw.Oflag &^= unix.OPOST
		raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		raw.Cflag &^= unix.CSIZE | unix.PARENB
		raw.Cflag |= unix.CS8
		unix.IoctlSetTermios(0, unix.TCSETS, &raw)
		rc.resize()
	}
	// Reading stdin blocks in read(2) while the output must keep flowing.
	oneproc.Release()
	go io.Copy(rc.master, os.Stdin)
	rc.done.Add(1)
	go func() {
		defer rc.done.Done()
		io.Copy(os.Stdout, rc.master)
	}()
}

// resize copies our terminal's size to the pty (on start and SIGWINCH).
func (rc *runConsole) resize() {
	if ws, err := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ); err == nil && rc.master != nil {
		unix.IoctlSetWinsize(int(rc.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// finish waits (bounded) for the output to drain, then restores the terminal.
func (rc *runConsole) finish() {
	if rc.master != nil {
		ch := make(chan struct{})
		go func() { rc.done.Wait(); close(ch) }()
		select {
		case <-ch:
		case <-time.After(time.Second):
		}
		rc.master.Close()
	}
	if rc.restore != nil {
		unix.IoctlSetTermios(0, unix.TCSETS, rc.restore)
	}
	rc.local.Close()
	rc.remote.Close()
}
