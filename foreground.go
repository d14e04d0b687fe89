package main

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// foreground is what `run` and `exec` set up when they wait for the
// container's process: they become its subreaper (it is born through a
// fork in the C stage, whose parent exits), capture signals to forward
// them, and, when asked, relay a pty themselves.
type foreground struct {
	sigs    chan os.Signal
	console *runConsole
}

// startForeground prepares the wait before the process is started, so no
// signal or exit is missed. relayTTY creates the socket that receives the
// pty master when no --console-socket was given.
func startForeground(relayTTY bool) (*foreground, error) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return nil, err
	}
	f := &foreground{sigs: make(chan os.Signal, 64)}
	signal.Notify(f.sigs)
	if relayTTY {
		rc, err := newRunConsole()
		if err != nil {
			signal.Stop(f.sigs)
			return nil, err
		}
		f.console = rc
	}
	return f, nil
}

// consoleConn is init's end of the relay socket, or nil.
func (f *foreground) consoleConn() *os.File {
	if f == nil || f.console == nil {
		return nil
	}
	return f.console.remote
}

// attach starts relaying the pty if the process has one; otherwise the
// relay is not needed.
func (f *foreground) attach(terminal bool) error {
	if f.console == nil {
		return nil
	}
	if !terminal {
		f.console.finish()
		f.console = nil
		return nil
	}
	if err := f.console.receive(); err != nil {
		return err
	}
	f.console.relay()
	return nil
}

// stop restores the terminal. Signal handling is left as it is: run and
// exec exit right after, and undoing signal.Notify costs a round trip to
// the Go runtime's signal thread for each of the 65 signals, about 2 ms on
// this VM.
func (f *foreground) stop() {
	if f == nil {
		return
	}
	if f.console != nil {
		f.console.finish()
	}
}

// wait reaps children until pid exits, forwarding every signal we receive
// to it, and returns its exit status as a shell reports it (128+N for a
// signal).
func (f *foreground) wait(pid int) int {
	for {
		if code, done := reapUntil(pid); done {
			return code
		}
		sig := <-f.sigs
		s, ok := sig.(unix.Signal)
		if s == unix.SIGWINCH && f.console != nil {
			f.console.resize()
			continue
		}
		if !ok || s == unix.SIGCHLD || s == unix.SIGURG {
			// SIGURG is the Go runtime's preemption signal, not a user's.
			continue
		}
		unix.Kill(pid, s)
	}
}

// reapUntil reaps every exited child without blocking; done once pid is
// among them.
func reapUntil(pid int) (int, bool) {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || got <= 0 {
			if err == unix.ECHILD {
				// Nothing left to wait for: init is gone and was reaped
				// elsewhere.
				return 255, true
			}
			return 0, false
		}
		if got != pid {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal()), true
		}
		return ws.ExitStatus(), true
	}
}
