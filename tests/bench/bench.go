package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bench holds one run of the driver: the runtimes still in the race, the
// samples, and the notes printed under the table.
type bench struct {
	ctx  context.Context
	rts  []*ociRuntime
	res  *results
	opt  options
	base map[string]any // config.json from `skiff spec`
	// seccomp is the profile of run-seccomp, decoded; nil skips it.
	seccomp any
	notes   []string
}

func (b *bench) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// rotate returns the runtimes in round-robin order starting at i, so that
// no runtime always goes first (or right after another) in an iteration.
func (b *bench) rotate(i int) []*ociRuntime {
	n := len(b.rts)
	out := make([]*ociRuntime, 0, n)
	for k := 0; k < n; k++ {
		out = append(out, b.rts[(i+k)%n])
	}
	return out
}

// benchRun times `run` of /bin/true: create, start, wait for the exit and
// delete, all in one command, N times per runtime, interleaved.
func (b *bench) benchRun() {
	b.runEach("run /bin/true", "run", func(r *ociRuntime) string { return r.bundleTrue })
}

// benchRunSeccomp is benchRun with Docker's default seccomp profile, which
// every container under Docker, Podman or Kubernetes' RuntimeDefault
// gets: the runtime must compile it into BPF (or remember it).
func (b *bench) benchRunSeccomp() {
	if b.seccomp == nil {
		b.note("run-seccomp: skipped: no -seccomp-profile")
		return
	}
	b.runEach("run /bin/true, Docker's seccomp profile", "runsc", func(r *ociRuntime) string { return r.bundleSeccomp })
}

func (b *bench) runEach(name, tag string, bundle func(*ociRuntime) string) {
	for i := 0; i < b.opt.n && b.ctx.Err() == nil; i++ {
		for _, r := range b.rotate(i) {
			s := b.res.get(name, r.name, millis)
			id := r.id(tag, i)
			r.track(id)
			d, _, err := r.command(b.ctx, "run", "--bundle", bundle(r), id)
			if err != nil {
				s.fail(err)
				r.forceDelete(context.Background(), id)
				continue
			}
			s.addDuration(d)
		}
	}
	b.checkLeaks(name, tag)
}

// benchPhases times each lifecycle command alone on a container running
// sleep: create, start, state, kill (SIGKILL), and delete once stopped.
func (b *bench) benchPhases() {
	for i := 0; i < b.opt.n && b.ctx.Err() == nil; i++ {
		for _, r := range b.rotate(i) {
			id := r.id("ph", i)
			steps := []struct {
				name string
				args []string
			}{
				{"create (sleep)", []string{"create", "--bundle", r.bundleSleep, id}},
				{"start", []string{"start", id}},
				{"state", []string{"state", id}},
				{"kill KILL", []string{"kill", id, "KILL"}},
				{"delete", []string{"delete", id}},
			}
			r.track(id)
			ok := true
			for _, st := range steps {
				s := b.res.get(st.name, r.name, millis)
				if st.name == "delete" {
					// Untimed: kill returns once the signal is sent.
					if err := r.waitStopped(b.ctx, id); err != nil {
						s.fail(err)
						ok = false
						break
					}
				}
				d, _, err := r.command(b.ctx, st.args...)
				if err != nil {
					s.fail(err)
					ok = false
					break
				}
				s.addDuration(d)
			}
			if !ok {
				r.forceDelete(context.Background(), id)
			}
		}
	}
	b.checkLeaks("create … delete", "ph")
}

