package spec

import (
	"github.com/skiffrt/skiff/internal/caps"

	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateProcess(t *testing.T) {
	runValidateCases(t, []validateCase{
		{"no process", func(s *specs.Spec) { s.Process = nil },
			"config.json: process: required to create a container"},
		{"no args", func(s *specs.Spec) { s.Process.Args = nil },
			"config.json: process.args: must have at least one entry"},
		{"empty args[0]", func(s *specs.Spec) { s.Process.Args = []string{""} },
			"config.json: process.args[0]: must not be empty"},
		{"nul in args", func(s *specs.Spec) { s.Process.Args = []string{"sh", "a\x00b"} },
			"config.json: process.args[1]: contains a NUL byte"},
		{"empty later arg ok", func(s *specs.Spec) { s.Process.Args = []string{"sh", ""} }, ""},
		{"no cwd", func(s *specs.Spec) { s.Process.Cwd = "" },
			"config.json: process.cwd: required"},
		{"relative cwd", func(s *specs.Spec) { s.Process.Cwd = "home" },
			`config.json: process.cwd: "home" is not an absolute path`},
		{"env without =", func(s *specs.Spec) { s.Process.Env = []string{"A=1", "B"} },
			`config.json: process.env[1]: "B" is not of the form NAME=value`},
		{"env empty name", func(s *specs.Spec) { s.Process.Env = []string{"=x"} },
			`config.json: process.env[0]: "=x" has an empty variable name`},
		{"env empty value ok", func(s *specs.Spec) { s.Process.Env = []string{"A=", "B==c"} }, ""},
		{"consoleSize without terminal ignored", func(s *specs.Spec) {
			s.Process.Terminal = false
			s.Process.ConsoleSize = &specs.Box{Height: 25, Width: 80}
		}, ""},
		{"umask ok", func(s *specs.Spec) { s.Process.User.Umask = ptr(uint32(0o22)) }, ""},
		{"umask too big", func(s *specs.Spec) { s.Process.User.Umask = ptr(uint32(755)) },
			"config.json: process.user.umask: 755 is not a valid umask"},
		{"user ids", func(s *specs.Spec) {
			s.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{5, 6}}
		}, ""},
		{"oom -1000", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(-1000) }, ""},
		{"oom 1000", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(1000) }, ""},
		{"oom -1001", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(-1001) },
			"config.json: process.oomScoreAdj: -1001 is out of range [-1000, 1000]"},
		{"oom 1001", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(1001) },
			"config.json: process.oomScoreAdj: 1001 is out of range"},
		{"lsm labels", func(s *specs.Spec) {
			s.Process.ApparmorProfile = "acme_secure_profile"
			s.Process.SelinuxLabel = "system_u:system_r:svirt_lxc_net_t:s0:c124,c675"
		}, ""},
		{"apparmor nul", func(s *specs.Spec) { s.Process.ApparmorProfile = "a\x00" },
			"config.json: process.apparmorProfile: contains a NUL byte"},
		{"execCPUAffinity ok", func(s *specs.Spec) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "7", Final: "0-3,7"}
		}, ""},
		{"execCPUAffinity bad", func(s *specs.Spec) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Final: "0-3,,7"}
		}, `config.json: process.execCPUAffinity.final: "0-3,,7": empty element`},
		{"execCPUAffinity reversed", func(s *specs.Spec) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "3-1"}
		}, `config.json: process.execCPUAffinity.initial: "3-1": range "3-1" is reversed`},
		{"execCPUAffinity letters", func(s *specs.Spec) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "a"}
		}, `"a" is not a number`},
	})
}

func TestValidateRlimits(t *testing.T) {
	set := func(rl ...specs.POSIXRlimit) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Process.Rlimits = rl }
	}
	runValidateCases(t, []validateCase{
		{"several", set(
			specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: 4096},
			specs.POSIXRlimit{Type: "RLIMIT_CORE", Soft: 0, Hard: 0},
			specs.POSIXRlimit{Type: "RLIMIT_RTTIME", Soft: 1, Hard: 1},
		), ""},
		{"unknown", set(specs.POSIXRlimit{Type: "RLIMIT_FOO"}),
			`config.json: process.rlimits[0].type: unknown resource "RLIMIT_FOO"`},
		{"lowercase", set(specs.POSIXRlimit{Type: "rlimit_nofile"}),
			`config.json: process.rlimits[0].type: unknown resource "rlimit_nofile"`},
		{"soft above hard", set(specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 2048, Hard: 1024}),
			"config.json: process.rlimits[0]: soft limit 2048 is above hard limit 1024"},
		{"duplicate", set(
			specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 1, Hard: 1},
			specs.POSIXRlimit{Type: "RLIMIT_CORE"},
			specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 1, Hard: 1},
		), "config.json: process.rlimits[2].type: duplicate RLIMIT_NOFILE (also process.rlimits[0])"},
	})
}

