package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// result is one skiff command as it ended.
type result struct {
	args     []string
	stdout   string
	stderr   string
	code     int  // exit code; -1 when a signal ended it
	killed   bool // we sent SIGKILL on purpose (fault injection)
	timedOut bool // it ran past -timeout and we killed it: a hang
	err      error
	dur      time.Duration
}

func (r result) ok() bool { return r.err == nil && r.code == 0 && !r.timedOut }

func (r result) String() string {
	s := fmt.Sprintf("`skiff %s`: exit %d", strings.Join(r.args, " "), r.code)
	if r.killed {
		s += " (SIGKILLed by the stress driver)"
	}
	if r.timedOut {
		s += " (TIMED OUT)"
	}
	if r.err != nil {
		s += fmt.Sprintf(", %v", r.err)
	}
	if e := strings.TrimSpace(r.stderr); e != "" {
		s += fmt.Sprintf(", stderr %q", e)
	}
	return s
}

// runner runs the skiff binary against the stress run's state root.
// Output goes to unlinked temp files, not pipes: a container's init
// inherits skiff's stdout and stderr and keeps them open while parked,
// so reading a pipe to its end would wait for the container.
type runner struct {
	skiff   string
	root    string
	env     []string
	tmp     string
	timeout time.Duration
	st      *stats
}

func (r *runner) command(args []string) *exec.Cmd {
	cmd := exec.Command(r.skiff, append([]string{"--root", r.root}, args...)...)
	cmd.Env = r.env
	return cmd
}

// run runs skiff with args to its end.
func (r *runner) run(args ...string) result {
	return r.runFault(args, nil)
}

// runKillAfter runs skiff and SIGKILLs it after d unless it ended first.
func (r *runner) runKillAfter(d time.Duration, args ...string) result {
	return r.runFault(args, func(cmd *exec.Cmd, kill func()) func() {
		return func() { time.AfterFunc(d, kill) }
	})
}

// runKillOnLine runs skiff with --debug and SIGKILLs it as soon as a
// line of its stderr contains marker: the debug timeline of create
// prints one line as each phase ends, which makes a crash point.
func (r *runner) runKillOnLine(marker string, args ...string) (res result, seen bool) {
	var mu sync.Mutex
	var buf bytes.Buffer
	res = r.runFault(append([]string{"--debug"}, args...), func(cmd *exec.Cmd, kill func()) func() {
		pr, pw, err := os.Pipe()
		if err != nil {
			return nil
		}
		cmd.Stderr = pw
		go func() {
			// Drained until every holder closes it, init included;
			// closing our end early would hand init an EPIPE.
			defer pr.Close()
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				line := sc.Text()
				if strings.Contains(line, marker) {
					kill()
					mu.Lock()
					seen = true
					mu.Unlock()
				}
				mu.Lock()
				buf.WriteString(line + "\n")
				mu.Unlock()
			}
		}()
		// Our copy of the write end goes once skiff has its own.
		return func() { pw.Close() }
	})
	time.Sleep(20 * time.Millisecond) // the last lines in flight
	mu.Lock()
	defer mu.Unlock()
	res.stderr = buf.String()
	return res, seen
}

// runFault runs skiff. fault, when set, may change cmd before the start
// and return what to do right after it (arm a kill).
func (r *runner) runFault(args []string, fault func(cmd *exec.Cmd, kill func()) func()) result {
	res := result{args: args}
	cmd := r.command(args)
	stdout, err1 := tempOut(r.tmp)
	stderr, err2 := tempOut(r.tmp)
	if err1 != nil || err2 != nil {
		res.err = fmt.Errorf("output files: %v %v", err1, err2)
		res.code = -1
		return res
	}
	defer stdout.Close()
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr

	var mu sync.Mutex
	started := false
	done := false
	kill := func() {
		mu.Lock()
		defer mu.Unlock()
		if started && !done && !res.killed {
			res.killed = true
			cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	var afterStart func()
	if fault != nil {
		afterStart = fault(cmd, kill)
	}
	t0 := time.Now()
	err := cmd.Start()
	mu.Lock()
	started = err == nil
	mu.Unlock()
	if afterStart != nil {
		afterStart()
	}
	if err != nil {
		res.err = err
		res.code = -1
		return res
	}
	hang := time.AfterFunc(r.timeout, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			res.timedOut = true
			cmd.Process.Signal(syscall.SIGKILL)
		}
	})
	werr := cmd.Wait()
	hang.Stop()
	mu.Lock()
	done = true
	mu.Unlock()
	res.dur = time.Since(t0)
	res.code = cmd.ProcessState.ExitCode()
	// A kill that came after the exit did nothing.
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	res.killed = res.killed && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	if werr != nil {
		if _, ok := werr.(*exec.ExitError); !ok {
			res.err = werr
		}
	}
	res.stdout = readAll(stdout)
	if f, ok := cmd.Stderr.(*os.File); ok && f == stderr {
		res.stderr = readAll(stderr)
	}
	r.st.command(args, res)
	return res
}

func tempOut(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "out-")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

func readAll(f *os.File) string {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ""
	}
	data, _ := io.ReadAll(f)
	return string(data)
}

// verb is the skiff subcommand in args (after global flags).
func verb(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return "?"
}

// crashMarkers in any output mean skiff crashed rather than failed.
var crashMarkers = []string{"panic:", "goroutine ", "SIGSEGV", "fatal error:", "runtime error:"}

