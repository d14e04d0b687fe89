package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/container"
)

var listCommand = &cli.Command{
	Name:    "list",
	Aliases: []string{"ps-all"},
	Usage:   "list the containers under --root",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the ids"},
	},
	Action: func(ctx *cli.Context) error {
		format := ctx.String("format")
		if format != "table" && format != "json" {
			return fmt.Errorf("list: --format: unknown format %q (want table or json)", format)
		}
		ids, err := container.List(ctx.String("root"))
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		var states []container.OCIState
		for _, id := range ids {
			c, err := container.Peek(ctx.String("root"), id)
			if err != nil {
				// Gone since ReadDir, or a create not yet written: not
				// a container to show.
				if errors.Is(err, container.ErrNotExist) {
					continue
				}
				return fmt.Errorf("list: %w", err)
			}
			states = append(states, c.OCIState())
		}
		switch {
		case ctx.Bool("quiet"):
			for _, s := range states {
				fmt.Println(s.ID)
			}
		case format == "json":
			if states == nil {
				states = []container.OCIState{}
			}
			return json.NewEncoder(os.Stdout).Encode(states)
		default:
			w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
			fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range states {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
			}
			return w.Flush()
		}
		return nil
	},
}