// benchExec times `exec ID /bin/true` into one running sleep container
// per runtime.
func (b *bench) benchExec() {
	const name = "exec /bin/true"
	ready := map[*ociRuntime]string{}
	for _, r := range b.rts {
		id := r.id("exec", 0)
		r.track(id)
		_, _, err := r.command(b.ctx, "create", "--bundle", r.bundleSleep, id)
		if err == nil {
			_, _, err = r.command(b.ctx, "start", id)
		}
		if err != nil {
			b.res.get(name, r.name, millis).fail(fmt.Errorf("container to exec into: %w", err))
			r.forceDelete(context.Background(), id)
			continue
		}
		ready[r] = id
	}
	for i := 0; i < b.opt.n && b.ctx.Err() == nil; i++ {
		for _, r := range b.rotate(i) {
			id, ok := ready[r]
			if !ok {
				continue
			}
			s := b.res.get(name, r.name, millis)
			d, _, err := r.command(b.ctx, "exec", id, "/bin/true")
			if err != nil {
				s.fail(err)
				continue
			}
			s.addDuration(d)
		}
	}
	for r, id := range ready {
		if err := r.forceDelete(context.Background(), id); err != nil {
			b.note("%s: delete --force of the exec container: `%v`", r.name, err)
		}
	}
	b.checkLeaks(name, "exec")
}

// benchConcurrent times batches of opt.conc containers, opt.jobs at a
// time, each created, started and deleted with --force; every batch is
// followed by a leak check. Rounds go round-robin across runtimes.
func (b *bench) benchConcurrent() {
	name := fmt.Sprintf("%d × create+start+delete -f, %d at a time (wall)", b.opt.conc, b.opt.jobs)
	for round := 0; round < b.opt.rounds && b.ctx.Err() == nil; round++ {
		for _, r := range b.rotate(round) {
			s := b.res.get(name, r.name, seconds)
			tag := fmt.Sprintf("c%d-", round)
			d, failed, err := b.batch(r, tag)
			if err != nil {
				s.fail(fmt.Errorf("%d of %d containers failed, first: %w", failed, b.opt.conc, err))
			} else {
				s.addDuration(d)
			}
			for _, leak := range b.leaks(r, r.prefix+"-"+tag) {
				b.note("leak after %s, round %d, %s: %s", name, round, r.name, leak)
			}
		}
	}
}

// batch runs one concurrent batch and returns its wall time, how many
// containers failed, and the first failure.
func (b *bench) batch(r *ociRuntime, tag string) (time.Duration, int, error) {
	ids := make(chan string)
	var (
		mu       sync.Mutex
		failed   int
		firstErr error
		wg       sync.WaitGroup
	)
	t0 := time.Now()
	for w := 0; w < b.opt.jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				r.track(id)
				var err error
				for _, args := range [][]string{
					{"create", "--bundle", r.bundleSleep, id},
					{"start", id},
					{"delete", "--force", id},
				} {
					if _, _, err = r.command(b.ctx, args...); err != nil {
						break
					}
				}
				if err == nil {
					r.forget(id)
					continue
				}
				mu.Lock()
				failed++
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for j := 0; j < b.opt.conc && b.ctx.Err() == nil; j++ {
		ids <- r.id(tag, j)
	}
	close(ids)
	wg.Wait()
	d := time.Since(t0)
	if failed > 0 {
		r.cleanup(context.Background())
	}
	return d, failed, firstErr
}

// benchMemory measures what create costs in memory, then bisects the
// smallest memory limit under which `run /bin/true` exits 0.
func (b *bench) benchMemory() {
	b.benchCreateRSS()
	b.bisectMemoryLimit()
}

