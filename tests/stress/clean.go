package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// host knows what of the host belongs to this stress run: processes
// running our skiff binary or carrying our marker, cgroup directories
// named with our id prefix, mounts and files under our temp dir.
type host struct {
	tmp    string // everything of ours on disk is under it
	root   string // --root
	prefix string // every container id starts with it
	mark   string // NAME=value in skiff's and every container process's environment
	exeDev uint64
	exeIno uint64
}

func newHost(tmp, root, prefix, mark, skiff string) (*host, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(skiff, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", skiff, err)
	}
	return &host{tmp: tmp, root: root, prefix: prefix, mark: mark, exeDev: st.Dev, exeIno: st.Ino}, nil
}

// proc is what we read of one process.
type proc struct {
	pid     int
	cmdline string
	cgroups []string // paths, one per hierarchy
	links   []string // cwd, root and every fd
	environ string
	ourExe  bool
}

func readProc(pid int) (proc, bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	p := proc{pid: pid}
	cmd, err := os.ReadFile(dir + "/cmdline")
	if err != nil {
		return p, false
	}
	p.cmdline = strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
	if data, err := os.ReadFile(dir + "/cgroup"); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if parts := strings.SplitN(l, ":", 3); len(parts) == 3 {
				p.cgroups = append(p.cgroups, parts[2])
			}
		}
	}
	if env, err := os.ReadFile(dir + "/environ"); err == nil {
		p.environ = "\x00" + string(env)
	}
	for _, l := range []string{"cwd", "root"} {
		if t, err := os.Readlink(dir + "/" + l); err == nil {
			p.links = append(p.links, t)
		}
	}
	if fds, err := os.ReadDir(dir + "/fd"); err == nil {
		for _, fd := range fds {
			if t, err := os.Readlink(dir + "/fd/" + fd.Name()); err == nil {
				p.links = append(p.links, t)
			}
		}
	}
	return p, true
}

func (h *host) isOurExe(pid int) bool {
	var st syscall.Stat_t
	if syscall.Stat("/proc/"+strconv.Itoa(pid)+"/exe", &st) != nil {
		return false
	}
	return st.Dev == h.exeDev && st.Ino == h.exeIno
}

// why tells why p is one of ours for container id ("" for any of ours),
// or "" when it is not.
func (h *host) why(p proc, id string) string {
	name := h.prefix
	if id != "" {
		name = id
	}
	for _, cg := range p.cgroups {
		for _, comp := range strings.Split(cg, "/") {
			if comp == name || id == "" && strings.HasPrefix(comp, name) {
				return "in cgroup " + cg
			}
		}
	}
	dir := h.tmp
	if id != "" {
		dir = filepath.Join(h.root, id)
	}
	for _, l := range p.links {
		if l == dir || strings.HasPrefix(l, dir+"/") {
			return "holds " + l
		}
	}
	if id == "" {
		if strings.Contains(p.cmdline, h.tmp) {
			return "command line names " + h.tmp
		}
		if strings.Contains(p.environ, "\x00"+h.mark+"\x00") {
			return "environment has " + h.mark
		}
	}
	return ""
}

// inCgroup tells whether p is in container id's cgroup.
func (h *host) inCgroup(p proc, id string) bool {
	for _, cg := range p.cgroups {
		for _, comp := range strings.Split(cg, "/") {
			if comp == id {
				return true
			}
		}
	}
	return false
}

// processes of container id, or of the whole run when id is "".
func (h *host) processes(id string) []string {
	ents, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var out []string
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		p, ok := readProc(pid)
		if !ok {
			continue
		}
		why := h.why(p, id)
		if why == "" && id == "" && h.isOurExe(pid) && strings.HasPrefix(p.cmdline, "skiff init") {
			why = "runs our skiff binary as init"
		}
		if why != "" {
			state := ""
			if s, _, err := statOf(pid); err == nil {
				state = s
			}
			out = append(out, fmt.Sprintf("process %d %q (state %s): %s", pid, p.cmdline, state, why))
		}
	}
	return out
}

