package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// rootlessMode resolves --rootless: "true", "false", or "auto" (the
// default, as in runc): rootless when not root, or when root only inside a
// user namespace that does not map the host's root.
func rootlessMode(ctx *cli.Context) (bool, error) {
	switch v := ctx.String("rootless"); v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "auto", "":
		if os.Geteuid() != 0 {
			return true, nil
		}
		return !mapsHostRoot(), nil
	default:
		return false, fmt.Errorf("--rootless: want true, false or auto, got %q", v)
	}
}

// mapsHostRoot tells whether our user namespace's uid 0 is the host's.
func mapsHostRoot() bool {
	data, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "0" && f[1] == "0" {
			return true
		}
	}
	return false
}
