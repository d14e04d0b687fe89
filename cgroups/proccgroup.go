package cgroups

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// procCgroup is one line of /proc/self/cgroup: "id:controllers:path".
type procCgroup struct {
	id          int
	controllers []string // empty for the cgroup2 line ("0::/path")
	path        string
}

func readProcCgroup() ([]procCgroup, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("open /proc/self/cgroup: %w", cause(err))
	}
	defer f.Close()
	cgs, err := parseProcCgroup(f)
	if err != nil {
		return nil, fmt.Errorf("parse /proc/self/cgroup: %w", err)
	}
	return cgs, nil
}

func parseProcCgroup(r io.Reader) ([]procCgroup, error) {
	var cgs []procCgroup
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %q: want id:controllers:path", line)
		}
		id, err := strconv.Atoi(parts[0])
		if err != nil {
			return nil, fmt.Errorf("line %q: bad hierarchy id", line)
		}
		var ctrls []string
		if parts[1] != "" {
			ctrls = strings.Split(parts[1], ",")
		}
		cgs = append(cgs, procCgroup{id: id, controllers: ctrls, path: parts[2]})
	}
	return cgs, sc.Err()
}
