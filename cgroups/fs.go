package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
)

// cause strips *fs.PathError so messages can name the path once, in our
// own "op object: cause" form, while errors.Is still sees the errno.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readString(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, cause(err))
	}
	return strings.TrimSpace(string(b)), nil
}

// writeValue writes value in a single write(2): cgroup files parse each
// write separately, so a split write would be two (wrong) settings.
func writeValue(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(value)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("write %s to %s: %w", showValue(value), path, cause(err))
	}
	return nil
}

// showValue quotes values only when they would be ambiguous in a message.
func showValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n") {
		return strconv.Quote(v)
	}
	return v
}

// parseUint reads a cgroup number; "max" is the v2 spelling of unlimited.
func parseUint(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return math.MaxUint64, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// readUint returns 0 without error when the file does not exist, because
// stats report whatever the host has.
func readUint(path string) (uint64, error) {
	s, err := readString(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	v, err := parseUint(s)
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", path, err)
	}
	return v, nil
}

// readKeyed parses "key value" lines (memory.stat, cpu.stat, memory.events,
// memory.oom_control). A missing file gives an empty map.
func readKeyed(path string) (map[string]uint64, error) {
	s, err := readString(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return map[string]uint64{}, nil
		}
		return nil, err
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		n, err := parseUint(v)
		if err != nil {
			continue // some keys carry non-numbers; they are not stats we use
		}
		out[k] = n
	}
	return out, nil
}

// listFiles names the files in dir, for deciding which optional knobs the
// kernel offers.
func listFiles(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, cause(err))
	}
	out := make(map[string]bool, len(ents))
	for _, e := range ents {
		if !e.IsDir() {
			out[e.Name()] = true
		}
	}
	return out, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
