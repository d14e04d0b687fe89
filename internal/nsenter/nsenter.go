// Package nsenter links the C namespace stage of a container's init into the
// skiff binary. Importing it for its side effect is enough: the stage is an
// ELF constructor that runs before the Go runtime and does nothing unless the
// process was started as a container's init. See nsenter.c for why it is C.
package nsenter

/*
#cgo CFLAGS: -Wall -Wextra -O2
*/
import "C"
