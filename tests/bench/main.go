// Command bench measures skiff side by side with runc and crun (when
// installed) and prints a markdown table of medians, p10/p90 and the
// ratio of each runtime's median to skiff's.
//
// Runtimes are interleaved: every iteration runs each runtime once, in
// rotating order, so that drift on a busy machine hits all of them alike.
// Each runtime has its own --root under a temp dir and its own container
// id prefix; configs have no cgroupsPath, so a container's cgroup is /<id>
// in every hierarchy. Everything is force-deleted at the end, also on
// failure or SIGINT. Needs root.
//
//	go build -o _build/bench ./tests/bench && _build/bench -n 20
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type options struct {
	n          int
	runtimes   string
	skiff      string
	rootfs     string
	conc, jobs int
	rounds     int
	memN       int
	memLo      int // KiB
	memHi      int // KiB
	memStep    int // KiB
	timeout    time.Duration
	fixCrun    bool
	benchmarks string
	seccomp    string // profile file for run-seccomp
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 200, "iterations per runtime of the run, phase and exec benchmarks")
	flag.StringVar(&o.runtimes, "runtimes", "skiff,runc,crun", "runtimes to compare; missing ones are skipped")
	flag.StringVar(&o.skiff, "skiff", "./skiff", "skiff binary")
	flag.StringVar(&o.rootfs, "rootfs", "_build/rootfs", "busybox rootfs (make rootfs)")
	flag.IntVar(&o.conc, "conc", 100, "containers per concurrent batch")
	flag.IntVar(&o.jobs, "jobs", 8, "containers in flight at once in a concurrent batch")
	flag.IntVar(&o.rounds, "rounds", 3, "concurrent batches per runtime")
	flag.IntVar(&o.memN, "mem-n", 10, "creates per runtime measured for RSS")
	flag.IntVar(&o.memLo, "mem-lo", 64, "memory limit bisection: lower bound, KiB")
	flag.IntVar(&o.memHi, "mem-hi", 64<<10, "memory limit bisection: upper bound, KiB")
	flag.IntVar(&o.memStep, "mem-step", 16, "memory limit bisection: resolution, KiB")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "limit for any one runtime command")
	flag.BoolVar(&o.fixCrun, "fix-crun", false, "mount hugetlb as a cgroup v1 hierarchy so Debian's crun 1.8 runs on this hybrid host (changes the host until the bench ends)")
	flag.StringVar(&o.benchmarks, "bench", "run,run-seccomp,phases,exec,concurrent,memory", "benchmarks to run")
	flag.StringVar(&o.seccomp, "seccomp-profile", "internal/seccomp/testdata/docker-default.json", "linux.seccomp for run-seccomp (Docker's default profile for amd64)")
	flag.Parse()
	if err := mainErr(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func mainErr(o options) (err error) {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root")
	}
	if o.memStep <= 0 || o.memLo < o.memStep || o.memHi <= o.memLo {
		return fmt.Errorf("-mem-lo, -mem-hi, -mem-step: want 0 < step <= lo < hi")
	}
	if o.rootfs, err = filepath.Abs(o.rootfs); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(o.rootfs, "bin/busybox")); err != nil {
		return fmt.Errorf("rootfs: %w (make rootfs)", err)
	}
	skiffPath, err := filepath.Abs(o.skiff)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	tmp, err := os.MkdirTemp("", "skiff-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	b := &bench{ctx: ctx, res: newResults(), opt: o}
	if o.seccomp != "" {
		data, err := os.ReadFile(o.seccomp)
		if err != nil {
			return fmt.Errorf("-seccomp-profile: %w", err)
		}
		if err := json.Unmarshal(data, &b.seccomp); err != nil {
			return fmt.Errorf("-seccomp-profile %s: %w", o.seccomp, err)
		}
	}
	if b.base, err = skiffSpec(skiffPath, filepath.Join(tmp, "base")); err != nil {
		return err
	}

	var (
		skipped []string
		all     []*ociRuntime
		undos   []func()
	)
	defer func() {
		// Every way out cleans up, with a context of its own (the
		// benchmark one is cancelled by SIGINT), then reports, so that
		// what cleanup found makes it into the report.
		for _, r := range all {
			for _, p := range r.cleanup(context.Background()) {
				b.note("cleanup, %s: `%s`", r.name, p)
			}
			for _, l := range cgroupLeaks(r.prefix) {
				b.note("cleanup, %s: %s (removed)", r.name, l)
			}
			removeCgroups(r.prefix)
		}
		for _, undo := range undos {
			undo()
		}
		if err == nil {
			report(os.Stdout, b, skipped)
			return
		}
		for _, n := range b.notes {
			progress("%s", n)
		}
	}()
	for _, name := range strings.Split(o.runtimes, ",") {
		name = strings.TrimSpace(name)
		path := skiffPath
		if name != "skiff" {
			if path, err = exec.LookPath(name); err != nil {
				skipped = append(skipped, fmt.Sprintf("%s: skipped: not installed", name))
				continue
			}
		}
		if name == "crun" && o.fixCrun {
			undo, msg, err := fixCrun()
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("crun: skipped: -fix-crun: %v", err))
				continue
			}
			undos = append(undos, undo)
			b.note("%s", msg)
		}
		r := &ociRuntime{
			name:    name,
			path:    path,
			version: versionOf(path),
			dir:     filepath.Join(tmp, name),
			prefix:  fmt.Sprintf("sb%d-%s", os.Getpid(), name),
			timeout: o.timeout,
			live:    map[string]bool{},
		}
		r.root = filepath.Join(r.dir, "root")
		if err := os.MkdirAll(r.root, 0o700); err != nil {
			return err
		}
		if err := r.writeBundles(b.base, o.rootfs, b.seccomp); err != nil {
			return err
		}
		all = append(all, r)
		// The first run decides whether the runtime takes part at all.
		id := r.id("probe", 0)
		r.track(id)
		if _, _, err := r.command(ctx, "run", "--bundle", r.bundleTrue, id); err != nil {
			r.forceDelete(context.Background(), id)
			reason := fmt.Sprintf("%s: skipped: first run failed: `%v`", name, err)
			if name == "crun" && !o.fixCrun && strings.Contains(err.Error(), "hybrid") {
				reason += " (try -fix-crun)"
			}
			skipped = append(skipped, reason)
			continue
		}
		b.rts = append(b.rts, r)
	}
	haveSkiff := false
	for _, r := range b.rts {
		haveSkiff = haveSkiff || r.name == "skiff"
	}
	if !haveSkiff {
		return fmt.Errorf("skiff, the baseline of every ratio, is not running: %s", strings.Join(skipped, "; "))
	}

	want := map[string]bool{}
	for _, x := range strings.Split(o.benchmarks, ",") {
		want[strings.TrimSpace(x)] = true
	}
	steps := []struct {
		name string
		fn   func()
	}{
		{"run", b.benchRun},
		{"run-seccomp", b.benchRunSeccomp},
		{"phases", b.benchPhases},
		{"exec", b.benchExec},
		{"concurrent", b.benchConcurrent},
		{"memory", b.benchMemory},
	}
	t0 := time.Now()
	for _, st := range steps {
		if !want[st.name] || ctx.Err() != nil {
			continue
		}
		progress("%s (%v so far)", st.name, time.Since(t0).Round(time.Second))
		st.fn()
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; containers cleaned up")
	}
	return nil
}

