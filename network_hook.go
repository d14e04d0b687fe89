package main

import (
	"encoding/json"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/bridgenet"
)

// networkHookCommand is the bridge network of `skiff spec --network
// bridge`: OCI hooks that read the container state on stdin.
var networkHookCommand = &cli.Command{
	Name:   "network-hook",
	Usage:  "bridge network hooks: up (createRuntime), down (poststop); the state on stdin",
	Hidden: true,
	Subcommands: []*cli.Command{
		{
			Name:  "up",
			Usage: "put the container on the bridge, with an address",
			Flags: bridgeFlags(),
			Action: func(ctx *cli.Context) error {
				st, err := readHookState()
				if err != nil {
					return err
				}
				if _, err := bridgenet.Up(bridgeOptions(ctx), st); err != nil {
					return fmt.Errorf("network-hook up %q: %w", st.ID, err)
				}
				return nil
			},
		},
		{
			Name:  "down",
			Usage: "give the container's address back",
			Flags: bridgeFlags(),
			Action: func(ctx *cli.Context) error {
				st, err := readHookState()
				if err != nil {
					return err
				}
				if err := bridgenet.Down(bridgeOptions(ctx), st.ID); err != nil {
					return fmt.Errorf("network-hook down %q: %w", st.ID, err)
				}
				return nil
			},
		},
	},
}

func bridgeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "bridge", Value: bridgenet.DefaultBridge, Usage: "bridge to attach the container to (made if missing)"},
		&cli.StringFlag{Name: "subnet", Value: bridgenet.DefaultSubnet, Usage: "IPv4 subnet; the bridge gets its first address"},
		&cli.StringFlag{Name: "state-dir", Value: bridgenet.DefaultStateDir, Usage: "directory of the address allocator"},
	}
}

func bridgeOptions(ctx *cli.Context) bridgenet.Options {
	return bridgenet.Options{Bridge: ctx.String("bridge"), Subnet: ctx.String("subnet"), StateDir: ctx.String("state-dir")}
}

// readHookState reads the container state a runtime gives a hook on stdin
// (runtime.md "State").
func readHookState() (*specs.State, error) {
	var st specs.State
	if err := json.NewDecoder(os.Stdin).Decode(&st); err != nil {
		return nil, fmt.Errorf("network-hook: read the container state from stdin: %w", err)
	}
	if st.ID == "" {
		return nil, fmt.Errorf("network-hook: the state on stdin has no id")
	}
	return &st, nil
}
