package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// createPhases are the lines of create's --debug timeline, in order
// (internal/container/timeline.go marks; "rootfs" and "hooks" only with
// hooks). Killing skiff as one is printed crashes it at the start of the
// next phase, give or take the latency of the pipe.
var createPhases = []string{"load config", "cgroup", "start init", "namespaces", "join cgroup", "init ready", "save state"}

// crash is one fault experiment: set up id, run the verb under a kill.
type crash struct {
	verb  string
	setup string // "", "created" or "running"
	at    time.Duration
	phase string // kill on this timeline line instead of after at
	rep   int
}

func (c crash) String() string {
	if c.phase != "" {
		return fmt.Sprintf("SIGKILL of `%s` after its %q phase", c.verb, c.phase)
	}
	return fmt.Sprintf("SIGKILL of `%s` (%s container) after %s", c.verb, or(c.setup, "no"), c.at)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *suite) faults() {
	var crashes []crash
	for rep := 0; rep < s.opt.faultReps; rep++ {
		for _, p := range createPhases {
			crashes = append(crashes, crash{verb: "create", phase: p, rep: rep})
		}
		for t := time.Duration(0); t <= s.opt.faultMax; t += s.opt.faultStep {
			crashes = append(crashes,
				crash{verb: "create", at: t, rep: rep},
				crash{verb: "start", setup: "created", at: t, rep: rep},
				crash{verb: "exec", setup: "running", at: t, rep: rep},
				crash{verb: "delete", setup: "running", at: t, rep: rep},
			)
		}
	}
	parallel(len(crashes), s.opt.faultJobs, func(i int) {
		s.crashOne(crashes[i], s.id("f", i))
	})
}

// savedState is what state.json says of init, read behind skiff's back.
type savedState struct {
	Pid       int    `json:"pid"`
	StartTime uint64 `json:"startTime"`
	InCreate  bool   `json:"inCreate"` // saved by a create that did not finish
}

func (s *suite) readSaved(id string) (savedState, error) {
	var st savedState
	data, err := os.ReadFile(filepath.Join(s.h.root, id, "state.json"))
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(data, &st)
}

// initAlive is the truth about a container's init, from /proc.
func initAlive(st savedState) bool {
	state, start, err := statOf(st.Pid)
	return st.Pid > 0 && err == nil && state != "Z" && start == st.StartTime
}

func (s *suite) crashOne(c crash, id string) {
	what := fmt.Sprintf("%s, container %s", c, id)
	if c.setup != "" && !s.createStart(id, c.setup == "running") {
		return
	}
	var res result
	switch c.verb {
	case "create":
		args := []string{"create", "--bundle", s.bundle, id}
		if c.phase != "" {
			var seen bool
			res, seen = s.r.runKillOnLine(fmt.Sprintf("create %s: %s ", id, c.phase), args...)
			if !seen && !res.ok() {
				s.fail("%s: create failed before its %q phase: %s", what, c.phase, res)
			}
		} else {
			res = s.r.runKillAfter(c.at, args...)
		}
	case "start":
		res = s.r.runKillAfter(c.at, "start", id)
	case "exec":
		res = s.r.runKillAfter(c.at, "exec", id, "/bin/true")
	case "delete":
		res = s.r.runKillAfter(c.at, "delete", "--force", id)
	}
	s.checkReport(res)
	if !res.killed && !res.ok() {
		s.fail("%s: the command failed on its own: %s", what, res)
	}
	what += map[bool]string{true: " (killed)", false: " (it finished first)"}[res.killed]

	s.checkTruth(id, what)
	if c.verb == "exec" {
		s.checkNoStrays(id, what)
	}
	// A container whose init dies must read stopped, also after a crash.
	if c.rep%2 == 1 {
		if st, err := s.readSaved(id); err == nil && initAlive(st) {
			syscall.Kill(st.Pid, syscall.SIGKILL)
			for i := 0; i < 100 && initAlive(st); i++ {
				time.Sleep(20 * time.Millisecond)
			}
			if _, r := s.state(id); r.ok() {
				s.expectStatus(id, "stopped")
			}
			s.checkTruth(id, what+", then init SIGKILLed")
		}
	}

	if r := s.skiff("delete", "--force", id); !r.ok() {
		s.fail("%s: then %s: expected success", what, r)
	}
	s.expectGone(id)
	clean := s.expectClean(id, what+", then `delete --force`")
	if !clean {
		// What the leak costs: is the id still usable?
		if r := s.skiff("create", "--bundle", s.bundle, id); !r.ok() {
			s.fail("%s, then `delete --force`: the id is unusable: %s", what, r)
		} else {
			s.skiff("delete", "--force", id)
		}
		s.scrubID(id)
		return
	}
	// The id is free again.
	if r := s.skiff("create", "--bundle", s.bundle, id); !r.ok() {
		s.fail("%s: then delete --force and create again: %s: expected success", what, r)
	}
	s.skiff("delete", "--force", id)
	if !s.expectClean(id, what+", then create and delete --force again") {
		s.scrubID(id)
	}
}

