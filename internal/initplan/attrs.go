package initplan

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/spec"
)

// Process attributes the kernel keeps across execve: personality, memory
// policy, scheduling, I/O priority and CPU affinity. Names are checked and
// turned into the numbers the syscalls take here; init only calls them.

// Personality domains (linux/personality.h).
var personalityDomains = map[specs.LinuxPersonalityDomain]uint64{
	specs.PerLinux:   0x0000,
	specs.PerLinux32: 0x0008,
}

// Scheduling policies and flags (sched(7), linux/sched.h). SCHED_ISO is
// reserved in mainline kernels, which refuse it with EINVAL.
var (
	schedPolicies = map[specs.LinuxSchedulerPolicy]uint32{
		specs.SchedOther: 0, specs.SchedFIFO: 1, specs.SchedRR: 2, specs.SchedBatch: 3,
		specs.SchedISO: 4, specs.SchedIdle: 5, specs.SchedDeadline: 6,
	}
	schedFlags = map[specs.LinuxSchedulerFlag]uint64{
		specs.SchedFlagResetOnFork:  unix.SCHED_FLAG_RESET_ON_FORK,
		specs.SchedFlagReclaim:      unix.SCHED_FLAG_RECLAIM,
		specs.SchedFlagDLOverrun:    unix.SCHED_FLAG_DL_OVERRUN,
		specs.SchedFlagKeepPolicy:   unix.SCHED_FLAG_KEEP_POLICY,
		specs.SchedFlagKeepParams:   unix.SCHED_FLAG_KEEP_PARAMS,
		specs.SchedFlagUtilClampMin: unix.SCHED_FLAG_UTIL_CLAMP_MIN,
		specs.SchedFlagUtilClampMax: unix.SCHED_FLAG_UTIL_CLAMP_MAX,
	}
)

// I/O priority classes (linux/ioprio.h).
var ioprioClasses = map[specs.IOPriorityClass]int{
	specs.IOPRIO_CLASS_RT: 1, specs.IOPRIO_CLASS_BE: 2, specs.IOPRIO_CLASS_IDLE: 3,
}

// Memory policy modes and flags (linux/mempolicy.h).
var (
	mempolicyModes = map[specs.MemoryPolicyModeType]uint64{
		specs.MpolDefault: 0, specs.MpolPreferred: 1, specs.MpolBind: 2, specs.MpolInterleave: 3,
		specs.MpolLocal: 4, specs.MpolPreferredMany: 5, specs.MpolWeightedInterleave: 6,
	}
	mempolicyFlags = map[specs.MemoryPolicyFlagType]uint64{
		specs.MpolFNumaBalancing: 1 << 13, specs.MpolFRelativeNodes: 1 << 14, specs.MpolFStaticNodes: 1 << 15,
	}
)

// maxNumaNodes bounds the node mask we pass; the kernel refuses set bits
// above its own MAX_NUMNODES.
const maxNumaNodes = 1024

func (p *Plan) attributes(cfg *handshake.Config) error {
	s := cfg.Spec
	if s.Linux != nil {
		if pe := s.Linux.Personality; pe != nil {
			dom, ok := personalityDomains[pe.Domain]
			if !ok {
				return fmt.Errorf("config.json: linux.personality.domain: unknown domain %q", pe.Domain)
			}
			p.add(OpPersonality, "config.json: linux.personality", dom)
		}
		if err := p.memoryPolicy(s.Linux.MemoryPolicy); err != nil {
			return err
		}
	}
	if err := p.scheduler(s.Process.Scheduler); err != nil {
		return err
	}
	if io := s.Process.IOPriority; io != nil {
		class, ok := ioprioClasses[io.Class]
		if !ok {
			return fmt.Errorf("config.json: process.ioPriority.class: unknown class %q", io.Class)
		}
		if io.Priority < 0 || io.Priority > 7 {
			return fmt.Errorf("config.json: process.ioPriority.priority: %d is out of range [0, 7]", io.Priority)
		}
		const classShift = 13
		p.add(OpIOPrio, fmt.Sprintf("config.json: process.ioPriority: set %s %d", io.Class, io.Priority), class<<classShift|io.Priority)
	}
	// The CPU affinity the process keeps once it is in the container's
	// cgroup. execCPUAffinity is for exec'd processes only (config.md):
	// with its final list, that; otherwise every CPU, which the kernel
	// narrows to the cgroup's cpuset. Without this the caller's own
	// pinning (taskset, a daemon's mask) would leak into the container,
	// since kernels since 6.2 keep a task's requested mask when it moves
	// between cpusets.
	var set unix.CPUSet
	a := s.Process.ExecCPUAffinity
	switch {
	case !cfg.Exec || a == nil:
		for i := 0; i < len(set)*64; i++ {
			set.Set(i)
		}
		p.add(OpAffinity, "config.json: cpu affinity", affinityMask(&set))
	case a.Final != "":
		var err error
		if set, err = spec.CPUSet(a.Final); err != nil {
			return fmt.Errorf("config.json: process.execCPUAffinity.final: %w", err)
		}
		p.add(OpAffinity, "config.json: process.execCPUAffinity.final", affinityMask(&set))
	}
	return nil
}

// scheduler adds process.scheduler (sched_setattr(2)).
func (p *Plan) scheduler(s *specs.Scheduler) error {
	if s == nil {
		return nil
	}
	policy, ok := schedPolicies[s.Policy]
	if !ok {
		return fmt.Errorf("config.json: process.scheduler.policy: unknown policy %q", s.Policy)
	}
	var flags uint64
	for i, f := range s.Flags {
		bit, ok := schedFlags[f]
		if !ok {
			return fmt.Errorf("config.json: process.scheduler.flags[%d]: unknown flag %q", i, f)
		}
		flags |= bit
	}
	p.add(OpScheduler, fmt.Sprintf("config.json: process.scheduler: set policy %s", s.Policy),
		policy, flags, int64(s.Nice), int64(s.Priority), s.Runtime, s.Deadline, s.Period,
		"real-time and deadline policies need CAP_SYS_NICE")
	return nil
}

// memoryPolicy adds linux.memoryPolicy (set_mempolicy(2)), inherited
// across execve.
func (p *Plan) memoryPolicy(mp *specs.LinuxMemoryPolicy) error {
	if mp == nil {
		return nil
	}
	const field = "config.json: linux.memoryPolicy"
	mode, ok := mempolicyModes[mp.Mode]
	if !ok {
		return fmt.Errorf("%s.mode: unknown mode %q", field, mp.Mode)
	}
	for i, f := range mp.Flags {
		bit, ok := mempolicyFlags[f]
		if !ok {
			return fmt.Errorf("%s.flags[%d]: unknown flag %q", field, i, f)
		}
		mode |= bit
	}
	var mask []byte
	maxNode := uint64(0)
	if mp.Nodes != "" {
		ids, err := spec.IDList(mp.Nodes)
		if err != nil {
			return fmt.Errorf("%s.nodes: %q: %w", field, mp.Nodes, err)
		}
		mask = make([]byte, maxNumaNodes/8)
		for _, id := range ids {
			if id >= maxNumaNodes {
				return fmt.Errorf("%s.nodes: %q: node %d is beyond %d", field, mp.Nodes, id, maxNumaNodes)
			}
			mask[id/8] |= 1 << (id % 8)
		}
		// The kernel reads maxnode-1 bits (set_mempolicy(2), BUGS).
		maxNode = maxNumaNodes + 1
	}
	p.add(OpMemPolicy, fmt.Sprintf("%s: set %s %q", field, mp.Mode, mp.Nodes), mode, maxNode, mask)
	return nil
}
