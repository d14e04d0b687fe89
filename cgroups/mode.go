package cgroups

import (
	"errors"
	"strings"
)

// Mode of the host's cgroup layout.
type Mode int

const (
	// Legacy hosts mount only cgroup v1 hierarchies.
	Legacy Mode = iota
	// Hybrid hosts bind controllers to v1 hierarchies and also mount cgroup2.
	Hybrid
	// Unified hosts mount only cgroup2 (v1 named hierarchies aside).
	Unified
)

func (m Mode) String() string {
	switch m {
	case Legacy:
		return "legacy"
	case Hybrid:
		return "hybrid"
	case Unified:
		return "unified"
	}
	return "unknown"
}

// DetectMode reads the mounted hierarchies of the calling process.
func DetectMode() (Mode, error) {
	hs, err := discover()
	if err != nil {
		return 0, err
	}
	return modeOf(hs)
}

// modeOf classifies hierarchies. A v1 hierarchy that only carries a name
// (name=systemd) binds no controller, so it does not make a host hybrid.
func modeOf(hs []hierarchy) (Mode, error) {
	var v1, realV1, v2 bool
	for _, h := range hs {
		if h.v2 {
			v2 = true
			continue
		}
		v1 = true
		for _, c := range h.controllers {
			if !strings.HasPrefix(c, "name=") {
				realV1 = true
			}
		}
	}
	switch {
	case v2 && realV1:
		return Hybrid, nil
	case v2:
		return Unified, nil
	case v1:
		return Legacy, nil
	}
	return 0, errors.New("detect cgroup mode: no cgroup hierarchy mounted")
}
