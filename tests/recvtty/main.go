// recvtty is the test suite's --console-socket receiver: it accepts one
// connection on a unix socket, takes the pty master that skiff's init sends
// with SCM_RIGHTS, optionally writes input to it, and copies everything the
// container prints to a file until the pty closes.
//
//	recvtty SOCKET OUTFILE [INPUT]
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: recvtty SOCKET OUTFILE [INPUT]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "recvtty:", err)
		os.Exit(1)
	}
}

func run(sock, outPath string, input []string) error {
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return err
	}
	defer ln.Close()
	// Never wait forever: a test that fails before create must not leave
	// us behind.
	ln.(*net.UnixListener).SetDeadline(time.Now().Add(60 * time.Second))
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	uc := conn.(*net.UnixConn)
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := uc.ReadMsgUnix(buf, oob)
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		return fmt.Errorf("no control message: %v", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) == 0 {
		return fmt.Errorf("no fd received: %v", err)
	}
	master := os.NewFile(uintptr(fds[0]), "pty-master")
	defer master.Close()
	out, err := os.Create(outPath)
	if err != nil {
		return err
	}
	defer out.Close()
	if ws, err := unix.IoctlGetWinsize(fds[0], unix.TIOCGWINSZ); err == nil {
		fmt.Fprintf(out, "winsize %d %d\n", ws.Row, ws.Col)
	}
	for _, in := range input {
		master.WriteString(in)
	}
	// EIO on the master means every slave fd is closed: the process exited.
	_, err = io.Copy(out, master)
	if pe, ok := err.(*os.PathError); ok && pe.Err == unix.EIO {
		err = nil
	}
	return err
}
