package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// stale simulates pid reuse and a reboot: a stopped container's
// state.json is made to point at a live process that is not its init
// (same pid, another start time). state must say stopped, and neither
// kill, kill --all, delete nor delete --force may signal that process.
func (s *suite) stale() {
	variants := []struct {
		name        string
		rmCgroup    bool // the cgroup is gone, as after a reboot
		forceDelete bool
	}{
		{"pid reused", false, false},
		{"pid reused, delete --force", false, true},
		{"reboot: pid reused, cgroup gone", true, true},
	}
	for i, v := range variants {
		id := s.id("s", i)
		s.staleOne(id, v.name, v.rmCgroup, v.forceDelete)
		s.skiff("delete", "--force", id)
		if !s.expectClean(id, "stale state ("+v.name+")") {
			s.scrubID(id)
		}
	}
}

func (s *suite) staleOne(id, name string, rmCgroup, forceDelete bool) {
	what := fmt.Sprintf("stale state (%s), container %s", name, id)
	if !s.createStart(id, true) || !s.must("kill", id, "KILL").ok() || !s.waitStatus(id, "stopped") {
		return
	}
	// An unrelated process, not ours as far as the clean checks go.
	victim := exec.Command("sleep", "600")
	if err := victim.Start(); err != nil {
		s.fail("%s: start a victim process: %v", what, err)
		return
	}
	exited := make(chan struct{})
	go func() { victim.Wait(); close(exited) }()
	defer func() {
		victim.Process.Kill()
		<-exited
	}()
	vpid := victim.Process.Pid
	_, vstart, err := statOf(vpid)
	if err != nil {
		s.fail("%s: stat victim: %v", what, err)
		return
	}

	path := filepath.Join(s.h.root, id, "state.json")
	data, err := os.ReadFile(path)
	if err != nil {
		s.fail("%s: read state.json: %v", what, err)
		return
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		s.fail("%s: state.json: %v", what, err)
		return
	}
	st["pid"] = vpid
	st["startTime"] = vstart + 1
	if data, err = json.Marshal(st); err != nil {
		s.fail("%s: %v", what, err)
		return
	}
	// As skiff writes it: a temp file renamed over.
	if err := os.WriteFile(path+".stress", data, 0o600); err != nil || os.Rename(path+".stress", path) != nil {
		s.fail("%s: write state.json: %v", what, err)
		return
	}
	if rmCgroup {
		for _, d := range s.h.cgroupDirs(id) {
			if err := syscall.Rmdir(d); err != nil {
				s.fail("%s: remove %s: %v", what, d, err)
			}
		}
	}

	alive := func(after string) bool {
		select {
		case <-exited:
			s.fail("%s: %s SIGNALLED THE UNRELATED PROCESS %d that reused the pid (it died)", what, after, vpid)
			return false
		case <-time.After(100 * time.Millisecond):
			return true
		}
	}
	s.expectStatus(id, "stopped")
	for _, e := range s.checkList(true) {
		if e.ID == id && e.Status != "stopped" {
			s.fail("%s: list says %q, expected stopped", what, e.Status)
		}
	}
	if r := s.skiff("kill", id, "KILL"); r.ok() || failureKind(r) != "wrong status" {
		s.fail("%s: %s: expected \"not running\"", what, r)
	}
	if !alive("`kill " + id + " KILL`") {
		return
	}
	s.skiff("kill", "--all", id, "KILL") // the victim is in no cgroup of ours
	if !alive("`kill --all " + id + " KILL`") {
		return
	}
	args := []string{"delete", id}
	if forceDelete {
		args = []string{"delete", "--force", id}
	}
	s.must(args...)
	alive(fmt.Sprintf("`%v`", args))
	s.expectGone(id)
}