// errorProblem tells what is wrong with how a command reported its
// outcome, or "" when it is fine: no crash trace anywhere, and a failure
// is exactly one line "skiff: ..." on stderr.
func errorProblem(res result) string {
	for _, m := range crashMarkers {
		if strings.Contains(res.stderr, m) || strings.Contains(res.stdout, m) {
			return fmt.Sprintf("crash trace (%q) in output", m)
		}
	}
	if res.timedOut {
		return "hang: no exit within the timeout"
	}
	if res.killed || res.ok() || res.err != nil {
		return ""
	}
	msg := strings.TrimRight(res.stderr, "\n")
	if verb(res.args) == "exec" && msg == "" && res.code > 128 {
		return "" // the exec'd process died of a signal (the container was killed)
	}
	switch {
	case msg == "":
		return "failed without an error message"
	case strings.Contains(msg, "\n"):
		return "error message is more than one line"
	case !strings.HasPrefix(msg, "skiff: "):
		return `error message does not start with "skiff: "`
	}
	return ""
}

// failureKinds sort the clear errors a command may end with when it
// races with another one on the same container.
var failureKinds = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"does not exist", regexp.MustCompile(`does not exist`)},
	{"already exists", regexp.MustCompile(`already exists`)},
	{"wrong status", regexp.MustCompile(`: it is (created|running|stopped|paused)|is not running|that is not stopped|wrong status`)},
	{"init died before start", regexp.MustCompile(`init exited before start`)},
	{"exec'd process killed", regexp.MustCompile(`^$`)},
}

func failureKind(res result) string {
	msg := strings.TrimSpace(res.stderr)
	for _, k := range failureKinds {
		if k.re.MatchString(msg) {
			return k.kind
		}
	}
	return "other"
}

var (
	reNumber = regexp.MustCompile(`\b\d+\b`)
	reQuoted = regexp.MustCompile(`"[^"]*"`)
)

// shape of an error message: ids and numbers blanked, to count alike ones.
func shape(msg string) string {
	msg = reQuoted.ReplaceAllString(strings.TrimSpace(msg), `"ID"`)
	return reNumber.ReplaceAllString(msg, "N")
}

// stats counts commands, successes, and failures by verb and kind.
type stats struct {
	mu       sync.Mutex
	total    int
	ok       int
	byVerb   map[string][2]int // runs, successes
	killed   int
	failures map[string]map[string]int // kind → message shape → count
}

func newStats() *stats {
	return &stats{byVerb: map[string][2]int{}, failures: map[string]map[string]int{}}
}

func (s *stats) command(args []string, res result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	v := verb(args)
	c := s.byVerb[v]
	c[0]++
	switch {
	case res.killed:
		s.killed++
	case res.ok():
		s.ok++
		c[1]++
	default:
		k := failureKind(res)
		if s.failures[k] == nil {
			s.failures[k] = map[string]int{}
		}
		msg := shape(res.stderr)
		if msg == "" {
			msg = fmt.Sprintf("(no message; exit %d)", res.code)
		}
		s.failures[k][v+": "+msg]++
	}
	s.byVerb[v] = c
}

func (s *stats) report(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "commands: %d run, %d succeeded, %d SIGKILLed on purpose, %d failed\n", s.total, s.ok, s.killed, s.total-s.ok-s.killed)
	var verbs []string
	for v := range s.byVerb {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	var parts []string
	for _, v := range verbs {
		c := s.byVerb[v]
		parts = append(parts, fmt.Sprintf("%s %d/%d", v, c[1], c[0]))
	}
	fmt.Fprintf(w, "  succeeded/run by verb: %s\n", strings.Join(parts, ", "))
	var kinds []string
	for k := range s.failures {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		n := 0
		var shapes []string
		for m, c := range s.failures[k] {
			n += c
			shapes = append(shapes, fmt.Sprintf("      %4d  %s", c, m))
		}
		sort.Strings(shapes)
		fmt.Fprintf(w, "  failures, %s: %d\n%s\n", k, n, strings.Join(shapes, "\n"))
	}
}

// ociState is `skiff state` output and one entry of `list --format json`.
type ociState struct {
	OCIVersion string `json:"ociVersion"`
	ID         string `json:"id"`
	Pid        *int   `json:"pid"`
	Status     string `json:"status"`
	Bundle     string `json:"bundle"`
	Rootfs     string `json:"rootfs"`
	Created    string `json:"created"`
}

var validStatus = map[string]bool{"creating": true, "created": true, "running": true, "paused": true, "stopped": true}

// checkState validates one state record; "" when it is well-formed.
func checkState(s ociState, bundle string) string {
	switch {
	case s.ID == "":
		return "no id"
	case s.Pid == nil:
		return "no pid"
	case !validStatus[s.Status]:
		return fmt.Sprintf("status %q is not a valid one", s.Status)
	case s.Bundle != bundle:
		return fmt.Sprintf("bundle %q, want %q", s.Bundle, bundle)
	case s.Status == "stopped" && *s.Pid != 0:
		return fmt.Sprintf("stopped with pid %d", *s.Pid)
	case s.Status != "stopped" && s.Status != "creating" && *s.Pid <= 0:
		// runtime.md: pid is REQUIRED for created and running only.
		return fmt.Sprintf("%s with pid %d", s.Status, *s.Pid)
	case s.Created == "" || s.OCIVersion == "":
		return "no created time or ociVersion"
	}
	return ""
}

func parseState(out string) (ociState, error) {
	var s ociState
	err := json.Unmarshal([]byte(out), &s)
	return s, err
}
