package initplan

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/caps"
	"github.com/skiffrt/skiff/internal/handshake"
)

// defaultPath is searched for process.args[0] when the process's
// environment has no PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// process adds the steps from the terminal to execve: the user's process
// in its directory, its limits and attributes, ready, the wait for start,
// then credentials and seccomp in the order seccomp.c explains.
func (p *Plan) process(cfg *handshake.Config) error {
	s := cfg.Spec
	proc := s.Process
	if proc.Terminal {
		if cfg.ConsoleFd == 0 {
			return fmt.Errorf("config.json: process.terminal: requires --console-socket")
		}
		var rows, cols uint
		if cs := proc.ConsoleSize; cs != nil {
			rows, cols = cs.Height, cs.Width
		}
		p.add(OpConsole, "config.json: process.terminal", cfg.ConsoleFd, proc.User.UID, proc.User.GID, uint64(rows), uint64(cols))
	}
	cwd := proc.Cwd
	if cwd == "" {
		cwd = "/"
	}
	p.add(OpCwd, "config.json: process.cwd", cwd)
	path := defaultPath
	for _, e := range proc.Env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	p.add(OpLookPath, "", proc.Args[0], path)

	// Limits and attributes apply before reporting ready so that a
	// refused one fails create, which can still report it.
	for i, r := range proc.Rlimits {
		res, ok := rlimitByName[r.Type]
		if !ok {
			return fmt.Errorf("config.json: process.rlimits[%d].type: unknown %q", i, r.Type)
		}
		p.add(OpRlimit, fmt.Sprintf("config.json: process.rlimits[%d] (%s): set soft %d hard %d", i, r.Type, r.Soft, r.Hard),
			res, r.Soft, r.Hard, "raising a hard limit needs CAP_SYS_RESOURCE")
	}
	if err := p.attributes(cfg); err != nil {
		return err
	}

	// A filter with a notify listener is loaded before ready: the parent
	// hands its fd to linux.seccomp.listenerPath during create. Every
	// placement loads the program OpSeccompProgram sent (Build).
	filter := cfg.Seccomp
	if filter != nil && filter.Listener {
		p.add(OpSeccomp, "config.json: linux.seccomp", filter.Flags, true)
		filter = nil
	}

	// Step 8: ready, then block on the FIFO until `start` opens it.
	p.add(OpReady, "")
	if cfg.FifoFd > 0 {
		p.add(OpOpenFifo, "", cfg.ProcFd, cfg.InitPid, cfg.FifoFd)
	}
	p.add(OpCloseSocket, "")
	// startContainer hooks run while `start` still listens on the FIFO,
	// so that their failure fails start (runtime.md: the runtime MUST
	// generate an error and stop the container).
	if s.Hooks != nil && !cfg.Exec {
		p.hooks("startContainer", s.Hooks.StartContainer, cfg.State)
	}
	if cfg.FifoFd > 0 {
		p.add(OpStart, "")
	}

	// LSM exec labels after every hook: a forked hook would inherit them.
	if proc.ApparmorProfile != "" {
		p.add(OpLSMLabel, fmt.Sprintf("config.json: process.apparmorProfile: %q", proc.ApparmorProfile), "apparmor/exec", "exec "+proc.ApparmorProfile)
	}
	if proc.SelinuxLabel != "" {
		p.add(OpLSMLabel, fmt.Sprintf("config.json: process.selinuxLabel: %q", proc.SelinuxLabel), "exec", proc.SelinuxLabel)
	}
	if filter != nil && !proc.NoNewPrivileges {
		p.add(OpSeccomp, "config.json: linux.seccomp", filter.Flags, false)
		filter = nil
	}
	if err := p.credentials(proc); err != nil {
		return err
	}
	if filter != nil {
		p.add(OpSeccomp, "config.json: linux.seccomp", filter.Flags, false)
	}
	args := []any{len(proc.Args)}
	for _, a := range proc.Args {
		args = append(args, a)
	}
	for _, e := range proc.Env {
		args = append(args, e)
	}
	p.add(OpExec, "", args...)
	return nil
}

// credentials adds the switch to the process's user and capabilities.
func (p *Plan) credentials(proc *specs.Process) error {
	var sets [5]caps.Set
	if c := proc.Capabilities; c != nil {
		for i, f := range []struct {
			name string
			src  []string
		}{
			{"bounding", c.Bounding}, {"effective", c.Effective}, {"permitted", c.Permitted},
			{"inheritable", c.Inheritable}, {"ambient", c.Ambient},
		} {
			var err error
			if sets[i], err = caps.ParseSet(f.src); err != nil {
				return fmt.Errorf("config.json: process.capabilities.%s: %w", f.name, err)
			}
		}
	}
	u := proc.User
	umask := int64(-1)
	if u.Umask != nil {
		umask = int64(*u.Umask)
	}
	args := []any{u.UID, u.GID, umask, uint64(sets[0]), uint64(sets[1]), uint64(sets[2]), uint64(sets[3]), uint64(sets[4]), proc.NoNewPrivileges}
	for _, g := range u.AdditionalGids {
		args = append(args, g)
	}
	p.add(OpCredentials, "", args...)
	return nil
}

// rlimitByName maps config.json rlimit types to resource numbers.
var rlimitByName = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_STACK": unix.RLIMIT_STACK, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK,
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}

// affinityMask renders a CPU set as sched_setaffinity's mask bytes.
func affinityMask(set *unix.CPUSet) []byte {
	out := make([]byte, 0, len(set)*8)
	for _, w := range set {
		for i := 0; i < 8; i++ {
			out = append(out, byte(w>>(8*i)))
		}
	}
	return out
}
