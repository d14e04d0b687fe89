//go:build tools

// Package conformance pins the OCI runtime-tools validation suite in a module
// of its own, so its dependency tree stays out of skiff's go.mod. Nothing
// here is compiled into skiff; run.sh builds the programs named below, and
// every validation/<name> program of the same module, with `go build`.
package conformance

import (
	_ "github.com/opencontainers/runtime-tools/cmd/runtimetest"
	_ "github.com/opencontainers/runtime-tools/validation/util"
)
