package container

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/cgroups"
	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/hooks"
)

// handshakeTimeout bounds each wait for init outside of hooks: an init
// stuck in a mount or a dead FUSE server must not hang create.
const handshakeTimeout = 60 * time.Second

// spawnInit starts the container's init and walks the handshake with it
// (steps as in internal/handshake) until init is parked on the FIFO.
func spawnInit(c *Container, o *CreateOptions, t *timeline, m cgroups.Manager) error {
	s := c.state.Spec

	// A seccomp program not in the cache compiles while the cgroup is
	// made and init starts.
	var prog *pendingProgram
	if o.seccomp != nil {
		prog = startSeccompProgram(filepath.Dir(c.dir), o.seccomp)
		defer prog.abandon()
	}
	// The cgroup exists, with its limits, before init starts, but init is
	// moved into it only once it has made its namespaces and forked into
	// the pid namespace (joinLate), before it mounts or forks anything
	// else. The namespaces and init's task are then charged to our
	// cgroup, as crun's clone charges them, not to a small memory limit
	// (the floor for /bin/true went from 400 to about 224 KiB, crun's).
	// Making the cgroup while init starts, in a goroutine, was tried: no
	// faster on this 2-core VM, and 4 ms more CPU per create. A rootless
	// create joins first, as before: an unprivileged caller may not be
	// allowed to move a process that is already in a user namespace.
	cg, err := createCgroupIfAny(c, o, m)
	if err != nil {
		return err
	}
	if m != nil {
		t.mark("cgroup")
	}
	fifo := filepath.Join(c.dir, fifoName)
	if err := unix.Mkfifo(fifo, 0o622); err != nil {
		return fmt.Errorf("create exec fifo: %w", err)
	}
	// Writable by init whatever uid it has in its user namespace; the
	// umask would have taken that away.
	if err := os.Chmod(fifo, 0o622); err != nil {
		return fmt.Errorf("create exec fifo: %w", err)
	}
	fifoFile, err := os.OpenFile(fifo, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer fifoFile.Close()

	var console *os.File
	if o.ConsoleSocket != "" {
		console, err = dialConsole(o.ConsoleSocket)
		if err != nil {
			return err
		}
		defer console.Close()
	} else if o.ConsoleConn != nil && s.Process.Terminal {
		console = o.ConsoleConn
	}
	boot, err := bootstrap(s)
	if err != nil {
		return err
	}
	l := &launchSpec{
		boot:        boot,
		cg:          cg,
		joinLate:    !o.Rootless,
		fifo:        fifoFile,
		linux:       s.Linux,
		console:     console,
		preserveFds: o.PreserveFds,
		cfg: handshake.Config{
			ID:            c.ID(),
			Bundle:        c.state.Bundle,
			Rootfs:        c.state.Rootfs,
			Spec:          s,
			NoPivot:       o.NoPivot,
			NoNewKeyring:  o.NoNewKeyring,
			HooksInParent: s.Hooks != nil && (len(s.Hooks.Prestart) > 0 || len(s.Hooks.CreateRuntime) > 0),
			Seccomp:       o.seccomp,
		},
		// Hooks run after the environment exists (runtime.md, lifecycle
		// 3-5): the create operation of step 2 is over, so "created".
		state: func() []byte { return c.stateJSON(Created) },
		hooks: func() error { return runCreateHooks(s.Hooks, c.stateJSON(Created)) },
		started: func(pid int, start uint64) {
			if c.state.Pid == pid && c.state.StartTime == start {
				return // init is the direct child: saved already
			}
			c.state.Pid, c.state.StartTime = pid, start
			// Recorded at once: a create killed from here on leaves a
			// process that delete must find.
			c.save()
		},
		t:       t,
		root:    filepath.Dir(c.dir),
		seccomp: prog,
	}
	_, err = launchInit(l)
	if err != nil && s.Linux != nil {
		return explainInitDeath(cg, s.Linux.Resources, err)
	}
	return err
}

// createCgroupIfAny creates the container's cgroup, if the config asks
// for one (m), and applies the limits. It returns nil and no error when
// there is none, or a rootless create must go without one.
func createCgroupIfAny(c *Container, o *CreateOptions, m cgroups.Manager) (cgroups.Manager, error) {
	if m == nil {
		return nil, nil
	}
	s := c.state.Spec
	err := m.Create()
	if err != nil && o.Rootless && errors.Is(err, fs.ErrPermission) {
		// A user rarely may write every hierarchy, but a cgroup v2
		// subtree may be delegated to them: use that alone.
		m.Destroy()
		if v2, ok := delegatedV2(c.state.CgroupPaths); ok {
			m, err = v2, nil
			c.state.CgroupPaths = m.Paths()
			c.save()
		}
	}
	if err != nil {
		if !o.Rootless || !errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("create cgroup: %w", err)
		}
		c.state.CgroupPaths = nil
		if hasLimits(s.Linux.Resources) {
			return nil, fmt.Errorf("config.json: linux.resources: rootless: no cgroup this user may write to apply the limits in (%w); delegate a cgroup v2 subtree to the user or remove the limits", err)
		}
		if o.Warn != nil {
			o.Warn(fmt.Errorf("rootless: running without a cgroup: %w", err))
		}
		return nil, nil
	}
	if r := cgroupResources(s.Linux); r != nil {
		if err := m.Set(r); err != nil {
			return nil, fmt.Errorf("config.json: %w", err)
		}
	}
	return m, nil
}

