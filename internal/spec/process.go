package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// OOM score bounds of /proc/[pid]/oom_score_adj (proc(5)).
const (
	minOOMScoreAdj = -1000
	maxOOMScoreAdj = 1000
)

// checkProcess checks the process section.
//
// config.md marks process OPTIONAL but REQUIRED when start is called, and
// runtime.md "Create" lets create apply process properties; skiff validates
// for create, which always leads to start, so process is required here.
func checkProcess(p *specs.Process) error {
	if p == nil {
		return errorf("process", "required to create a container")
	}
	// config.md "Process": at least one args entry is REQUIRED (non-Windows).
	if len(p.Args) == 0 {
		return errorf("process.args", "must have at least one entry")
	}
	if p.Args[0] == "" {
		return errorf("process.args[0]", "must not be empty")
	}
	if err := checkStrings("process.args", p.Args); err != nil {
		return err
	}
	// config.md "Process": cwd is REQUIRED and MUST be absolute.
	if err := checkAbs("process.cwd", p.Cwd); err != nil {
		return err
	}
	if err := checkEnv("process.env", p.Env); err != nil {
		return err
	}
	// consoleSize needs no check: config.md "Process" says runtimes MUST
	// ignore it when terminal is false, so it is not an error there.
	if err := checkUser(p.User); err != nil {
		return err
	}
	if err := checkRlimits(p.Rlimits); err != nil {
		return err
	}
	if err := checkCapabilities(p.Capabilities); err != nil {
		return err
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < minOOMScoreAdj || *p.OOMScoreAdj > maxOOMScoreAdj) {
		return errorf("process.oomScoreAdj", "%d is out of range [%d, %d]", *p.OOMScoreAdj, minOOMScoreAdj, maxOOMScoreAdj)
	}
	// apparmorProfile and selinuxLabel are free-form labels for the LSM;
	// whether they exist is for the LSM to say when they are applied.
	if err := checkString("process.apparmorProfile", p.ApparmorProfile); err != nil {
		return err
	}
	if err := checkString("process.selinuxLabel", p.SelinuxLabel); err != nil {
		return err
	}
	if err := checkScheduler(p.Scheduler); err != nil {
		return err
	}
	if err := checkIOPriority(p.IOPriority); err != nil {
		return err
	}
	return checkExecCPUAffinity(p.ExecCPUAffinity)
}

// checkUser checks process.user (config.md "POSIX-platform User"). uid, gid
// and additionalGids are uint32 by type; umask only has 9 meaningful bits
// (umask(2)), so a larger value is a mistake, likely octal written as decimal.
func checkUser(u specs.User) error {
	if u.Umask != nil && *u.Umask > 0o777 {
		return errorf("process.user.umask", "%d is not a valid umask (must be 0 to 0777, i.e. at most 511 in decimal)", *u.Umask)
	}
	return nil
}
