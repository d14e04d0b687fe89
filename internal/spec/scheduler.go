package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// schedPolicies and schedFlags are the values config.md "Linux Process"
// lists for process.scheduler.
var (
	schedPolicies = map[specs.LinuxSchedulerPolicy]bool{
		specs.SchedOther:    true,
		specs.SchedFIFO:     true,
		specs.SchedRR:       true,
		specs.SchedBatch:    true,
		specs.SchedISO:      true,
		specs.SchedIdle:     true,
		specs.SchedDeadline: true,
	}
	schedFlags = map[specs.LinuxSchedulerFlag]bool{
		specs.SchedFlagResetOnFork:  true,
		specs.SchedFlagReclaim:      true,
		specs.SchedFlagDLOverrun:    true,
		specs.SchedFlagKeepPolicy:   true,
		specs.SchedFlagKeepParams:   true,
		specs.SchedFlagUtilClampMin: true,
		specs.SchedFlagUtilClampMax: true,
	}
)

// Ranges from sched(7) and setpriority(2).
const (
	minNice       = -20
	maxNice       = 19
	minRTPriority = 1
	maxRTPriority = 99
)

// checkScheduler checks process.scheduler (config.md "Linux Process"). Beyond
// the value lists, it rejects combinations sched_setattr(2) refuses with
// EINVAL, so they fail at validation rather than mid-start: a static priority
// outside 1-99 for SCHED_FIFO/SCHED_RR or non-zero for other policies, and
// runtime/deadline/period with any policy but SCHED_DEADLINE.
func checkScheduler(s *specs.Scheduler) error {
	if s == nil {
		return nil
	}
	const f = "process.scheduler"
	if s.Policy == "" {
		return errorf(f+".policy", "required")
	}
	if !schedPolicies[s.Policy] {
		return errorf(f+".policy", "unknown policy %q", s.Policy)
	}
	for i, fl := range s.Flags {
		if !schedFlags[fl] {
			return errorf(at(f+".flags", i), "unknown flag %q", fl)
		}
	}
	if s.Nice < minNice || s.Nice > maxNice {
		return errorf(f+".nice", "%d is out of range [%d, %d]", s.Nice, minNice, maxNice)
	}
	realtime := s.Policy == specs.SchedFIFO || s.Policy == specs.SchedRR
	switch {
	case realtime && (s.Priority < minRTPriority || s.Priority > maxRTPriority):
		return errorf(f+".priority", "%d is out of range [%d, %d] for %s", s.Priority, minRTPriority, maxRTPriority, s.Policy)
	case !realtime && s.Priority != 0:
		return errorf(f+".priority", "only allowed with SCHED_FIFO or SCHED_RR, not %s", s.Policy)
	}
	if s.Policy != specs.SchedDeadline && (s.Runtime != 0 || s.Deadline != 0 || s.Period != 0) {
		return errorf(f, "runtime, deadline and period are only allowed with SCHED_DEADLINE, not %s", s.Policy)
	}
	// sched(7) "SCHED_DEADLINE": runtime <= deadline <= period, where a zero
	// period means "same as deadline".
	if s.Policy == specs.SchedDeadline {
		if s.Runtime > s.Deadline {
			return errorf(f+".runtime", "%d is above deadline %d", s.Runtime, s.Deadline)
		}
		if s.Period != 0 && s.Deadline > s.Period {
			return errorf(f+".deadline", "%d is above period %d", s.Deadline, s.Period)
		}
	}
	return nil
}

// ioPriorityClasses are the classes config.md "Linux Process" lists.
var ioPriorityClasses = map[specs.IOPriorityClass]bool{
	specs.IOPRIO_CLASS_RT:   true,
	specs.IOPRIO_CLASS_BE:   true,
	specs.IOPRIO_CLASS_IDLE: true,
}

// checkIOPriority checks process.ioPriority: a known class and a priority in
// 0 (highest) to 7 (lowest), config.md "Linux Process" and ioprio_set(2).
func checkIOPriority(p *specs.LinuxIOPriority) error {
	if p == nil {
		return nil
	}
	if !ioPriorityClasses[p.Class] {
		return errorf("process.ioPriority.class", "unknown class %q (want IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)", p.Class)
	}
	if p.Priority < 0 || p.Priority > 7 {
		return errorf("process.ioPriority.priority", "%d is out of range [0, 7]", p.Priority)
	}
	return nil
}

// checkExecCPUAffinity checks the CPU lists of process.execCPUAffinity
// ("0-3,7" syntax, config.md "Linux Process").
func checkExecCPUAffinity(a *specs.CPUAffinity) error {
	if a == nil {
		return nil
	}
	if a.Initial != "" {
		if err := parseIDList(a.Initial); err != nil {
			return errorf("process.execCPUAffinity.initial", "%q: %v", a.Initial, err)
		}
	}
	if a.Final != "" {
		if err := parseIDList(a.Final); err != nil {
			return errorf("process.execCPUAffinity.final", "%q: %v", a.Final, err)
		}
	}
	return nil
}