// benchCreateRSS records, per create:
//   - maxrss from wait4 of the create command as GNU time reports it: the
//     largest resident set of any ONE process among the command and the
//     children it reaped (the kernel keeps a max, not a sum). It does not
//     include the container's init, which outlives create. GNU time is the
//     wrapper because a Go parent forks with CLONE_VM, and execve records
//     the hiwater RSS of the mm it leaves into the child's maxrss: the
//     driver's own RSS would show up as the runtime's.
//   - VmHWM of the parked init (the pid in `state` after create), read from
//     /proc: the peak RSS of that process since its last execve, charged to
//     the container's memory cgroup while it waits for start.
func (b *bench) benchCreateRSS() {
	const cmdName, initName = "create: peak RSS of the command (maxrss)", "create: parked init peak RSS (VmHWM)"
	timePath := gnuTime()
	if timePath == "" {
		b.note("%s: skipped: GNU time (/usr/bin/time, Debian package \"time\") is not installed", cmdName)
	} else {
		floor, err := maxRSS(timePath, "/bin/true")
		if err == nil {
			b.note("maxrss floor: `%s -f %%M /bin/true` reports %d KiB", timePath, floor)
		}
	}
	for i := 0; i < b.opt.memN && b.ctx.Err() == nil; i++ {
		for _, r := range b.rotate(i) {
			id := r.id("rss", i)
			r.track(id)
			args := []string{"create", "--bundle", r.bundleSleep, id}
			var err error
			if timePath != "" {
				out := filepath.Join(r.dir, "maxrss")
				_, _, err = r.commandWrapped(b.ctx, []string{timePath, "-o", out, "-f", "%M"}, args...)
				if err != nil {
					b.res.get(cmdName, r.name, kib).fail(err)
				} else if kb, perr := readLastInt(out); perr != nil {
					b.res.get(cmdName, r.name, kib).fail(perr)
				} else {
					b.res.get(cmdName, r.name, kib).add(float64(kb))
				}
			} else {
				_, _, err = r.command(b.ctx, args...)
			}
			if err == nil {
				s := b.res.get(initName, r.name, kib)
				st, serr := r.state(b.ctx, id)
				if serr != nil {
					s.fail(serr)
				} else if hwm, herr := procStatusKiB(st.Pid, "VmHWM"); herr != nil {
					s.fail(herr)
				} else {
					s.add(float64(hwm))
				}
			}
			if derr := r.forceDelete(context.Background(), id); derr != nil {
				b.note("%s: `%v`", r.name, derr)
			}
		}
	}
	b.checkLeaks("create RSS", "rss")
}

// bisectMemoryLimit finds, per runtime, the smallest
// linux.resources.memory.limit (a multiple of opt.memStep KiB between
// opt.memLo and opt.memHi) at which `run /bin/true` exits 0. The runtimes
// take one bisection step each per round.
func (b *bench) bisectMemoryLimit() {
	const name = "smallest memory.limit for run /bin/true"
	type search struct {
		r      *ociRuntime
		lo, hi int // in steps: lo fails, hi succeeds, once both are tested
		stage  int // 0: test hi, 1: test lo, 2: bisect, 3: done
		loErr  string
		probes int
	}
	step := int64(b.opt.memStep) << 10
	var ss []*search
	for _, r := range b.rts {
		ss = append(ss, &search{r: r, lo: b.opt.memLo / b.opt.memStep, hi: b.opt.memHi / b.opt.memStep})
	}
	try := func(s *search, k int) (bool, error) {
		s.probes++
		if err := s.r.writeConfig(s.r.bundleMem, b.base, b.opt.rootfs, []string{"/bin/true"}, int64(k)*step); err != nil {
			return false, err
		}
		id := s.r.id("mem", s.probes)
		s.r.track(id)
		_, _, err := s.r.command(b.ctx, "run", "--bundle", s.r.bundleMem, id)
		if err != nil {
			s.r.forceDelete(context.Background(), id)
			return false, err
		}
		s.r.forget(id)
		return true, nil
	}
	for b.ctx.Err() == nil {
		active := 0
		for _, s := range ss {
			if s.stage == 3 {
				continue
			}
			active++
			res := b.res.get(name, s.r.name, kib)
			switch s.stage {
			case 0:
				if ok, err := try(s, s.hi); !ok {
					res.fail(err)
					res.text = fmt.Sprintf("> %s", res.format(float64(s.hi*b.opt.memStep)))
					s.stage = 3
				} else {
					s.stage = 1
				}
			case 1:
				if ok, err := try(s, s.lo); ok {
					res.add(float64(s.lo * b.opt.memStep))
					res.text = fmt.Sprintf("≤ %s", res.format(float64(s.lo*b.opt.memStep)))
					s.stage = 3
				} else {
					s.loErr = err.Error()
					s.stage = 2
				}
			case 2:
				mid := (s.lo + s.hi) / 2
				if ok, err := try(s, mid); ok {
					s.hi = mid
				} else {
					s.lo, s.loErr = mid, err.Error()
				}
				if s.hi-s.lo <= 1 {
					res.add(float64(s.hi * b.opt.memStep))
					b.note("%s: smallest limit %s (%d runs); at %s: `%s`", s.r.name,
						res.format(float64(s.hi*b.opt.memStep)), s.probes, res.format(float64(s.lo*b.opt.memStep)), s.loErr)
					s.stage = 3
				}
			}
		}
		if active == 0 {
			break
		}
	}
	b.checkLeaks(name, "mem")
}

