// Command stress runs skiff under concurrency and crashes, and checks that
// every command ends with success or a clear one-line error, that state
// and list always tell the truth, and that nothing is left on the host.
//
// Phases (-phases, comma-separated, all by default):
//
//	lifecycle  N containers created, started, exec'd into, killed and
//	           deleted by C concurrent callers, ids reused over R rounds,
//	           while observers run list, list --format json and state
//	races      commands racing on the same id: double delete --force,
//	           state during delete, exec during kill, create of an
//	           existing id, two creates, two starts, delete during
//	           pause, kill and delete racing
//	faults     skiff SIGKILLed during create (after each phase of the
//	           --debug timeline, and after T ms for a sweep of T), during
//	           start, exec and delete; then delete --force must clean up
//	stale      state.json pointing at a live unrelated process (pid reuse)
//
// Every container has its id prefixed with a per-run prefix and its state
// under a private --root in a temp dir; the run ends by checking that no
// process, cgroup directory, mount, state file or FIFO of it is left.
// Needs root.
//
//	go build -o _build/stress ./tests/stress && _build/stress -n 60 -c 8
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	skiff, rootfs string
	n, c, rounds  int
	races         int
	faultReps     int
	faultStep     time.Duration
	faultMax      time.Duration
	faultJobs     int
	timeout       time.Duration
	phases        string
	keep          bool
	verbose       bool
}

// envInt lets the Makefile and CI size a run without flags.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func main() {
	var o options
	flag.StringVar(&o.skiff, "skiff", "./skiff", "skiff binary")
	flag.StringVar(&o.rootfs, "rootfs", "_build/rootfs", "busybox rootfs (make rootfs)")
	flag.IntVar(&o.n, "n", envInt("STRESS_N", 200), "containers per lifecycle round (env STRESS_N)")
	flag.IntVar(&o.c, "c", envInt("STRESS_C", 16), "concurrent callers (env STRESS_C)")
	flag.IntVar(&o.rounds, "rounds", envInt("STRESS_ROUNDS", 2), "lifecycle rounds, reusing the ids (env STRESS_ROUNDS)")
	flag.IntVar(&o.races, "races", envInt("STRESS_RACES", 8), "repetitions of each same-id race (env STRESS_RACES)")
	flag.IntVar(&o.faultReps, "fault-reps", envInt("STRESS_FAULT_REPS", 2), "repetitions of each crash point (env STRESS_FAULT_REPS)")
	flag.DurationVar(&o.faultStep, "fault-step", 4*time.Millisecond, "step of the SIGKILL timing sweep")
	flag.DurationVar(&o.faultMax, "fault-max", 60*time.Millisecond, "end of the SIGKILL timing sweep")
	flag.IntVar(&o.faultJobs, "fault-jobs", 2, "crash experiments in flight at once")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "a command running longer is a hang")
	flag.StringVar(&o.phases, "phases", "lifecycle,races,faults,stale", "phases to run")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp dir (state, bundle) for a post-mortem")
	flag.BoolVar(&o.verbose, "v", false, "print every violation as it happens")
	flag.Parse()
	if err := mainErr(o); err != nil {
		fmt.Fprintln(os.Stderr, "stress:", err)
		os.Exit(1)
	}
}

// suite is one stress run.
type suite struct {
	opt    options
	r      *runner
	h      *host
	bundle string
	prefix string
	st     *stats
	vmu    sync.Mutex
	vio    []string
}

// fail records a violation: what was expected, and what happened.
func (s *suite) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.vmu.Lock()
	s.vio = append(s.vio, msg)
	s.vmu.Unlock()
	if s.opt.verbose {
		fmt.Fprintln(os.Stderr, "VIOLATION:", msg)
	}
}

func (s *suite) violations() int {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	return len(s.vio)
}

func (s *suite) id(kind string, i int) string {
	return fmt.Sprintf("%s%s%d", s.prefix, kind, i)
}

// skiff runs a command and checks how it reported its outcome.
func (s *suite) skiff(args ...string) result {
	res := s.r.run(args...)
	s.checkReport(res)
	return res
}

func (s *suite) checkReport(res result) {
	if p := errorProblem(res); p != "" {
		s.fail("%s: %s", res, p)
	}
}

// must runs a command that has no reason to fail.
func (s *suite) must(args ...string) result {
	res := s.skiff(args...)
	if !res.ok() && errorProblem(res) == "" {
		s.fail("%s: expected success", res)
	}
	return res
}

// state runs `skiff state id` and checks its output when it succeeds.
func (s *suite) state(id string) (ociState, result) {
	res := s.skiff("state", id)
	if !res.ok() {
		return ociState{}, res
	}
	st, err := parseState(res.stdout)
	if err != nil {
		s.fail("%s: output is not JSON (%v): %q", res, err, res.stdout)
		return st, res
	}
	if p := checkState(st, s.bundle); p != "" {
		s.fail("%s: bad state %s: %s", res, p, strings.TrimSpace(res.stdout))
	}
	if st.ID != id {
		s.fail("%s: state of %q", res, st.ID)
	}
	return st, res
}

// expectStatus checks that `state` says status.
func (s *suite) expectStatus(id, status string) ociState {
	st, res := s.state(id)
	if res.ok() && st.Status != status {
		s.fail("`skiff state %s`: status %q, expected %q", id, st.Status, status)
	}
	if !res.ok() && errorProblem(res) == "" {
		s.fail("%s: expected a %s container", res, status)
	}
	return st
}

