package main

import (
	"fmt"
	"os"
	"strconv"
)

// preservedFds adds the socket-activation fds (LISTEN_FDS, sd_listen_fds(3))
// to --preserve-fds, as runc does, so a socket-activated caller's sockets
// reach the container; the process is told of them as pid 1 would be.
func preservedFds(n int) (int, []string) {
	if v := os.Getenv("LISTEN_FDS"); v != "" {
		if k, err := strconv.Atoi(v); err == nil && k > 0 {
			return n + k, []string{"LISTEN_FDS=" + v, "LISTEN_PID=1"}
		}
	}
	return n, nil
}

// wrapID prefixes a verb's error with the verb and container id, once.
func wrapID(verb, id string, err error) error {
	return fmt.Errorf("%s %q: %w", verb, id, err)
}