// initFailure turns a broken handshake into the most useful error.
func initFailure(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("init did not answer within %s", handshakeTimeout)
	}
	return err
}

func runCreateHooks(h *specs.Hooks, state []byte) error {
	if err := hooks.Run("prestart", h.Prestart, state); err != nil {
		return err
	}
	return hooks.Run("createRuntime", h.CreateRuntime, state)
}

// bootstrap lists the namespaces for the C stage.
func bootstrap(s *specs.Spec) (*handshake.Bootstrap, error) {
	b := &handshake.Bootstrap{Joins: map[int]string{}}
	if s.Linux == nil {
		return b, nil
	}
	for i, ns := range s.Linux.Namespaces {
		flag, ok := cloneFlags[ns.Type]
		if !ok {
			return nil, fmt.Errorf("config.json: linux.namespaces[%d].type: unknown %q", i, ns.Type)
		}
		if ns.Path != "" {
			b.Joins[flag] = ns.Path
		} else {
			b.CloneFlags |= uintptr(flag)
		}
	}
	if len(s.Linux.TimeOffsets) > 0 {
		var sb strings.Builder
		for clock, off := range s.Linux.TimeOffsets {
			fmt.Fprintf(&sb, "%s %d %d\n", clock, off.Secs, off.Nanosecs)
		}
		b.TimeOffsets = sb.String()
	}
	return b, nil
}

// writeIDMaps writes a new user namespace's uid and gid maps (step 3).
func writeIDMaps(pid int, l *specs.Linux) error {
	if os.Geteuid() != 0 {
		return writeIDMapsUnprivileged(pid, l)
	}
	if err := writeIDMap(pid, "uid_map", "uidMappings", l.UIDMappings); err != nil {
		return err
	}
	return writeIDMap(pid, "gid_map", "gidMappings", l.GIDMappings)
}

func writeIDMap(pid int, file, field string, ms []specs.LinuxIDMapping) error {
	var sb strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&sb, "%d %d %d\n", m.ContainerID, m.HostID, m.Size)
	}
	p := fmt.Sprintf("/proc/%d/%s", pid, file)
	if err := os.WriteFile(p, []byte(sb.String()), 0); err != nil {
		return fmt.Errorf("config.json: linux.%s: write %s: %w", field, p, err)
	}
	return nil
}

// writeIDMapsUnprivileged maps ids as an unprivileged user
// (user_namespaces(7), "Defining user and group ID mappings"): the kernel
// lets us map only our own uid and gid, one id each, and the gid only once
// setgroups is denied; anything more goes through the setuid helpers
// newuidmap and newgidmap, which check /etc/subuid and /etc/subgid.
func writeIDMapsUnprivileged(pid int, l *specs.Linux) error {
	own := func(ms []specs.LinuxIDMapping, id int) bool {
		return len(ms) == 1 && ms[0].Size == 1 && int(ms[0].HostID) == id
	}
	if own(l.UIDMappings, os.Geteuid()) && own(l.GIDMappings, os.Getegid()) {
		if err := writeIDMap(pid, "uid_map", "uidMappings", l.UIDMappings); err != nil {
			return err
		}
		p := fmt.Sprintf("/proc/%d/setgroups", pid)
		if err := os.WriteFile(p, []byte("deny"), 0); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		return writeIDMap(pid, "gid_map", "gidMappings", l.GIDMappings)
	}
	if err := runIDMapHelper("newuidmap", "uidMappings", "/etc/subuid", pid, l.UIDMappings); err != nil {
		return err
	}
	return runIDMapHelper("newgidmap", "gidMappings", "/etc/subgid", pid, l.GIDMappings)
}

