package main

import (
	"errors"

	"github.com/urfave/cli/v2"

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
		var fg *foreground
		if !detach {
			var err error
			if fg, err = startForeground(ctx.String("console-socket") == ""); err != nil {
				return err
			}
			defer fg.stop()
		}
		c, err := createContainer(ctx, fg.consoleConn())
		if err != nil {
			return err
		}
		defer c.Close()
		if fg != nil {
			// Create left the spec decoded: no error to check.
			s, _ := c.Spec()
			if err := fg.attach(s.Process.Terminal); err != nil {
				c.Delete(true, nil)
				return wrapID("run", c.ID(), err)
			}
		}
		if err := c.Start(warnTo(ctx)); err != nil {
			c.Delete(true, nil)
			return wrapID("run", c.ID(), err)
		}
		if detach {
			return nil
		}
		status := fg.wait(c.Pid())
		if !ctx.Bool("keep") {
			if err := c.Delete(true, warnTo(ctx)); err != nil && !errors.Is(err, container.ErrNotExist) {
				logOf(ctx).Warn(err)
			}
		}
		return exitCode(status)
	},
}
