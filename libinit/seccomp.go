package libinit

import (
	"fmt"
	"os"

	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// The seccomp filter is loaded as late as possible so that init's own
// work is not filtered, on the thread that calls execve:
//   - with noNewPrivileges, after the credentials change, just before
//     execve: no_new_privs lets an unprivileged thread load a filter;
//   - without it, loading needs CAP_SYS_ADMIN, so just before the
//     credentials change (the profile must then allow capset, setresuid
//     and execve, as every usable profile does);
//   - with a notify listener, before init reports ready: the fd goes to
//     the parent, which passes it to linux.seccomp.listenerPath with the
//     container's state while create still runs (config-linux.md
//     "Seccomp", listenerPath).

// loadSeccompForListener loads a filter that has a listener and sends the
// notify fd to the parent. It reports whether it loaded.
func loadSeccompForListener(sock *os.File, p *bpf.Program) (bool, error) {
	if p == nil || !p.Listener {
		return false, nil
	}
	fd, err := p.Load()
	if err != nil {
		return false, fmt.Errorf("config.json: linux.seccomp: %w", err)
	}
	defer os.NewFile(uintptr(fd), "seccomp-notify").Close()
	if err := handshake.WriteFrame(sock, handshake.Message{Type: handshake.MsgSeccompFd}); err != nil {
		return false, fmt.Errorf("send seccomp notify fd: %w", err)
	}
	if err := handshake.SendFds(sock, []int{fd}); err != nil {
		return false, fmt.Errorf("send seccomp notify fd: %w", err)
	}
	return true, nil
}

// loadSeccomp loads the filter without a listener.
func loadSeccomp(p *bpf.Program) error {
	if p == nil {
		return nil
	}
	if _, err := p.Load(); err != nil {
		return fmt.Errorf("config.json: linux.seccomp: %w", err)
	}
	return nil
}