// skiffSpec writes `skiff spec` into dir and returns it decoded.
func skiffSpec(skiff, dir string) (map[string]any, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if out, err := exec.Command(skiff, "spec", "--bundle", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s spec: %v: %s", skiff, err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("skiff spec: %w", err)
	}
	return c, nil
}

// report prints the pasteable markdown: machine, command, table, notes.
func report(w *os.File, b *bench, skipped []string) {
	fmt.Fprintf(w, "Machine: Linux %s, %d CPUs (%s).  \n", kernelRelease(), runtime.NumCPU(), cpuModel())
	fmt.Fprintf(w, "Command: `%s` (%s).  \n", commandLine(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	var names []string
	for _, r := range b.rts {
		names = append(names, r.name)
		fmt.Fprintf(w, "%s: %s (`%s`).  \n", r.name, r.version, r.path)
	}
	for _, s := range skipped {
		fmt.Fprintf(w, "%s  \n", s)
	}
	fmt.Fprintln(w)
	b.res.table(w, names)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Times are wall clock per runtime command, fork to reaped exit; the runtimes ran interleaved, %d iterations (concurrent: %d rounds). ", b.opt.n, b.opt.rounds)
	fmt.Fprintf(w, "maxrss is wait4's for the create command as GNU time reports it: the largest RSS of any one process among the command and the children it reaped, not a sum, and not the parked init (which outlives create); "+
		"VmHWM is the parked init's peak RSS since its last execve, from /proc; "+
		"the smallest memory.limit is bisected between %d KiB and %d KiB to %d KiB, success being `run` exiting 0 (near the threshold an OOM kill is not deterministic).\n",
		b.opt.memLo, b.opt.memHi, b.opt.memStep)
	notes := append(b.res.failures(names), b.notes...)
	if len(notes) == 0 {
		fmt.Fprintln(w, "No failures; no leaks (runtime list, state dirs and cgroup dirs checked after each benchmark).")
		return
	}
	fmt.Fprintln(w, "No leaks found unless listed below (runtime list, state dirs and cgroup dirs checked after each benchmark).")
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

func kernelRelease() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(data))
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// commandLine is os.Args, quoted where a shell would need it.
func commandLine() string {
	var parts []string
	for _, a := range os.Args {
		if a == "" || strings.ContainsAny(a, " \t'\"$`\\*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
