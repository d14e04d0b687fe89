package libinit

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/spec"
)

// Process attributes that the kernel keeps across execve and that init
// sets on itself before it becomes the user's process: personality,
// scheduling, I/O priority, CPU affinity and the LSM labels.

// Personality domains (linux/personality.h).
var personalityDomains = map[specs.LinuxPersonalityDomain]uintptr{
	specs.PerLinux:   0x0000,
	specs.PerLinux32: 0x0008,
}

// applyPersonality sets linux.personality (config-linux.md "Personality").
func applyPersonality(p *specs.LinuxPersonality) error {
	if p == nil {
		return nil
	}
	dom, ok := personalityDomains[p.Domain]
	if !ok {
		return fmt.Errorf("config.json: linux.personality.domain: unknown domain %q", p.Domain)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_PERSONALITY, dom, 0, 0); e != 0 {
		return fmt.Errorf("config.json: linux.personality: %w", e)
	}
	return nil
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

// applyScheduler sets process.scheduler with sched_setattr(2).
func applyScheduler(s *specs.Scheduler) error {
	if s == nil {
		return nil
	}
	policy, ok := schedPolicies[s.Policy]
	if !ok {
		return fmt.Errorf("config.json: process.scheduler.policy: unknown policy %q", s.Policy)
	}
	attr := unix.SchedAttr{
		Policy:   policy,
		Nice:     s.Nice,
		Priority: uint32(s.Priority),
		Runtime:  s.Runtime,
		Deadline: s.Deadline,
		Period:   s.Period,
	}
	for i, f := range s.Flags {
		bit, ok := schedFlags[f]
		if !ok {
			return fmt.Errorf("config.json: process.scheduler.flags[%d]: unknown flag %q", i, f)
		}
		attr.Flags |= bit
	}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		if errors.Is(err, unix.EPERM) {
			return fmt.Errorf("config.json: process.scheduler: set policy %s: %w (real-time and deadline policies need CAP_SYS_NICE)", s.Policy, err)
		}
		return fmt.Errorf("config.json: process.scheduler: set policy %s: %w", s.Policy, err)
	}
	return nil
}

// I/O priority classes (linux/ioprio.h).
var ioprioClasses = map[specs.IOPriorityClass]int{
	specs.IOPRIO_CLASS_RT: 1, specs.IOPRIO_CLASS_BE: 2, specs.IOPRIO_CLASS_IDLE: 3,
}

// applyIOPriority sets process.ioPriority with ioprio_set(2).
func applyIOPriority(p *specs.LinuxIOPriority) error {
	if p == nil {
		return nil
	}
	class, ok := ioprioClasses[p.Class]
	if !ok {
		return fmt.Errorf("config.json: process.ioPriority.class: unknown class %q", p.Class)
	}
	if p.Priority < 0 || p.Priority > 7 {
		return fmt.Errorf("config.json: process.ioPriority.priority: %d is out of range [0, 7]", p.Priority)
	}
	const whoProcess, classShift = 1, 13
	prio := class<<classShift | p.Priority
	if _, _, e := unix.RawSyscall(unix.SYS_IOPRIO_SET, whoProcess, 0, uintptr(prio)); e != 0 {
		return fmt.Errorf("config.json: process.ioPriority: set %s %d: %w", p.Class, p.Priority, e)
	}
	return nil
}

// applyFinalAffinity sets the CPU affinity the process keeps once it is in
// the container's cgroup. With process.execCPUAffinity.final that list;
// without execCPUAffinity, every CPU, which the kernel narrows to the
// cgroup's cpuset: otherwise the caller's own pinning (taskset, a daemon's
// mask) would leak into the container, since kernels since 6.2 keep a
// task's requested mask when it moves between cpusets.
func applyFinalAffinity(a *specs.CPUAffinity) error {
	var set unix.CPUSet
	field := "process.execCPUAffinity.final"
	switch {
	case a == nil:
		for i := 0; i < len(set)*64; i++ {
			set.Set(i)
		}
		field = "cpu affinity"
	case a.Final == "":
		return nil
	default:
		var err error
		if set, err = spec.CPUSet(a.Final); err != nil {
			return fmt.Errorf("config.json: %s: %w", field, err)
		}
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("config.json: %s: %w", field, err)
	}
	return nil
}

