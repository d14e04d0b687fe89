package libinit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
)

// setupConsole gives a process with process.terminal a new pty from the
// container's /dev/pts: the master goes to the --console-socket receiver
// (SCM_RIGHTS), the slave becomes stdio and the controlling terminal.
func setupConsole(cfg *handshake.Config) error {
	p := cfg.Spec.Process
	if !p.Terminal {
		return nil
	}
	if cfg.ConsoleFd == 0 {
		return fmt.Errorf("config.json: process.terminal: requires --console-socket")
	}
	master, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("config.json: process.terminal: open /dev/ptmx: %w", err)
	}
	defer unix.Close(master)
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(master, unix.TIOCGPTN)
	if err != nil {
		return fmt.Errorf("get pty number: %w", err)
	}
	slavePath := fmt.Sprintf("/dev/pts/%d", n)
	slave, err := unix.Open(slavePath, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", slavePath, err)
	}
	defer unix.Close(slave)
	if cs := p.ConsoleSize; cs != nil {
		ws := &unix.Winsize{Row: uint16(cs.Height), Col: uint16(cs.Width)}
		if err := unix.IoctlSetWinsize(slave, unix.TIOCSWINSZ, ws); err != nil {
			return fmt.Errorf("config.json: process.consoleSize: %w", err)
		}
	}
	_ = unix.Fchown(slave, int(p.User.UID), int(p.User.GID))

	rights := unix.UnixRights(master)
	if err := unix.Sendmsg(cfg.ConsoleFd, []byte(slavePath), rights, nil, 0); err != nil {
		return fmt.Errorf("send pty master to console socket: %w", err)
	}
	unix.Close(cfg.ConsoleFd)

	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	if err := unix.IoctlSetInt(slave, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	for fd := 0; fd < 3; fd++ {
		if err := unix.Dup3(slave, fd, 0); err != nil {
			return fmt.Errorf("dup pty to fd %d: %w", fd, err)
		}
	}
	os.Stdin, os.Stdout, os.Stderr = os.NewFile(0, "stdin"), os.NewFile(1, "stdout"), os.NewFile(2, "stderr")
	return nil
}