func runIDMapHelper(helper, field, subids string, pid int, ms []specs.LinuxIDMapping) error {
	path, err := exec.LookPath(helper)
	if err != nil {
		return fmt.Errorf("config.json: linux.%s: mapping more than your own id needs %s (Debian package uidmap): %w", field, helper, err)
	}
	args := []string{strconv.Itoa(pid)}
	for _, m := range ms {
		args = append(args, fmt.Sprint(m.ContainerID), fmt.Sprint(m.HostID), fmt.Sprint(m.Size))
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("config.json: linux.%s: %s %s: %v: %s (check your entry in %s)", field, helper, strings.Join(args, " "), err, strings.TrimSpace(string(out)), subids)
	}
	return nil
}

// dialConsole connects to the --console-socket receiver; init sends the
// pty master over this connection.
func dialConsole(path string) (*os.File, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("--console-socket %s: %w", path, err)
	}
	defer conn.Close()
	f, err := conn.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("--console-socket %s: %w", path, err)
	}
	return f, nil
}

// explainInitDeath adds the likely cause when init died before the user's
// process ran: the OOM killer, because the memory limit leaves too little
// for the runtime's own setup.
func explainInitDeath(cg cgroups.Manager, limit *specs.LinuxResources, err error) error {
	if err == nil || cg == nil {
		return err
	}
	if n, cerr := cg.OOMKillCount(); cerr == nil && n > 0 {
		what := "linux.resources.memory.limit"
		if limit != nil && limit.Memory != nil && limit.Memory.Limit != nil {
			what = fmt.Sprintf("%s (%d bytes)", what, *limit.Memory.Limit)
		}
		return fmt.Errorf("%w: init was killed by the OOM killer before the process ran; config.json: %s is too low for the container's setup", err, what)
	}
	return err
}

// hasLimits tells whether r asks for anything a cgroup must enforce.
// Device rules do not count: in a user namespace the container cannot
// create device nodes anyway.
func hasLimits(r *specs.LinuxResources) bool {
	if r == nil {
		return false
	}
	rest := *r
	rest.Devices = nil
	return !reflect.DeepEqual(rest, specs.LinuxResources{})
}

// explainUserNSFailure adds what the user can do when the kernel refused a
// new user namespace: the two sysctls that switch them off.
func explainUserNSFailure(err error) error {
	if err == nil || !strings.Contains(err.Error(), "create user namespace") {
		return err
	}
	read := func(p string) string {
		b, _ := os.ReadFile(p)
		return strings.TrimSpace(string(b))
	}
	if read("/proc/sys/user/max_user_namespaces") == "0" {
		return fmt.Errorf("%w (user namespaces are disabled: sysctl user.max_user_namespaces is 0)", err)
	}
	if os.Geteuid() != 0 && read("/proc/sys/kernel/unprivileged_userns_clone") == "0" {
		return fmt.Errorf("%w (unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone is 0)", err)
	}
	if errors.Is(err, unix.ENOSPC) {
		return fmt.Errorf("%w (the limit in /proc/sys/user/max_user_namespaces is reached)", err)
	}
	return err
}

// delegatedV2 makes the container's cgroup in the cgroup2 hierarchy only,
// where a rootless caller may own a delegated subtree, and reports whether
// that worked.
func delegatedV2(paths map[string]string) (cgroups.Manager, bool) {
	dir, ok := paths[""]
	if !ok {
		return nil, false
	}
	m, err := cgroups.Load(map[string]string{"": dir})
	if err != nil {
		return nil, false
	}
	if err := m.Create(); err != nil {
		m.Destroy()
		return nil, false
	}
	return m, true
}