// checkLeaks verifies, after a benchmark, that no container whose id
// carries the benchmark's tag is left in the runtime's list, state
// directory or cgroup hierarchies, and notes what is.
func (b *bench) checkLeaks(bench, tag string) {
	for _, r := range b.rts {
		leaks := b.leaks(r, r.prefix+"-"+tag)
		for _, l := range leaks {
			b.note("leak after %s, %s: %s", bench, r.name, l)
		}
	}
}

// leaks lists what is left with ids starting with idPrefix.
func (b *bench) leaks(r *ociRuntime, idPrefix string) []string {
	var out []string
	ids, err := r.list(context.Background())
	if err != nil {
		out = append(out, err.Error())
	}
	for _, id := range ids {
		if strings.HasPrefix(id, idPrefix) {
			out = append(out, fmt.Sprintf("`%s list` still shows %s", r.name, id))
		}
	}
	if ents, err := filepath.Glob(filepath.Join(r.root, idPrefix+"*")); err == nil {
		for _, e := range ents {
			out = append(out, "state left: "+e)
		}
	}
	out = append(out, cgroupLeaks(idPrefix)...)
	return out
}

// cgroupLeaks lists cgroup directories named idPrefix* at the top two
// levels of every hierarchy (no cgroupsPath puts a container at /<id>).
func cgroupLeaks(idPrefix string) []string {
	var out []string
	for _, pat := range []string{"/sys/fs/cgroup/*/" + idPrefix + "*", "/sys/fs/cgroup/*/*/" + idPrefix + "*"} {
		ms, _ := filepath.Glob(pat)
		for _, m := range ms {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() {
				out = append(out, "cgroup left: "+m)
			}
		}
	}
	return out
}

// removeCgroups removes leftover cgroup directories of idPrefix, deepest
// first.
func removeCgroups(idPrefix string) {
	for _, pat := range []string{"/sys/fs/cgroup/*/*/" + idPrefix + "*", "/sys/fs/cgroup/*/" + idPrefix + "*"} {
		ms, _ := filepath.Glob(pat)
		for _, m := range ms {
			removeTree(m)
		}
	}
}

func removeTree(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() {
			removeTree(filepath.Join(dir, e.Name()))
		}
	}
	os.Remove(dir)
}

// gnuTime returns the path of GNU time, or "" when it is absent (busybox
// time reports maxrss four times too large on x86: it takes KiB for pages).
func gnuTime() string {
	const p = "/usr/bin/time"
	if out, err := execOutput(p, "--version"); err == nil && strings.Contains(out, "GNU") {
		return p
	}
	return ""
}

// maxRSS runs `time -f %M cmd` and returns the KiB it reports.
func maxRSS(timePath string, cmd ...string) (int, error) {
	f, err := os.CreateTemp("", "maxrss-")
	if err != nil {
		return 0, err
	}
	f.Close()
	defer os.Remove(f.Name())
	if _, err := execOutput(timePath, append([]string{"-o", f.Name(), "-f", "%M"}, cmd...)...); err != nil {
		return 0, err
	}
	return readLastInt(f.Name())
}

// readLastInt parses the last line of a file as an integer (GNU time puts
// "Command exited with non-zero status" lines before it).
func readLastInt(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strconv.Atoi(strings.TrimSpace(lines[len(lines)-1]))
}

// procStatusKiB reads one "Key:  N kB" line of /proc/<pid>/status.
func procStatusKiB(pid int, key string) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == key {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, key)
}
