package main

import "github.com/urfave/cli/v2"

var startCommand = &cli.Command{
	Name:      "start",
	Usage:     "run the user process of a created container",
	ArgsUsage: "<container-id>",
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Start(warnTo(ctx))
	},
}