func TestValidateCapabilities(t *testing.T) {
	runValidateCases(t, []validateCase{
		{"all known", func(s *specs.Spec) {
			var all []string
			for _, name := range caps.Names() {
				all = append(all, name)
			}
			s.Process.Capabilities = &specs.LinuxCapabilities{
				Bounding: all, Effective: all, Inheritable: all, Permitted: all, Ambient: all,
			}
		}, ""},
		{"none", func(s *specs.Spec) { s.Process.Capabilities = nil }, ""},
		{"unknown bounding", func(s *specs.Spec) {
			s.Process.Capabilities.Bounding = []string{"CAP_KILL", "CAP_FOO"}
		}, `config.json: process.capabilities.bounding[1]: unknown capability "CAP_FOO"`},
		{"no prefix", func(s *specs.Spec) {
			s.Process.Capabilities.Effective = []string{"KILL"}
		}, `config.json: process.capabilities.effective[0]: unknown capability "KILL"`},
		{"lowercase", func(s *specs.Spec) {
			s.Process.Capabilities.Permitted = []string{"cap_kill"}
		}, `config.json: process.capabilities.permitted[0]: unknown capability "cap_kill"`},
		{"inheritable", func(s *specs.Spec) {
			s.Process.Capabilities.Inheritable = []string{"CAP_NOPE"}
		}, `config.json: process.capabilities.inheritable[0]: unknown capability "CAP_NOPE"`},
		{"ambient", func(s *specs.Spec) {
			s.Process.Capabilities.Ambient = []string{""}
		}, `config.json: process.capabilities.ambient[0]: unknown capability ""`},
	})
}

func TestValidateScheduler(t *testing.T) {
	set := func(sc specs.Scheduler) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Process.Scheduler = &sc }
	}
	runValidateCases(t, []validateCase{
		{"other nice", set(specs.Scheduler{Policy: specs.SchedOther, Nice: -5}), ""},
		{"batch", set(specs.Scheduler{Policy: specs.SchedBatch, Flags: []specs.LinuxSchedulerFlag{specs.SchedFlagResetOnFork}}), ""},
		{"fifo", set(specs.Scheduler{Policy: specs.SchedFIFO, Priority: 50}), ""},
		{"rr 99", set(specs.Scheduler{Policy: specs.SchedRR, Priority: 99}), ""},
		{"deadline", set(specs.Scheduler{Policy: specs.SchedDeadline, Runtime: 10, Deadline: 20, Period: 30}), ""},
		{"no policy", set(specs.Scheduler{}), "config.json: process.scheduler.policy: required"},
		{"unknown policy", set(specs.Scheduler{Policy: "SCHED_FOO"}),
			`config.json: process.scheduler.policy: unknown policy "SCHED_FOO"`},
		{"unknown flag", set(specs.Scheduler{Policy: specs.SchedOther, Flags: []specs.LinuxSchedulerFlag{"SCHED_FLAG_X"}}),
			`config.json: process.scheduler.flags[0]: unknown flag "SCHED_FLAG_X"`},
		{"nice range", set(specs.Scheduler{Policy: specs.SchedOther, Nice: 20}),
			"config.json: process.scheduler.nice: 20 is out of range [-20, 19]"},
		{"fifo priority 0", set(specs.Scheduler{Policy: specs.SchedFIFO}),
			"config.json: process.scheduler.priority: 0 is out of range [1, 99] for SCHED_FIFO"},
		{"rr priority 100", set(specs.Scheduler{Policy: specs.SchedRR, Priority: 100}),
			"config.json: process.scheduler.priority: 100 is out of range [1, 99] for SCHED_RR"},
		{"priority with other", set(specs.Scheduler{Policy: specs.SchedOther, Priority: 1}),
			"config.json: process.scheduler.priority: only allowed with SCHED_FIFO or SCHED_RR, not SCHED_OTHER"},
		{"deadline params with other", set(specs.Scheduler{Policy: specs.SchedOther, Runtime: 1}),
			"config.json: process.scheduler: runtime, deadline and period are only allowed with SCHED_DEADLINE"},
		{"deadline runtime above deadline", set(specs.Scheduler{Policy: specs.SchedDeadline, Runtime: 30, Deadline: 20}),
			"config.json: process.scheduler.runtime: 30 is above deadline 20"},
		{"deadline above period", set(specs.Scheduler{Policy: specs.SchedDeadline, Runtime: 1, Deadline: 40, Period: 30}),
			"config.json: process.scheduler.deadline: 40 is above period 30"},
	})
}

func TestValidateIOPriority(t *testing.T) {
	set := func(p specs.LinuxIOPriority) func(*specs.Spec) {
		return func(s *specs.Spec) { s.Process.IOPriority = &p }
	}
	runValidateCases(t, []validateCase{
		{"idle", set(specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_IDLE, Priority: 4}), ""},
		{"rt 0", set(specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_RT}), ""},
		{"be 7", set(specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 7}), ""},
		{"unknown class", set(specs.LinuxIOPriority{Class: "IOPRIO_CLASS_NONE"}),
			`config.json: process.ioPriority.class: unknown class "IOPRIO_CLASS_NONE"`},
		{"priority 8", set(specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 8}),
			"config.json: process.ioPriority.priority: 8 is out of range [0, 7]"},
		{"priority -1", set(specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: -1}),
			"config.json: process.ioPriority.priority: -1 is out of range [0, 7]"},
	})
}
