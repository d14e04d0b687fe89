// Command skiff-init is a container's init: the C namespace stage
// (internal/nsenter) and libinit, and nothing else. skiff embeds it
// (internal/initbin) and runs it instead of re-executing itself: the full
// skiff binary costs every init its CLI, seccomp compiler, netlink and
// eBPF packages to load and initialise before the first useful
// instruction, on the critical path of every create and exec.
package main

import (
	_ "github.com/skiffrt/skiff/internal/nsenter" // the C namespace stage
	"github.com/skiffrt/skiff/libinit"
)

func main() {
	libinit.Run()
}
