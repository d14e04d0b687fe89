package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
)

var updateCommand = &cli.Command{
	Name:      "update",
	Usage:     "change the resource limits of a running container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "resources", Aliases: []string{"r"}, Usage: "a LinuxResources JSON file, or - for stdin"},
		&cli.StringFlag{Name: "blkio-weight", Usage: "block IO weight (10-1000)"},
		&cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period in microseconds"},
		&cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS quota in microseconds"},
		&cli.StringFlag{Name: "cpu-share", Usage: "CPU shares (relative weight)"},
		&cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period in microseconds"},
		&cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime runtime in microseconds"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs to use (0-3, 0,1)"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes to use"},
		&cli.StringFlag{Name: "memory", Usage: "memory limit in bytes (k, m, g suffixes)"},
		&cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit in bytes"},
		&cli.StringFlag{Name: "memory-swap", Usage: "memory plus swap limit in bytes, -1 for unlimited"},
		&cli.StringFlag{Name: "kernel-memory", Hidden: true, Usage: "ignored, as by the kernel"},
		&cli.StringFlag{Name: "kernel-memory-tcp", Hidden: true, Usage: "ignored, as by the kernel"},
		&cli.IntFlag{Name: "pids-limit", Usage: "maximum number of pids, 0 or -1 for unlimited"},
	},
	Action: func(ctx *cli.Context) error {
		r, err := updateResources(ctx)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Update(r)
	},
}

// updateResources builds the change from --resources, then the flags on
// top, as runc does.
func updateResources(ctx *cli.Context) (*specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	if path := ctx.String("resources"); path != "" {
		var in io.Reader = os.Stdin
		if path != "-" {
			f, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("--resources: %w", err)
			}
			defer f.Close()
			in = f
		}
		dec := json.NewDecoder(io.LimitReader(in, 1<<20))
		if err := dec.Decode(r); err != nil {
			return nil, fmt.Errorf("--resources %s: %w", path, err)
		}
	}
	var err error
	num := func(flag string, bytes bool, set func(int64)) {
		if err != nil || !ctx.IsSet(flag) {
			return
		}
		var v int64
		if v, err = parseQuantity(ctx.String(flag), bytes); err != nil {
			err = fmt.Errorf("--%s: %w", flag, err)
			return
		}
		set(v)
	}
	mem := func() *specs.LinuxMemory {
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		return r.Memory
	}
	cpu := func() *specs.LinuxCPU {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		return r.CPU
	}
	num("memory", true, func(v int64) { mem().Limit = &v })
	num("memory-reservation", true, func(v int64) { mem().Reservation = &v })
	num("memory-swap", true, func(v int64) { mem().Swap = &v })
	num("cpu-share", false, func(v int64) { u := uint64(v); cpu().Shares = &u })
	num("cpu-quota", false, func(v int64) { cpu().Quota = &v })
	num("cpu-period", false, func(v int64) { u := uint64(v); cpu().Period = &u })
	num("cpu-rt-runtime", false, func(v int64) { cpu().RealtimeRuntime = &v })
	num("cpu-rt-period", false, func(v int64) { u := uint64(v); cpu().RealtimePeriod = &u })
	num("blkio-weight", false, func(v int64) {
		w := uint16(v)
		r.BlockIO = &specs.LinuxBlockIO{Weight: &w}
	})
	if err != nil {
		return nil, err
	}
	if ctx.IsSet("cpuset-cpus") {
		cpu().Cpus = ctx.String("cpuset-cpus")
	}
	if ctx.IsSet("cpuset-mems") {
		cpu().Mems = ctx.String("cpuset-mems")
	}
	if ctx.IsSet("pids-limit") {
		v := int64(ctx.Int("pids-limit"))
		r.Pids = &specs.LinuxPids{Limit: &v}
	}
	return r, nil
}

// parseQuantity reads an integer, with k/m/g/t suffixes (powers of 1024)
// when bytes is set, as Docker's units.RAMInBytes does.
func parseQuantity(s string, bytes bool) (int64, error) {
	mult := int64(1)
	t := strings.ToLower(strings.TrimSpace(s))
	if bytes {
		t = strings.TrimSuffix(t, "b")
		for i, suf := range []string{"k", "m", "g", "t"} {
			if strings.HasSuffix(t, suf) {
				t = strings.TrimSuffix(t, suf)
				mult = int64(1) << (10 * (i + 1))
				break
			}
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid value %q", s)
	}
	if v == -1 {
		return -1, nil
	}
	return v * mult, nil
}
