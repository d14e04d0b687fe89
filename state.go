package main

import (
	"encoding/json"
	"os"

	"github.com/urfave/cli/v2"
)

var stateCommand = &cli.Command{
	Name:      "state",
	Usage:     "print the state of a container as JSON",
	ArgsUsage: "<container-id>",
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		data, err := json.MarshalIndent(c.OCIState(), "", "  ")
		if err != nil {
			return err
		}
		writeOut(os.Stdout, string(data))
		return nil
	},
}
