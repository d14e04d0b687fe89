package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/bridgenet"
)

// networkCommand shows the bridge network's allocations.
var networkCommand = &cli.Command{
	Name:   "network",
	Usage:  "the bridge network of `skiff spec --network bridge`",
	Hidden: true,
	Subcommands: []*cli.Command{
		{
			Name:  "ls",
			Usage: "list the containers' addresses",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "state-dir", Value: bridgenet.DefaultStateDir, Usage: "directory of the address allocator"},
			},
			Action: func(ctx *cli.Context) error {
				recs, err := bridgenet.List(ctx.String("state-dir"))
				if err != nil {
					return fmt.Errorf("network ls: %w", err)
				}
				w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
				fmt.Fprint(w, "ID\tADDRESS\tBRIDGE\n")
				for _, r := range recs {
					fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, r.Address, r.Bridge)
				}
				return w.Flush()
			},
		},
	},
}
