package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"
)

// unit says how a series' values print.
type unit int

const (
	millis unit = iota // values are time.Duration nanoseconds
	seconds
	kib // values are KiB
)

// series is one benchmark's samples for one runtime.
type series struct {
	bench    string
	runtime  string
	unit     unit
	vals     []float64
	tries    int
	firstErr string // first failure, quoted in the notes
	text     string // a result that is not a number ("> 64 MiB")
}

func (s *series) addDuration(d time.Duration) { s.tries++; s.vals = append(s.vals, float64(d)) }
func (s *series) add(v float64)               { s.tries++; s.vals = append(s.vals, v) }

func (s *series) fail(err error) {
	s.tries++
	if s.firstErr == "" {
		s.firstErr = err.Error()
	}
}

// quantile is the q-quantile by linear interpolation between closest
// ranks; NaN without samples.
func (s *series) quantile(q float64) float64 {
	if len(s.vals) == 0 {
		return math.NaN()
	}
	v := append([]float64(nil), s.vals...)
	sort.Float64s(v)
	pos := q * float64(len(v)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return v[lo] + (v[hi]-v[lo])*(pos-float64(lo))
}

func (s *series) format(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	switch s.unit {
	case millis:
		return fmt.Sprintf("%.1f ms", v/1e6)
	case seconds:
		return fmt.Sprintf("%.2f s", v/1e9)
	case kib:
		if v >= 1024 {
			return fmt.Sprintf("%.2f MiB", v/1024)
		}
		return fmt.Sprintf("%.0f KiB", v)
	}
	return fmt.Sprint(v)
}

// results keeps series in the order benchmarks first report them.
type results struct {
	order []string // bench names
	byKey map[string]*series
}

func newResults() *results { return &results{byKey: map[string]*series{}} }

func (rs *results) get(bench, rt string, u unit) *series {
	k := bench + "\x00" + rt
	s, ok := rs.byKey[k]
	if !ok {
		s = &series{bench: bench, runtime: rt, unit: u}
		rs.byKey[k] = s
		seen := false
		for _, b := range rs.order {
			seen = seen || b == bench
		}
		if !seen {
			rs.order = append(rs.order, bench)
		}
	}
	return s
}

// table writes the markdown table: one row per benchmark and runtime,
// the ratio being this runtime's median over skiff's.
func (rs *results) table(w io.Writer, runtimes []string) {
	fmt.Fprintln(w, "| benchmark | runtime | median | p10 | p90 | ratio to skiff | ok/n |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|")
	for _, b := range rs.order {
		base, ok := rs.byKey[b+"\x00skiff"]
		for _, rt := range runtimes {
			s, have := rs.byKey[b+"\x00"+rt]
			if !have {
				continue
			}
			med := s.quantile(0.5)
			ratio := "—"
			if ok && !math.IsNaN(med) {
				if bm := base.quantile(0.5); bm > 0 && !math.IsNaN(bm) {
					ratio = fmt.Sprintf("%.2f", med/bm)
				}
			}
			m, p10, p90 := s.format(med), s.format(s.quantile(0.1)), s.format(s.quantile(0.9))
			if s.text != "" {
				m, p10, p90 = s.text, "", ""
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %d/%d |\n",
				b, rt, m, p10, p90, ratio, len(s.vals), s.tries)
		}
	}
}

// failures lists the first error of every series that had one.
func (rs *results) failures(runtimes []string) []string {
	var out []string
	for _, b := range rs.order {
		for _, rt := range runtimes {
			s, ok := rs.byKey[b+"\x00"+rt]
			if ok && s.firstErr != "" {
				out = append(out, fmt.Sprintf("%s, %s: %d of %d failed, first: `%s`",
					b, rt, s.tries-len(s.vals), s.tries, s.firstErr))
			}
		}
	}
	return out
}