// statOf reads a process's state letter and start time.
func statOf(pid int) (state string, start uint64, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	i := strings.LastIndexByte(string(data), ')')
	f := strings.Fields(string(data)[i+1:])
	if len(f) < 20 {
		return "", 0, fmt.Errorf("short stat")
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return f[0], start, err
}

// cgroupDirs named id (or with our prefix when id is "") under every
// hierarchy, as assert_clean looks for them: their paths.
func (h *host) cgroupDirs(id string) []string {
	var out []string
	base := "/sys/fs/cgroup"
	filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		depth := strings.Count(strings.TrimPrefix(path, base), "/")
		if depth > 4 {
			return fs.SkipDir
		}
		n := d.Name()
		if n == id || id == "" && strings.HasPrefix(n, h.prefix) {
			out = append(out, path)
			return fs.SkipDir
		}
		return nil
	})
	return out
}

func (h *host) mounts() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return []string{"read mountinfo: " + err.Error()}
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], h.tmp) {
			out = append(out, "mount "+fields[4])
		}
	}
	return out
}

// stateFiles is everything under --root (for id: its directory), and every
// FIFO or socket anywhere under our temp dir.
func (h *host) stateFiles(id string) []string {
	var out []string
	if id != "" {
		if _, err := os.Lstat(filepath.Join(h.root, id)); err == nil {
			out = append(out, "state dir "+filepath.Join(h.root, id)+" ("+listDir(filepath.Join(h.root, id))+")")
		}
		return out
	}
	if ents, err := os.ReadDir(h.root); err == nil {
		for _, e := range ents {
			p := filepath.Join(h.root, e.Name())
			switch {
			case strings.HasPrefix(e.Name(), ".skiff-init-"):
				continue // skiff's cached init binary, not a container's
			case e.Name() == "~seccomp":
				continue // skiff's cache of compiled seccomp programs
			case strings.HasPrefix(e.Name(), "~creating-") && (listDir(p) == "holds: state.json" || listDir(p) == "holds: "):
				// A create killed before it published its directory (even
				// before its first state write) made nothing else; `list`
				// sweeps these after a minute.
				continue
			}
			out = append(out, "state root entry "+p+" ("+listDir(p)+")")
		}
	}
	filepath.WalkDir(h.tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type()&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice) != 0 {
			out = append(out, "special file "+path)
		}
		if d.IsDir() && path == filepath.Join(h.tmp, "bundle") {
			return fs.SkipDir // the rootfs copy
		}
		return nil
	})
	return out
}

func listDir(dir string) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "not a readable dir"
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return "holds: " + strings.Join(names, " ")
}

// leftovers of container id ("" for the whole run).
func (h *host) leftovers(id string) []string {
	var out []string
	out = append(out, h.stateFiles(id)...)
	out = append(out, groupCgroups(h.cgroupDirs(id))...)
	out = append(out, h.processes(id)...)
	if id == "" {
		out = append(out, h.mounts()...)
	}
	return out
}

// groupCgroups says "cgroup dir /x in blkio cpu ..." once per name.
func groupCgroups(dirs []string) []string {
	byName := map[string][]string{}
	var names []string
	for _, d := range dirs {
		rel := strings.TrimPrefix(d, "/sys/fs/cgroup/")
		ctrl, path, _ := strings.Cut(rel, "/")
		if byName["/"+path] == nil {
			names = append(names, "/"+path)
		}
		byName["/"+path] = append(byName["/"+path], ctrl)
	}
	var out []string
	for _, n := range names {
		out = append(out, fmt.Sprintf("cgroup dir %s in /sys/fs/cgroup/{%s}", n, strings.Join(byName[n], ",")))
	}
	return out
}

// waitClean polls until nothing of id is left or d passes: a killed
// init takes a moment to be reaped by its new parent.
func (h *host) waitClean(id string, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		left := h.leftovers(id)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrub removes what the run left so the machine stays usable after a
// failure: kills our processes, removes our cgroup dirs (children first).
func (h *host) scrub() {
	for i := 0; i < 3; i++ {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			if p, ok := readProc(pid); ok && (h.why(p, "") != "" || h.isOurExe(pid) && strings.HasPrefix(p.cmdline, "skiff init")) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, dir := range h.cgroupDirs("") {
		// Thaw a frozen v1 freezer child so its tasks can die.
		os.WriteFile(filepath.Join(dir, "freezer.state"), []byte("THAWED"), 0)
		var dirs []string
		filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			syscall.Rmdir(dirs[i])
		}
	}
}
