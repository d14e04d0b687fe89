package main

import (
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/cgroups"
	"github.com/skiffrt/skiff/internal/container"
)

var createFlags = []cli.Flag{
	&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "path to the bundle directory"},
	&cli.StringFlag{Name: "console-socket", Usage: "unix socket that receives the pty master when process.terminal is set"},
	&cli.StringFlag{Name: "pid-file", Usage: "write the container process's pid to this file"},
	&cli.IntFlag{Name: "preserve-fds", Usage: "pass this many fds from 3 up to the container process"},
	&cli.BoolFlag{Name: "no-pivot", Usage: "do not use pivot_root (for a rootfs on a ramdisk)"},
	&cli.BoolFlag{Name: "no-new-keyring", Usage: "keep the caller's session keyring"},
}

var createCommand = &cli.Command{
	Name:      "create",
	Usage:     "create a container, parked until start",
	ArgsUsage: "<container-id>",
	Flags:     createFlags,
	Action: func(ctx *cli.Context) error {
		c, err := createContainer(ctx, nil)
		if err != nil {
			return err
		}
		c.Close()
		return nil
	},
}

// createContainer is create's work, shared with run.
func createContainer(ctx *cli.Context, console *os.File) (*container.Container, error) {
	id, err := containerID(ctx)
	if err != nil {
		return nil, err
	}
	lg := logOf(ctx)
	if ctx.Bool("systemd-cgroup") {
		return nil, wrapID("create", id, fmt.Errorf("--systemd-cgroup: %w", cgroups.ErrNoSystemdDriver()))
	}
	rootless, err := rootlessMode(ctx)
	if err != nil {
		return nil, err
	}
	preserve, listenEnv := preservedFds(ctx.Int("preserve-fds"))
	opts := container.CreateOptions{
		Rootless:      rootless,
		Warn:          lg.Warn,
		Root:          ctx.String("root"),
		ID:            id,
		Bundle:        ctx.String("bundle"),
		PidFile:       ctx.String("pid-file"),
		ConsoleSocket: ctx.String("console-socket"),
		ConsoleConn:   console,
		PreserveFds:   preserve,
		ExtraEnv:      listenEnv,
		NoPivot:       ctx.Bool("no-pivot"),
		NoNewKeyring:  ctx.Bool("no-new-keyring"),
	}
	if lg.debug {
		opts.Timeline = func(phase string, d time.Duration) {
			lg.Debugf("create %s: %-14s %8.3f ms", id, phase, float64(d.Microseconds())/1000)
		}
	}
	c, err := container.Create(opts)
	if err != nil {
		return nil, wrapID("create", id, err)
	}
	return c, nil
}
