package main

import (
	"encoding/json"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/container"
)

// event is one record of runc's `events` stream.
type event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

var eventsCommand = &cli.Command{
	Name:      "events",
	Usage:     "print a container's resource statistics and OOM events as JSON",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "stats", Usage: "print statistics once and exit"},
		&cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "time between statistics records"},
	},
	Action: func(ctx *cli.Context) error {
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		root := ctx.String("root")
		enc := json.NewEncoder(os.Stdout)
		// Not holding the lock across the stream: other verbs must go on.
		c, err := container.Load(root, id)
		if err != nil {
			return err
		}
		c.Close()
		if ctx.Bool("stats") {
			st, err := c.Stats()
			if err != nil {
				return err
			}
			return enc.Encode(event{Type: "stats", ID: id, Data: st})
		}
		interval := ctx.Duration("interval")
		if interval <= 0 {
			interval = time.Second
		}
		oomSeen, _ := c.OOMKills()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			if c.Status() == container.Stopped {
				return nil
			}
			if n, err := c.OOMKills(); err == nil && n > oomSeen {
				oomSeen = n
				if err := enc.Encode(event{Type: "oom", ID: id}); err != nil {
					return err
				}
			}
			if st, err := c.Stats(); err == nil {
				if err := enc.Encode(event{Type: "stats", ID: id, Data: st}); err != nil {
					return err
				}
			}
			<-tick.C
		}
	},
}
