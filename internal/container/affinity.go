package container

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/spec"
)

// setInitialAffinity pins a starting process to
// process.execCPUAffinity.initial (config.md "Linux Process"), the CPUs it
// may use before it joins the container's cgroup; init sets the final
// list itself once inside.
func setInitialAffinity(pid int, p *specs.Process) error {
	if p == nil || p.ExecCPUAffinity == nil || p.ExecCPUAffinity.Initial == "" {
		return nil
	}
	const field = "process.execCPUAffinity.initial"
	set, err := spec.CPUSet(p.ExecCPUAffinity.Initial)
	if err != nil {
		return fmt.Errorf("config.json: %s: %w", field, err)
	}
	if err := unix.SchedSetaffinity(pid, &set); err != nil {
		return fmt.Errorf("config.json: %s: %q: %w", field, p.ExecCPUAffinity.Initial, err)
	}
	return nil
}