// checkTruth compares what state and list say about id with the facts:
// state.json written or not, init alive or not. Init may still be dying
// from a SIGKILL the killed command sent (exiting a pid namespace takes
// milliseconds), so the facts are read before and after asking skiff; if
// init died in between, either answer is true to some moment.
func (s *suite) checkTruth(id, what string) {
	saved, err := s.readSaved(id)
	written := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.fail("%s: state.json unreadable: %v", what, err)
		return
	}
	// A create that died before its last save made a container that
	// can only be deleted: "stopped", whatever it left running (delete
	// removes that too).
	runnable := written && !saved.InCreate
	aliveBefore := runnable && initAlive(saved)

	st, res := s.state(id)
	var listed []string
	for _, e := range s.checkList(true) {
		if e.ID == id {
			listed = append(listed, e.Status)
		}
	}
	aliveAfter := runnable && initAlive(saved)

	want := "stopped"
	switch {
	case aliveBefore && aliveAfter:
		want = "created or running"
	case aliveBefore:
		want = "created, running or stopped (init died meanwhile)"
	}
	match := func(status string) bool {
		live := status == "created" || status == "running"
		switch {
		case aliveBefore && aliveAfter:
			return live
		case aliveBefore:
			return live || status == "stopped"
		}
		return status == "stopped"
	}
	switch {
	case !written && res.ok():
		s.fail("%s: no state.json, yet %s: %s", what, res, res.stdout)
	case !written && failureKind(res) != "does not exist":
		s.fail("%s: no state.json: %s: expected \"does not exist\"", what, res)
	case written && !res.ok():
		s.fail("%s: state.json written: %s: expected a state", what, res)
	case written && !match(st.Status):
		s.fail("%s: `state` says %q, the facts say %s (pid %d)", what, st.Status, want, saved.Pid)
	}
	for _, status := range listed {
		if !written {
			s.fail("%s: no state.json, yet list shows %s as %q", what, id, status)
		} else if !match(status) {
			s.fail("%s: list says %q, the facts say %s (pid %d)", what, status, want, saved.Pid)
		}
	}
	if written && len(listed) == 0 {
		s.fail("%s: state.json written, but list does not show %s", what, id)
	}
}

// checkNoStrays: an exec killed midway must not leave a half-started
// process in the container, which runs on: once /bin/true had its
// chance to finish, only init is left in the container's cgroup.
func (s *suite) checkNoStrays(id, what string) {
	saved, err := s.readSaved(id)
	if err != nil {
		return
	}
	var strays []string
	for i := 0; i < 40; i++ {
		strays = nil
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			var pid int
			if _, err := fmt.Sscan(e.Name(), &pid); err != nil || pid == saved.Pid {
				continue
			}
			if p, ok := readProc(pid); ok && s.h.inCgroup(p, id) {
				state, _, _ := statOf(pid)
				strays = append(strays, fmt.Sprintf("process %d %q (state %s)", pid, p.cmdline, state))
			}
		}
		if len(strays) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, p := range strays {
		s.fail("%s: 2 s later, still in the running container besides init: %s", what, p)
	}
}

// scrubID removes what a failed experiment left of id, once reported, so
// that one leak is reported once and later experiments start clean.
func (s *suite) scrubID(id string) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if p, ok := readProc(pid); ok && s.h.why(p, id) != "" {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	time.Sleep(100 * time.Millisecond)
	for _, d := range s.h.cgroupDirs(id) {
		syscall.Rmdir(d)
	}
	os.RemoveAll(filepath.Join(s.h.root, id))
}
