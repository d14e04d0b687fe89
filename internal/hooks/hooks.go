// Package hooks runs OCI hooks (config.md, "POSIX-platform Hooks"): each
// hook gets the container state on stdin, runs to completion, and a
// non-zero exit or a timeout is an error naming the hook.
package hooks

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultTimeout bounds a hook that sets no timeout of its own: a runtime
// must never hang on a stuck hook.
const defaultTimeout = 2 * time.Minute

// Run runs the hooks of one kind in order, stopping at the first failure.
// kind is the config field name ("prestart", "createRuntime", ...).
func Run(kind string, hs []specs.Hook, state []byte) error {
	for i, h := range hs {
		if err := runOne(h, state); err != nil {
			return fmt.Errorf("config.json: hooks.%s[%d]: %s: %w", kind, i, h.Path, err)
		}
	}
	return nil
}

// RunAll runs every hook of one kind, reporting each failure to warn and
// going on: poststop hooks (runtime.md, lifecycle 13) may not stop the
// ones after them.
func RunAll(kind string, hs []specs.Hook, state []byte, warn func(error)) {
	for i, h := range hs {
		if err := runOne(h, state); err != nil && warn != nil {
			warn(fmt.Errorf("config.json: hooks.%s[%d]: %s: %w", kind, i, h.Path, err))
		}
	}
}

func runOne(h specs.Hook, state []byte) error {
	timeout := defaultTimeout
	if h.Timeout != nil && *h.Timeout > 0 {
		timeout = time.Duration(*h.Timeout) * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, h.Path)
	cmd.Args = h.Args
	if len(cmd.Args) == 0 {
		cmd.Args = []string{h.Path}
	}
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdin = bytes.NewReader(state)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %s", timeout)
	}
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%w: %s", err, firstLine(msg))
		}
		return err
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
