package container

import (
	"encoding/json"
	"fmt"
	"net"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp"
	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// translateSeccomp checks linux.seccomp and turns it into the filter init
// compiles and loads, and checks up front that this kernel takes the
// requested flags, so that a refusal fails create rather than, late,
// start.
func translateSeccomp(sc *specs.LinuxSeccomp) (*seccomp.Filter, error) {
	if sc == nil {
		return nil, nil
	}
	p, err := seccomp.Translate(sc)
	if err != nil {
		return nil, err
	}
	for i, f := range sc.Flags {
		if !bpf.FlagSupported(string(f)) {
			return nil, fmt.Errorf("config.json: linux.seccomp.flags[%d]: %s is not supported by this kernel", i, f)
		}
	}
	return p, nil
}

// listenerTimeout bounds the connection to a seccomp agent.
const listenerTimeout = 10 * time.Second

// sendSeccompListener hands the notify fd of a process's filter to the
// agent at linux.seccomp.listenerPath: one message carrying the process
// state as JSON (config-linux.md "Seccomp", runtime.md "State") and the fd
// with SCM_RIGHTS.
func sendSeccompListener(s *specs.Spec, pid int, state []byte, fd int) error {
	sc := s.Linux.Seccomp
	const field = "config.json: linux.seccomp.listenerPath"
	var st specs.State
	if len(state) > 0 {
		if err := json.Unmarshal(state, &st); err != nil {
			return fmt.Errorf("seccomp listener: container state: %w", err)
		}
	}
	msg, err := json.Marshal(specs.ContainerProcessState{
		Version:  specs.Version,
		Fds:      []string{specs.SeccompFdName},
		Pid:      pid,
		Metadata: sc.ListenerMetadata,
		State:    st,
	})
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("unix", sc.ListenerPath, listenerTimeout)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	defer conn.Close()
	uc := conn.(*net.UnixConn)
	uc.SetDeadline(time.Now().Add(listenerTimeout))
	if _, _, err := uc.WriteMsgUnix(msg, unix.UnixRights(fd), nil); err != nil {
		return fmt.Errorf("%s: send to %s: %w", field, sc.ListenerPath, err)
	}
	return nil
}
