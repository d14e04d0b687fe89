package libinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/caps"
)

// rlimitByName maps config.json rlimit types to resource numbers.
var rlimitByName = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_STACK": unix.RLIMIT_STACK, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK,
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}

// applyOOMScoreAdj writes process.oomScoreAdj while /proc is still the host's.
func applyOOMScoreAdj(p *specs.Process) error {
	if p.OOMScoreAdj == nil {
		return nil
	}
	v := fmt.Sprint(*p.OOMScoreAdj)
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte(v), 0); err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
			return fmt.Errorf("config.json: process.oomScoreAdj: set %s: %w (lowering it needs CAP_SYS_RESOURCE)", v, err)
		}
		return fmt.Errorf("config.json: process.oomScoreAdj: set %s: %w", v, err)
	}
	return nil
}

// applyRlimits sets process.rlimits; done last before exec so that a low
// RLIMIT_NOFILE cannot break init's own setup.
func applyRlimits(p *specs.Process) error {
	for i, r := range p.Rlimits {
		res, ok := rlimitByName[r.Type]
		if !ok {
			return fmt.Errorf("config.json: process.rlimits[%d].type: unknown %q", i, r.Type)
		}
		lim := unix.Rlimit{Cur: r.Soft, Max: r.Hard}
		if err := unix.Prlimit(0, res, &lim, nil); err != nil {
			if errors.Is(err, unix.EPERM) {
				return fmt.Errorf("config.json: process.rlimits[%d] (%s): set soft %d hard %d: %w (raising a hard limit needs CAP_SYS_RESOURCE)", i, r.Type, r.Soft, r.Hard, err)
			}
			return fmt.Errorf("config.json: process.rlimits[%d] (%s): set soft %d hard %d: %w", i, r.Type, r.Soft, r.Hard, err)
		}
	}
	return nil
}

// enterCwd changes to process.cwd, creating it if missing (as runc does).
// The path is opened without following magic links, and the result is
// checked to lie under the container's root: a cwd of /proc/self/fd/N
// would otherwise land the process in a directory of the runtime's on the
// host (CVE-2024-21626).
func enterCwd(cwd string) error {
	fail := func(err error) error {
		return fmt.Errorf("config.json: process.cwd: chdir %s: %w", cwd, err)
	}
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_MAGICLINKS}
	fd, err := unix.Openat2(unix.AT_FDCWD, cwd, &how)
	if errors.Is(err, unix.ENOENT) {
		if err = os.MkdirAll(cwd, 0o755); err == nil {
			fd, err = unix.Openat2(unix.AT_FDCWD, cwd, &how)
		}
	}
	if errors.Is(err, unix.ELOOP) {
		return fail(errors.New("the path goes through a /proc magic link"))
	}
	if err != nil {
		return fail(err)
	}
	err = unix.Fchdir(fd)
	unix.Close(fd)
	if err != nil {
		return fail(err)
	}
	// getcwd fails with ENOENT (or answers "(unreachable)...") when the
	// cwd is outside the process's root.
	if wd, err := unix.Getwd(); err != nil || !strings.HasPrefix(wd, "/") {
		return fail(errors.New("the directory is outside the container's root"))
	}
	return nil
}

// lookPath resolves args[0] against the PATH in the process's environment
// (not init's), inside the container's root.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := checkExecutable(name); err != nil {
			return "", fmt.Errorf("exec %q: %w", name, err)
		}
		return name, nil
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec %q: executable file not found in $PATH", name)
}

func checkExecutable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return unix.EISDIR
	}
	if st.Mode()&0o111 == 0 {
		return unix.EACCES
	}
	return nil
}

// closeExtraFds marks every fd from `from` up close-on-exec, so nothing of
// the runtime reaches the container process: an inherited directory fd
// lets the container walk the host (CVE-2024-21626).
func closeExtraFds(from int) error {
	if err := unix.CloseRange(uint(from), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close_range: %w", err)
	}
	return nil
}

// setCredentials switches to the process's user and capabilities. It runs
// on the locked OS thread that calls execve, with raw per-thread syscalls:
// execve keeps only the calling thread's credentials.
func setCredentials(p *specs.Process) error {
	var bounding, effective, permitted, inheritable, ambient caps.Set
	if c := p.Capabilities; c != nil {
		var err error
		for _, f := range []struct {
			name string
			src  []string
			dst  *caps.Set
		}{
			{"bounding", c.Bounding, &bounding}, {"effective", c.Effective, &effective},
			{"permitted", c.Permitted, &permitted}, {"inheritable", c.Inheritable, &inheritable},
			{"ambient", c.Ambient, &ambient},
		} {
			if *f.dst, err = caps.ParseSet(f.src); err != nil {
				return fmt.Errorf("config.json: process.capabilities.%s: %w", f.name, err)
			}
		}
	}
	// Bounding set first: dropping needs CAP_SETPCAP, which we still hold.
	last := lastCap()
	for c := 0; c <= last; c++ {
		if !bounding.Has(c) {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
				return fmt.Errorf("config.json: process.capabilities.bounding: drop %d: %w", c, err)
			}
		}
	}
	u := p.User
	if err := setgroups(u.AdditionalGids); err != nil {
		return fmt.Errorf("config.json: process.user.additionalGids: %w", err)
	}
	// Keep the permitted set across the uid change; capset below sets
	// exactly what the config asks for.
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl keepcaps: %w", err)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(u.GID), uintptr(u.GID), uintptr(u.GID)); e != 0 {
		return fmt.Errorf("config.json: process.user.gid: setresgid %d: %w", u.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(u.UID), uintptr(u.UID), uintptr(u.UID)); e != 0 {
		return fmt.Errorf("config.json: process.user.uid: setresuid %d: %w", u.UID, e)
	}
	if u.Umask != nil {
		unix.Umask(int(*u.Umask))
	} else {
		unix.Umask(0o022)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(effective), Permitted: uint32(permitted), Inheritable: uint32(inheritable)},
		{Effective: uint32(effective >> 32), Permitted: uint32(permitted >> 32), Inheritable: uint32(inheritable >> 32)},
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("config.json: process.capabilities: capset: %w", err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && err != unix.EINVAL {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	for c := 0; c <= last; c++ {
		if ambient.Has(c) {
			if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0); err != nil {
				return fmt.Errorf("config.json: process.capabilities.ambient: raise %d: %w", c, err)
			}
		}
	}
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("config.json: process.noNewPrivileges: %w", err)
		}
	}
	return nil
}

func setgroups(gids []uint32) error {
	g := make([]uint32, len(gids)+1) // never empty, so &g[0] is valid
	copy(g, gids)
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(gids)), uintptr(unsafe.Pointer(&g[0])), 0); e != 0 {
		// In a user namespace whose setgroups is "deny", an empty list is
		// what we have anyway.
		if e == unix.EPERM && len(gids) == 0 {
			return nil
		}
		return fmt.Errorf("setgroups %v: %w", gids, e)
	}
	return nil
}

// lastCap reads the kernel's highest capability, so that the bounding set
// is cleared of capabilities newer than our table too.
func lastCap() int {
	data, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return caps.Last
	}
	var n int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(data)), "%d", &n); err != nil {
		return caps.Last
	}
	return n
}