// expectGone checks that state says the container does not exist.
func (s *suite) expectGone(id string) {
	_, res := s.state(id)
	if res.ok() || failureKind(res) != "does not exist" {
		s.fail("%s: expected \"does not exist\"", res)
	}
}

// waitStatus polls state until it says status (5 s).
func (s *suite) waitStatus(id, status string) bool {
	var last string
	for i := 0; i < 100; i++ {
		res := s.r.run("state", id)
		s.checkReport(res)
		if st, err := parseState(res.stdout); res.ok() && err == nil {
			if st.Status == status {
				return true
			}
			last = st.Status
		} else {
			last = strings.TrimSpace(res.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.fail("container %s never reached %q in 5 s (last: %s)", id, status, last)
	return false
}

// expectClean checks that nothing of id is left on the host.
func (s *suite) expectClean(id, after string) bool {
	left := s.h.waitClean(id, 3*time.Second)
	for _, l := range left {
		s.fail("%s: left behind: %s", after, l)
	}
	return len(left) == 0
}

func mainErr(o options) (err error) {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root")
	}
	if o.n < 1 || o.c < 1 || o.rounds < 1 {
		return fmt.Errorf("-n, -c, -rounds: want at least 1")
	}
	skiff, err := filepath.Abs(o.skiff)
	if err != nil {
		return err
	}
	rootfs, err := filepath.Abs(o.rootfs)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(rootfs, "bin/busybox")); err != nil {
		return fmt.Errorf("rootfs: %w (make rootfs)", err)
	}
	tmp, err := os.MkdirTemp("", "skiff-stress-")
	if err != nil {
		return err
	}
	os.Chmod(tmp, 0o755)
	var rnd [3]byte
	rand.Read(rnd[:])
	prefix := "ss" + hex.EncodeToString(rnd[:]) + "-"
	mark := "SKIFF_STRESS=" + tmp
	h, err := newHost(tmp, filepath.Join(tmp, "root"), prefix, mark, skiff)
	if err != nil {
		return err
	}
	st := newStats()
	s := &suite{
		opt:    o,
		h:      h,
		bundle: filepath.Join(tmp, "bundle"),
		prefix: prefix,
		st:     st,
		r: &runner{
			skiff:   skiff,
			root:    h.root,
			env:     append(os.Environ(), mark),
			tmp:     tmp,
			timeout: o.timeout,
			st:      st,
		},
	}

	// Interrupted or not, whatever is left is reported, then removed.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "stress: interrupted; cleaning up")
		h.scrub()
		os.RemoveAll(tmp)
		os.Exit(2)
	}()

	if err := s.makeBundle(rootfs); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	fmt.Printf("stress: skiff %s, root %s, ids %s*, n=%d c=%d rounds=%d races=%d fault-reps=%d\n",
		skiff, h.root, prefix, o.n, o.c, o.rounds, o.races, o.faultReps)

	t0 := time.Now()
	phases := map[string]func(){
		"lifecycle": s.lifecycle,
		"races":     s.races,
		"faults":    s.faults,
		"stale":     s.stale,
	}
	for _, name := range strings.Split(o.phases, ",") {
		name = strings.TrimSpace(name)
		fn, ok := phases[name]
		if !ok {
			return fmt.Errorf("-phases: unknown phase %q", name)
		}
		t := time.Now()
		before := s.violations()
		fn()
		fmt.Printf("phase %-9s %6.1f s, %d violations\n", name, time.Since(t).Seconds(), s.violations()-before)
	}

	// The end: nothing of the run is left anywhere.
	for _, l := range h.waitClean("", 5*time.Second) {
		s.fail("end of run: left behind: %s", l)
	}
	wall := time.Since(t0)

	fmt.Println()
	st.report(os.Stdout)
	fmt.Printf("wall time: %.1f s\n", wall.Seconds())
	if len(s.vio) > 0 {
		fmt.Printf("\n%d VIOLATIONS:\n", len(s.vio))
		for _, v := range s.vio {
			fmt.Println("  - " + v)
		}
	}
	h.scrub()
	if o.keep {
		fmt.Printf("kept %s\n", tmp)
	} else {
		os.RemoveAll(tmp)
	}
	if len(s.vio) > 0 {
		return fmt.Errorf("%d violations", len(s.vio))
	}
	fmt.Println("stress: ok")
	return nil
}

// makeBundle writes the bundle every container shares: `skiff spec` with
// a long sleep as the process and our marker in its environment.
func (s *suite) makeBundle(rootfs string) error {
	if err := os.MkdirAll(s.bundle, 0o755); err != nil {
		return err
	}
	cp := exec.Command("cp", "-a", rootfs, filepath.Join(s.bundle, "rootfs"))
	if out, err := cp.CombinedOutput(); err != nil {
		return fmt.Errorf("copy rootfs: %v: %s", err, out)
	}
	if res := s.r.run("spec", "--bundle", s.bundle); !res.ok() {
		return fmt.Errorf("%s", res)
	}
	path := filepath.Join(s.bundle, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		return err
	}
	p := cfg["process"].(map[string]any)
	p["terminal"] = false
	p["args"] = []string{"sleep", "3600"}
	p["env"] = append(p["env"].([]any), s.h.mark)
	data, err = json.MarshalIndent(cfg, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
