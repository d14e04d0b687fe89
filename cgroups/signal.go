package cgroups

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Signal sends sig to every listed process. A process that exits between
// listing and kill is not an error.
func (m *manager) Signal(sig unix.Signal) error {
	pids, err := m.Pids()
	if err != nil {
		return err
	}
	return signalAll(pids, sig)
}

func signalAll(pids []int, sig unix.Signal) error {
	var errs []error
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("signal pid %d with %s: %w", pid, unix.SignalName(sig), err))
		}
	}
	return errors.Join(errs...)
}
