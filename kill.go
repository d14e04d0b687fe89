package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
)

var killCommand = &cli.Command{
	Name:      "kill",
	Usage:     "send a signal to a container's process (default SIGTERM)",
	ArgsUsage: "<container-id> [signal]",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "signal every process in the container's cgroup"},
	},
	Action: func(ctx *cli.Context) error {
		sig := unix.SIGTERM
		if ctx.NArg() > 1 {
			s, err := parseSignal(ctx.Args().Get(1))
			if err != nil {
				return err
			}
			sig = s
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Kill(sig, ctx.Bool("all"))
	},
}

// parseSignal accepts "TERM", "SIGTERM", "sigterm" and "15".
func parseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q", s)
}
