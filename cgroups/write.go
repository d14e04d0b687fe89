package cgroups

import (
	"fmt"
	"path/filepath"
)

// write is one planned cgroup file write.
type write struct {
	key   string // Paths() key of the hierarchy: v1 controller, "" for cgroup2
	file  string
	value string
	field string // config path named in errors, e.g. linux.resources.memory.limit
	// mayFail marks a write that is repeated later in the plan: the kernel
	// may refuse it in this order (e.g. a burst above the old quota), and
	// the repeat, after the other half of the pair, is the one that counts.
	mayFail bool
}

// apply performs ws in order and names the config field on failure.
func (m *manager) apply(ws []write) error {
	for _, w := range ws {
		dir, ok := m.paths[w.key]
		if !ok {
			return fmt.Errorf("%s: %s is not mounted", w.field, keyName(w.key))
		}
		err := writeValue(filepath.Join(dir, w.file), w.value)
		if err != nil && !w.mayFail {
			return fmt.Errorf("%s: %w", w.field, err)
		}
	}
	return nil
}
