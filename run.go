package main

import (
	"errors"
	"os"
	"os/signal"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/container"
)

var runCommand = &cli.Command{
	Name:      "run",
	Usage:     "create and start a container; wait for it unless --detach",
	ArgsUsage: "<container-id>",
	Flags: append([]cli.Flag{
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the process has started"},
		&cli.BoolFlag{Name: "keep", Usage: "keep the container after its process exits"},
	}, createFlags...),
	Action: func(ctx *cli.Context) error {
		detach := ctx.Bool("detach")
		var sigs chan os.Signal
		if !detach {
			// Become the subreaper so that init, whose parent (the C
			// stage) exits, is re-parented to us and we can wait for it.
			if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
				return err
			}
			sigs = make(chan os.Signal, 64)
			signal.Notify(sigs)
			defer signal.Stop(sigs)
		}
		var rc *runConsole
		if !detach && ctx.String("console-socket") == "" {
			var err error
			if rc, err = newRunConsole(); err != nil {
				return err
			}
			defer rc.finish()
		}
		var consoleConn *os.File
		if rc != nil {
			consoleConn = rc.remote
		}
		c, err := createContainer(ctx, consoleConn)
		if err != nil {
			return err
		}
		defer c.Close()
		if rc != nil && c.Spec().Process.Terminal {
			if err := rc.receive(); err != nil {
				c.Delete(true, nil)
				return wrapID("run", c.ID(), err)
			}
			rc.relay()
		} else {
			rc = nil
		}
		if err := c.Start(warnTo(ctx)); err != nil {
			c.Delete(true, nil)
			return wrapID("run", c.ID(), err)
		}
		if detach {
			return nil
		}
		status := waitForInit(c.Pid(), sigs, rc)
		if !ctx.Bool("keep") {
			if err := c.Delete(true, warnTo(ctx)); err != nil && !errors.Is(err, container.ErrNotExist) {
				logOf(ctx).Warn(err)
			}
		}
		return exitCode(status)
	},
}

// waitForInit reaps children until init exits, forwarding every signal we
// receive to it, and returns its exit status as a shell reports it (128+N
// for a signal).
func waitForInit(pid int, sigs chan os.Signal, rc *runConsole) int {
	for {
		if code, done := reapUntil(pid); done {
			return code
		}
		sig := <-sigs
		s, ok := sig.(unix.Signal)
		if s == unix.SIGWINCH && rc != nil {
			rc.resize()
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
