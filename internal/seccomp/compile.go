package seccomp

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// Compile turns linux.seccomp into a BPF program for init to load with
// (*bpf.Program).Load. It returns nil for a nil sc (no seccomp). Configuration
// errors name the field, as "config.json: linux.seccomp.syscalls[4].args[0].op:
// unknown operator ...".
func Compile(sc *specs.LinuxSeccomp) (*bpf.Program, error) {
	if sc == nil {
		return nil, nil
	}
	p, err := translate(sc)
	if err != nil {
		return nil, err
	}
	f, err := newFilter(p)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	prog, err := exportBPF(f)
	if err != nil {
		return nil, err
	}
	if needsENOSYS(p) {
		hs, err := horizons(p)
		if err != nil {
			return nil, err
		}
		prog = append(bpf.Encode(enosysStub(hs)), prog...)
	}
	if n := len(prog) / bpf.InstructionSize; n > bpf.MaxInstructions {
		return nil, errorf("linux.seccomp", "the filter compiles to %d instructions, the kernel allows %d", n, bpf.MaxInstructions)
	}
	return &bpf.Program{Filter: prog, Flags: p.flags, Listener: p.listener}, nil
}

// horizons finds, for each architecture of the filter, the highest number
// among the profile's syscall names that libseccomp knows there. An
// architecture on which the profile names nothing gets no horizon: every
// syscall would be "newer", and the default action is the better answer.
func horizons(p *plan) ([]horizon, error) {
	native, err := libseccomp.GetNativeArch()
	if err != nil {
		return nil, fmt.Errorf("seccomp native architecture: %w", err)
	}
	list := []libseccomp.ScmpArch{native}
	for _, a := range p.arches {
		list = append(list, a.scmp)
	}
	var hs []horizon
	seen := map[libseccomp.ScmpArch]bool{}
	for _, token := range list {
		a, ok := archByToken(token)
		// x32 shares x86_64's audit value; the x86_64 block leaves its
		// syscalls to libseccomp.
		if !ok || seen[token] || token == libseccomp.ArchX32 {
			continue
		}
		seen[token] = true
		max := int64(-1)
		for _, name := range p.names {
			// Numbers below zero are libseccomp's pseudo-syscalls for
			// names that do not exist on this architecture.
			nr, err := libseccomp.GetSyscallFromNameByArch(name, token)
			if err == nil && int64(nr) > max {
				max = int64(nr)
			}
		}
		if max < 0 {
			continue
		}
		hs = append(hs, horizon{audit: a.audit, max: uint32(max), x32: token == libseccomp.ArchAMD64})
	}
	return hs, nil
}
