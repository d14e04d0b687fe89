package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// parallel runs fn(0..n-1) on c workers.
func parallel(n, c int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// lifecycle takes N containers through every step, one step for all of
// them at a time (so that N are alive together and list has N entries),
// by C callers, for R rounds over the same ids. Observers list and
// state-query the containers all along.
func (s *suite) lifecycle() {
	stop := make(chan struct{})
	var obs sync.WaitGroup
	ids := make([]string, s.opt.n)
	for i := range ids {
		ids[i] = s.id("c", i)
	}
	for w := 0; w < 2; w++ {
		obs.Add(1)
		go func() {
			defer obs.Done()
			s.observe(stop, ids)
		}()
	}
	n, c := s.opt.n, s.opt.c
	for round := 0; round < s.opt.rounds; round++ {
		parallel(n, c, func(i int) {
			if s.must("create", "--bundle", s.bundle, ids[i]).ok() {
				s.expectStatus(ids[i], "created")
			}
		})
		parallel(n, c, func(i int) {
			if s.must("start", ids[i]).ok() {
				s.expectStatus(ids[i], "running")
			}
		})
		parallel(n, c, func(i int) {
			s.must("exec", ids[i], "/bin/true")
		})
		parallel(n, c, func(i int) {
			s.must("kill", ids[i], "KILL")
		})
		parallel(n, c, func(i int) {
			s.waitStatus(ids[i], "stopped")
			s.must("delete", ids[i])
			s.expectGone(ids[i])
		})
		if left := s.checkList(true); len(left) > 0 {
			s.fail("lifecycle round %d: list after every delete shows %d containers, first %+v", round+1, len(left), left[0])
		}
		for _, id := range ids {
			s.expectClean(id, fmt.Sprintf("lifecycle round %d, after delete of %s", round+1, id))
		}
	}
	close(stop)
	obs.Wait()
}

// observe runs list, list --format json and state of random ids until
// stop: outputs must always parse and show only whole containers.
func (s *suite) observe(stop chan struct{}, ids []string) {
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		default:
		}
		switch k % 3 {
		case 0, 1:
			s.checkList(k%3 == 0)
		case 2:
			id := ids[rand.IntN(len(ids))]
			// Succeeds with a valid state, or fails "does not exist".
			if _, res := s.state(id); !res.ok() {
				if k := failureKind(res); k != "does not exist" {
					s.fail("%s: state of a container being created or deleted: expected success or \"does not exist\"", res)
				}
			}
		}
	}
}

// checkList runs list in one format, validates every entry and returns
// them.
func (s *suite) checkList(jsonFormat bool) []ociState {
	var res result
	var states []ociState
	if jsonFormat {
		res = s.must("list", "--format", "json")
		if !res.ok() {
			return nil
		}
		if err := json.Unmarshal([]byte(res.stdout), &states); err != nil {
			s.fail("%s: output is not a JSON array of states (%v): %q", res, err, res.stdout)
			return nil
		}
	} else {
		res = s.must("list")
		if !res.ok() {
			return nil
		}
		lines := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
		if len(lines) == 0 || strings.Join(strings.Fields(lines[0]), " ") != "ID PID STATUS BUNDLE CREATED OWNER" {
			s.fail("%s: no header line: %q", res, res.stdout)
			return nil
		}
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			if len(f) < 5 {
				s.fail("%s: half a row: %q", res, l)
				continue
			}
			pid, err := strconv.Atoi(f[1])
			if err != nil {
				s.fail("%s: pid %q in row %q", res, f[1], l)
				continue
			}
			states = append(states, ociState{OCIVersion: "-", ID: f[0], Pid: &pid, Status: f[2], Bundle: f[3], Created: f[4]})
		}
	}
	for _, st := range states {
		if p := checkState(st, s.bundle); p != "" {
			s.fail("%s: entry %+v: %s", res, st, p)
		}
		if !strings.HasPrefix(st.ID, s.prefix) {
			s.fail("%s: entry %q is not one of ours", res, st.ID)
		}
	}
	return states
}
