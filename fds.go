package main

import (
	"fmt"
	"os"
	"strconv"
)

// preservedFds adds the socket-activation fds (LISTEN_FDS, sd_listen_fds(3))
// to --preserve-fds, as runc does, so a socket-activated caller's sockets
// reach the container.
func preservedFds(n int) int {
	if v := os.Getenv("LISTEN_FDS"); v != "" {
		if k, err := strconv.Atoi(v); err == nil && k > 0 {
			n += k
		}
	}
	return n
}

// wrapID prefixes a verb's error with the verb and container id, once.
func wrapID(verb, id string, err error) error {
	return fmt.Errorf("%s %q: %w", verb, id, err)
}