// applyLSMLabels asks for process.apparmorProfile and process.selinuxLabel
// to take effect at execve. The parent checked that the host runs the
// module (checkHostLSM). Called after every hook has run: a forked hook
// would inherit the exec label.
func applyLSMLabels(p *specs.Process) error {
	if p.ApparmorProfile != "" {
		if err := writeAttr("apparmor/exec", "exec "+p.ApparmorProfile); err != nil {
			return fmt.Errorf("config.json: process.apparmorProfile: %q: %w", p.ApparmorProfile, err)
		}
	}
	if p.SelinuxLabel != "" {
		if err := writeAttr("exec", p.SelinuxLabel); err != nil {
			return fmt.Errorf("config.json: process.selinuxLabel: %q: %w", p.SelinuxLabel, err)
		}
	}
	return nil
}

// writeAttr writes the calling thread's LSM attribute: exec attributes
// are per thread, and only this (locked) thread calls execve.
func writeAttr(name, value string) error {
	return os.WriteFile("/proc/thread-self/attr/"+name, []byte(value), 0)
}

// Memory policy modes and flags (linux/mempolicy.h).
var (
	mempolicyModes = map[specs.MemoryPolicyModeType]uintptr{
		specs.MpolDefault: 0, specs.MpolPreferred: 1, specs.MpolBind: 2, specs.MpolInterleave: 3,
		specs.MpolLocal: 4, specs.MpolPreferredMany: 5, specs.MpolWeightedInterleave: 6,
	}
	mempolicyFlags = map[specs.MemoryPolicyFlagType]uintptr{
		specs.MpolFNumaBalancing: 1 << 13, specs.MpolFRelativeNodes: 1 << 14, specs.MpolFStaticNodes: 1 << 15,
	}
)

// maxNumaNodes bounds the node mask we pass; the kernel refuses set bits
// above its own MAX_NUMNODES.
const maxNumaNodes = 1024

// applyMemoryPolicy sets linux.memoryPolicy with set_mempolicy(2); the
// policy is inherited across execve.
func applyMemoryPolicy(p *specs.LinuxMemoryPolicy) error {
	if p == nil {
		return nil
	}
	const field = "config.json: linux.memoryPolicy"
	mode, ok := mempolicyModes[p.Mode]
	if !ok {
		return fmt.Errorf("%s.mode: unknown mode %q", field, p.Mode)
	}
	for i, f := range p.Flags {
		bit, ok := mempolicyFlags[f]
		if !ok {
			return fmt.Errorf("%s.flags[%d]: unknown flag %q", field, i, f)
		}
		mode |= bit
	}
	var mask [maxNumaNodes / 64]uint64
	var maskPtr unsafe.Pointer
	maxNode := uintptr(0)
	if p.Nodes != "" {
		ids, err := spec.IDList(p.Nodes)
		if err != nil {
			return fmt.Errorf("%s.nodes: %q: %w", field, p.Nodes, err)
		}
		for _, id := range ids {
			if id >= maxNumaNodes {
				return fmt.Errorf("%s.nodes: %q: node %d is beyond %d", field, p.Nodes, id, maxNumaNodes)
			}
			mask[id/64] |= 1 << (id % 64)
		}
		maskPtr = unsafe.Pointer(&mask[0])
		// The kernel reads maxnode-1 bits (set_mempolicy(2), BUGS).
		maxNode = maxNumaNodes + 1
	}
	if _, _, e := unix.Syscall(unix.SYS_SET_MEMPOLICY, mode, uintptr(maskPtr), maxNode); e != 0 {
		return fmt.Errorf("%s: set %s %q: %w", field, p.Mode, p.Nodes, e)
	}
	return nil
}
