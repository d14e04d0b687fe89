package container

import "time"

// timeline reports how long each phase of a create took, for --debug.
type timeline struct {
	report func(string, time.Duration)
	last   time.Time
}

func newTimeline(report func(string, time.Duration)) *timeline {
	return &timeline{report: report, last: time.Now()}
}

func (t *timeline) mark(phase string) {
	if t.report == nil {
		return
	}
	now := time.Now()
	t.report(phase, now.Sub(t.last))
	t.last = now
}
