// skiff is a small, fast OCI container runtime with runc's command line.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/skiffrt/skiff/internal/container"
	// One P for the whole process, from the first package init on.
	_ "github.com/skiffrt/skiff/internal/oneproc"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "0.1.0-dev"
	commit  = ""
)

func main() {
	os.Exit(runApp(os.Args))
}

func newApp() *cli.App {
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Printf("skiff version %s\ncommit: %s\nspec: %s\ngo: %s\n", version, commit, specs.Version, runtime.Version())
	}
	return &cli.App{
		Name:    "skiff",
		Usage:   "a small, fast OCI container runtime",
		Version: version,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: defaultRoot(), Usage: "directory for container state"},
			&cli.StringFlag{Name: "log", Usage: "write log messages to this file instead of stderr"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
			&cli.BoolFlag{Name: "debug", Usage: "log debug messages, including a phase timeline of create"},
			&cli.BoolFlag{Name: "systemd-cgroup", Usage: "use systemd to manage cgroups"},
			&cli.StringFlag{Name: "rootless", Value: "auto", Usage: "rootless mode: true, false or auto"},
			&cli.StringFlag{Name: "criu", Hidden: true, Usage: "accepted for runc compatibility"},
		},
		Commands: []*cli.Command{
			createCommand, startCommand, runCommand, stateCommand, killCommand,
			deleteCommand, listCommand, specCommand, pauseCommand, resumeCommand,
			psCommand, updateCommand, eventsCommand, execCommand, featuresCommand,
			networkHookCommand, networkCommand,
		},
		Before: func(ctx *cli.Context) error {
			f := ctx.String("log-format")
			if f != "text" && f != "json" {
				return fmt.Errorf("--log-format: unknown format %q (want text or json)", f)
			}
			return nil
		},
		CommandNotFound: func(ctx *cli.Context, name string) {
			fmt.Fprintf(os.Stderr, "skiff: unknown command %q; see 'skiff --help'\n", name)
			os.Exit(1)
		},
		OnUsageError: func(ctx *cli.Context, err error, isSubcommand bool) error {
			return fmt.Errorf("%w; see 'skiff --help'", err)
		},
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: true,
	}
}

// runApp runs the CLI and turns its outcome into an exit code. Errors are
// reported once: to --log (where containerd reads them) and to stderr.
func runApp(args []string) int {
	app := newApp()
	var lg *logger
	app.Before = chainBefore(app.Before, func(ctx *cli.Context) error {
		l, err := openLogger(ctx.String("log"), ctx.String("log-format"), ctx.Bool("debug"))
		if err != nil {
			return err
		}
		lg = l
		ctx.App.Metadata = map[string]any{"log": l}
		return nil
	})
	err := app.Run(args)
	if err == nil {
		return 0
	}
	var ec exitCode
	if errors.As(err, &ec) {
		return int(ec)
	}
	if lg == nil {
		lg = &logger{}
	}
	lg.Error(err)
	return 1
}

// exitCode is returned by `run` to exit with the container's status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func chainBefore(a, b cli.BeforeFunc) cli.BeforeFunc {
	return func(ctx *cli.Context) error {
		if a != nil {
			if err := a(ctx); err != nil {
				return err
			}
		}
		return b(ctx)
	}
}

func defaultRoot() string {
	if os.Geteuid() != 0 {
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
			return d + "/skiff"
		}
	}
	return "/run/skiff"
}

// loadContainer loads the container named by the first argument.
func loadContainer(ctx *cli.Context) (*container.Container, error) {
	id, err := containerID(ctx)
	if err != nil {
		return nil, err
	}
	return container.Load(ctx.String("root"), id)
}

// containerID is the verb's single <container-id> argument.
func containerID(ctx *cli.Context) (string, error) {
	if ctx.NArg() < 1 {
		return "", fmt.Errorf("%s: missing <container-id>; usage: skiff %s %s", ctx.Command.Name, ctx.Command.Name, ctx.Command.ArgsUsage)
	}
	return ctx.Args().First(), nil
}

// logOf returns the logger set up before the verb ran.
func logOf(ctx *cli.Context) *logger {
	if l, ok := ctx.App.Metadata["log"].(*logger); ok {
		return l
	}
	return &logger{}
}

// warnTo returns a warning reporter for errors that must not fail a verb
// (poststart and poststop hooks).
func warnTo(ctx *cli.Context) func(error) {
	return logOf(ctx).Warn
}

func writeOut(w io.Writer, s string) {
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	io.WriteString(w, s)
}
