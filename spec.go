package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/bridgenet"
	"github.com/skiffrt/skiff/internal/spec"
)

var specCommand = &cli.Command{
	Name:  "spec",
	Usage: "write a default config.json into the bundle",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "bundle directory to write config.json into"},
		&cli.BoolFlag{Name: "rootless", Usage: "a config for an unprivileged user"},
		&cli.StringFlag{Name: "network", Usage: "bridge: hooks that put the container on the bridge " + bridgenet.DefaultBridge + " (see README, Networking)"},
	},
	Action: func(ctx *cli.Context) error {
		path := filepath.Join(ctx.String("bundle"), "config.json")
		s := spec.Default(ctx.Bool("rootless"))
		if n := ctx.String("network"); n != "" {
			if err := withBridgeNetwork(s, n, ctx.Bool("rootless")); err != nil {
				return err
			}
		}
		data, err := json.MarshalIndent(s, "", "\t")
		if err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("spec: %s exists: remove it first", path)
		}
		if err != nil {
			return fmt.Errorf("spec: %w", err)
		}
		if _, err := f.Write(append(data, '\n')); err != nil {
			f.Close()
			return fmt.Errorf("spec: write %s: %w", path, err)
		}
		return f.Close()
	},
}

// withBridgeNetwork adds the hooks of the bridge network (internal/bridgenet)
// to a default config, which has a new network namespace already. The
// hooks call this very binary, by its absolute path.
func withBridgeNetwork(s *specs.Spec, network string, rootless bool) error {
	if network != "bridge" {
		return fmt.Errorf("spec: --network: unknown network %q (want bridge)", network)
	}
	if rootless {
		return fmt.Errorf("spec: --network bridge needs root to make links; not with --rootless")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("spec: --network: %w", err)
	}
	up, down := bridgenet.Hooks(exe, bridgenet.Options{
		Bridge: bridgenet.DefaultBridge, Subnet: bridgenet.DefaultSubnet, StateDir: bridgenet.DefaultStateDir,
	})
	if s.Hooks == nil {
		s.Hooks = &specs.Hooks{}
	}
	s.Hooks.CreateRuntime = append(s.Hooks.CreateRuntime, up)
	s.Hooks.Poststop = append(s.Hooks.Poststop, down)
	return nil
}
