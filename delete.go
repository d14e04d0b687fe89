package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/container"
)

var deleteCommand = &cli.Command{
	Name:      "delete",
	Usage:     "remove a stopped container (or any, with --force)",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill the container first if it is still running"},
	},
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			// runc: deleting a container that is already gone is not an
			// error with --force (containerd deletes twice).
			if ctx.Bool("force") && errors.Is(err, container.ErrNotExist) {
				return nil
			}
			return err
		}
		defer c.Close()
		return c.Delete(ctx.Bool("force"), warnTo(ctx))
	},
}
