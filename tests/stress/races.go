package main

import (
	"fmt"
	"sync"
)

// together runs the functions at once and waits for all.
func together(fns ...func()) {
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
		}()
	}
	wg.Wait()
}

// race is one scenario of commands racing on the same id.
type race struct {
	name string
	run  func(s *suite, id string)
}

var racesList = []race{
	{"two delete --force", func(s *suite, id string) {
		if !s.createStart(id, true) {
			return
		}
		var a, b result
		together(
			func() { a = s.skiff("delete", "--force", id) },
			func() { b = s.skiff("delete", "--force", id) },
		)
		for _, r := range []result{a, b} {
			if !r.ok() {
				s.fail("%s: racing delete --force: both must succeed", r)
			}
		}
		s.expectGone(id)
	}},
	{"state during delete", func(s *suite, id string) {
		if !s.createStart(id, true) {
			return
		}
		together(
			func() { s.must("delete", "--force", id) },
			func() {
				for i := 0; i < 6; i++ {
					if _, r := s.state(id); !r.ok() && failureKind(r) != "does not exist" {
						s.fail("%s: state during delete: expected a state or \"does not exist\"", r)
					}
				}
			},
		)
	}},
	{"exec during kill", func(s *suite, id string) {
		if !s.createStart(id, true) {
			return
		}
		var e1, e2, k result
		together(
			func() { e1 = s.skiff("exec", id, "/bin/true") },
			func() { e2 = s.skiff("exec", id, "/bin/true") },
			func() { k = s.skiff("kill", id, "KILL") },
		)
		if !k.ok() {
			s.fail("%s: kill of a running container during exec: expected success", k)
		}
		_, _ = e1, e2 // success or a clear error, checked by skiff()
		if s.waitStatus(id, "stopped") {
			s.must("delete", id)
		}
	}},
	{"create of an existing id", func(s *suite, id string) {
		if !s.createStart(id, false) {
			return
		}
		before, _ := s.state(id)
		r := s.skiff("create", "--bundle", s.bundle, id)
		if r.ok() || failureKind(r) != "already exists" {
			s.fail("%s: create of an existing id: expected \"already exists\"", r)
		}
		after := s.expectStatus(id, "created")
		if before.Pid != nil && after.Pid != nil && *before.Pid != *after.Pid {
			s.fail("create of existing %s changed its pid from %d to %d", id, *before.Pid, *after.Pid)
		}
	}},
	{"two creates", func(s *suite, id string) {
		var a, b result
		together(
			func() { a = s.skiff("create", "--bundle", s.bundle, id) },
			func() { b = s.skiff("create", "--bundle", s.bundle, id) },
		)
		if a.ok() == b.ok() {
			s.fail("two creates of %s: expected exactly one success: %s; %s", id, a, b)
		}
		for _, r := range []result{a, b} {
			if !r.ok() && failureKind(r) != "already exists" {
				s.fail("%s: the losing create: expected \"already exists\"", r)
			}
		}
		s.expectStatus(id, "created")
	}},
	{"two starts", func(s *suite, id string) {
		if !s.createStart(id, false) {
			return
		}
		var a, b result
		together(
			func() { a = s.skiff("start", id) },
			func() { b = s.skiff("start", id) },
		)
		if a.ok() == b.ok() {
			s.fail("two starts of %s: expected exactly one success: %s; %s", id, a, b)
		}
		for _, r := range []result{a, b} {
			if !r.ok() && failureKind(r) != "wrong status" {
				s.fail("%s: the losing start: expected \"it is running\"", r)
			}
		}
		s.expectStatus(id, "running")
	}},
	{"delete --force of a paused container during resume", func(s *suite, id string) {
		if !s.createStart(id, true) || !s.must("pause", id).ok() {
			return
		}
		s.expectStatus(id, "paused")
		together(
			func() { s.must("delete", "--force", id) },
			func() { s.skiff("resume", id) },
		)
	}},
	{"kill during delete", func(s *suite, id string) {
		if !s.createStart(id, true) {
			return
		}
		var k, d result
		together(
			func() { k = s.skiff("kill", id, "KILL") },
			func() { d = s.skiff("delete", id) },
		)
		if !k.ok() {
			s.fail("%s: kill of a running container: expected success", k)
		}
		if !d.ok() && failureKind(d) != "wrong status" {
			s.fail("%s: delete racing kill: expected success or \"not stopped\"", d)
		}
	}},
	{"start during delete --force", func(s *suite, id string) {
		if !s.createStart(id, false) {
			return
		}
		var st result
		together(
			func() { s.must("delete", "--force", id) },
			func() { st = s.skiff("start", id) },
		)
		if !st.ok() && failureKind(st) != "does not exist" && failureKind(st) != "wrong status" {
			s.fail("%s: start racing delete: expected success, \"does not exist\" or a wrong status", st)
		}
	}},
}

// createStart makes id a created (start=false) or running container.
func (s *suite) createStart(id string, start bool) bool {
	if !s.must("create", "--bundle", s.bundle, id).ok() {
		return false
	}
	return !start || s.must("start", id).ok()
}

// races runs every scenario -races times, the instances in parallel.
func (s *suite) races() {
	type job struct {
		r race
		i int
	}
	var jobs []job
	for i := 0; i < s.opt.races; i++ {
		for _, r := range racesList {
			jobs = append(jobs, job{r, i})
		}
	}
	parallel(len(jobs), s.opt.c, func(k int) {
		j := jobs[k]
		id := s.id("r", k)
		j.r.run(s, id)
		// Whatever the race left, a delete --force removes it.
		if r := s.skiff("delete", "--force", id); !r.ok() {
			s.fail("%s: after race %q: expected success", r, j.r.name)
		}
		s.expectClean(id, fmt.Sprintf("race %q on %s, then delete --force", j.r.name, id))
	})
}
