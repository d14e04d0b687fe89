// Package initbin holds the skiff-init binary that `make skiff` builds
// from libinit/*.c, embedded into skiff.
package initbin

import (
	"embed"
)

//go:embed bin
var files embed.FS

// id names this build of skiff-init; the Makefile sets it to the binary's
// SHA-256 (-ldflags -X), so that a cached copy of another build is never
// taken for it. Empty when skiff-init was not embedded.
var id string

// ID names the embedded skiff-init, or is empty when this skiff was built
// without one.
func ID() string {
	if _, err := files.Open("bin/skiff-init"); err != nil {
		return ""
	}
	return id
}

// Binary returns the embedded skiff-init. Its bytes are the skiff
// binary's own read-only data: only a caller that needs them pays the
// page faults.
func Binary() ([]byte, error) {
	return files.ReadFile("bin/skiff-init")
}
