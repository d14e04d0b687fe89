package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/container"
)

var execCommand = &cli.Command{
	Name:      "exec",
	Usage:     "run a new process inside a running container",
	ArgsUsage: "<container-id> [command [args...]]",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "path to a process.json (runtime-spec Process)"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "do not wait for the process"},
		&cli.StringFlag{Name: "pid-file", Usage: "write the process's host pid to this file"},
		&cli.StringFlag{Name: "console-socket", Usage: "unix socket that receives the pty master"},
		&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-terminal"},
		&cli.StringFlag{Name: "cwd", Usage: "working directory inside the container"},
		&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set an environment variable (NAME=value)"},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "uid[:gid]"},
		&cli.StringSliceFlag{Name: "additional-gids", Aliases: []string{"g"}, Usage: "additional gids"},
		&cli.StringSliceFlag{Name: "cap", Aliases: []string{"c"}, Usage: "add a capability"},
		&cli.BoolFlag{Name: "no-new-privs", Usage: "set no_new_privs"},
		&cli.StringFlag{Name: "apparmor", Usage: "apparmor profile"},
		&cli.StringFlag{Name: "process-label", Usage: "SELinux label"},
		&cli.IntFlag{Name: "preserve-fds", Usage: "pass this many fds from 3 up"},
		&cli.BoolFlag{Name: "ignore-paused", Usage: "exec even if the container is paused"},
	},
	Action: func(ctx *cli.Context) error {
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		c, err := container.Load(ctx.String("root"), id)
		if err != nil {
			return err
		}
		s, err := c.Spec()
		if err != nil {
			c.Close()
			return err
		}
		p, err := execProcess(ctx, s.Process)
		if err != nil {
			c.Close()
			return wrapID("exec", id, err)
		}
		detach := ctx.Bool("detach")
		var fg *foreground
		if !detach {
			if fg, err = startForeground(p.Terminal && ctx.String("console-socket") == ""); err != nil {
				c.Close()
				return err
			}
			defer fg.stop()
		}
		opts := container.ExecOptions{
			Process:       p,
			ConsoleSocket: ctx.String("console-socket"),
			PreserveFds:   ctx.Int("preserve-fds"),
			IgnorePaused:  ctx.Bool("ignore-paused"),
		}
		opts.ConsoleConn = fg.consoleConn()
		if lg := logOf(ctx); lg.debug {
			opts.Timeline = func(phase string, d time.Duration) {
				lg.Debugf("exec %s: %-14s %8.3f ms", id, phase, float64(d.Microseconds())/1000)
			}
		}
		pid, err := c.Exec(opts)
		// Other verbs on this container need not wait for our process.
		c.Close()
		if err != nil {
			return wrapID("exec", id, err)
		}
		if f := ctx.String("pid-file"); f != "" {
			if err := container.WritePidFile(f, pid); err != nil {
				return wrapID("exec", id, err)
			}
		}
		if detach {
			return nil
		}
		if err := fg.attach(p.Terminal); err != nil {
			unix.Kill(pid, unix.SIGKILL)
			return wrapID("exec", id, err)
		}
		return exitCode(fg.wait(pid))
	},
}

// execProcess builds the process to run: process.json, or the container's
// process with the command line's args and overrides, as runc does.
func execProcess(ctx *cli.Context, base *specs.Process) (*specs.Process, error) {
	var p specs.Process
	if path := ctx.String("process"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--process: %w", err)
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("--process %s: %w", path, err)
		}
	} else {
		if ctx.NArg() < 2 {
			return nil, errors.New("missing the command to run (or --process)")
		}
		if base != nil {
			p = *base
			p.Env = append([]string{}, base.Env...)
			if base.Capabilities != nil {
				caps := *base.Capabilities
				p.Capabilities = &caps
			}
		}
		p.Args = ctx.Args().Slice()[1:]
		p.Terminal = ctx.Bool("tty")
		p.ConsoleSize = nil
	}
	if len(p.Args) == 0 {
		return nil, errors.New("process.args: empty")
	}
	if v := ctx.String("cwd"); v != "" {
		p.Cwd = v
	}
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	p.Env = append(p.Env, ctx.StringSlice("env")...)
	if v := ctx.String("user"); v != "" {
		uid, gid, hasGid := strings.Cut(v, ":")
		u, err := strconv.ParseUint(uid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--user %q: want uid[:gid]", v)
		}
		p.User.UID = uint32(u)
		if hasGid {
			g, err := strconv.ParseUint(gid, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("--user %q: want uid[:gid]", v)
			}
			p.User.GID = uint32(g)
		}
	}
	for _, g := range ctx.StringSlice("additional-gids") {
		n, err := strconv.ParseUint(g, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--additional-gids %q: not a number", g)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(n))
	}
	if caps := ctx.StringSlice("cap"); len(caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		c := p.Capabilities
		c.Bounding = append(c.Bounding, caps...)
		c.Effective = append(c.Effective, caps...)
		c.Permitted = append(c.Permitted, caps...)
	}
	if ctx.Bool("no-new-privs") {
		p.NoNewPrivileges = true
	}
	if v := ctx.String("apparmor"); v != "" {
		p.ApparmorProfile = v
	}
	if v := ctx.String("process-label"); v != "" {
		p.SelinuxLabel = v
	}
	return &p, nil
}
