package container

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
)

// Idmapped mounts (config.md "Mounts", options idmap and ridmap) are made
// here, on the host side: mount_setattr(MOUNT_ATTR_IDMAP) needs privilege
// over the source filesystem's user namespace, which init inside the
// container's user namespace does not have. Each becomes a detached mount
// whose fd init attaches at the destination with move_mount.

// isIDMapped tells whether mount m asks for an idmapping.
func isIDMapped(m specs.Mount) bool {
	return slices.Contains(m.Options, "idmap") || slices.Contains(m.Options, "ridmap") ||
		len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0
}

// openIDMappedMounts makes the detached mounts for every idmapped entry of
// s.Mounts. It returns their fds and the mount indices they belong to; the
// caller closes the fds once init has them.
func openIDMappedMounts(s *specs.Spec, bundle string, initPid int, root string) (fds, indices []int, err error) {
	defer func() {
		if err != nil {
			for _, fd := range fds {
				unix.Close(fd)
			}
			fds = nil
		}
	}()
	var holders []*usernsHolder
	defer func() {
		for _, h := range holders {
			h.release()
		}
	}()
	for i, m := range s.Mounts {
		if !isIDMapped(m) {
			continue
		}
		field := fmt.Sprintf("config.json: mounts[%d] (%s)", i, m.Destination)
		usernsFd, holder, err := idmapUserNamespace(s, m, initPid, root)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", field, err)
		}
		if holder != nil {
			holders = append(holders, holder)
		}
		fd, err := idmappedMount(m, bundle, usernsFd)
		unix.Close(usernsFd)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", field, err)
		}
		fds = append(fds, fd)
		indices = append(indices, i)
	}
	return fds, indices, nil
}

// idmappedMount clones the source as a detached mount (the whole tree for
// rbind) and applies the user namespace's mapping to it (to every submount
// for ridmap).
func idmappedMount(m specs.Mount, bundle string, usernsFd int) (int, error) {
	source := m.Source
	if !filepath.IsAbs(source) {
		source = filepath.Join(bundle, source)
	}
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	if slices.Contains(m.Options, "rbind") || m.Type == "rbind" {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, source, uint(flags))
	if err != nil {
		return -1, fmt.Errorf("source %s: open_tree: %w", source, err)
	}
	setFlags := unix.AT_EMPTY_PATH
	if slices.Contains(m.Options, "ridmap") {
		setFlags |= unix.AT_RECURSIVE
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(usernsFd)}
	if err := unix.MountSetattr(fd, "", uint(setFlags), &attr); err != nil {
		unix.Close(fd)
		if err == unix.EINVAL {
			return -1, fmt.Errorf("source %s: idmap: %w (the filesystem may not support idmapped mounts)", source, err)
		}
		return -1, fmt.Errorf("source %s: idmap: %w", source, err)
	}
	return fd, nil
}

// idmapUserNamespace returns an fd of a user namespace holding the mount's
// mapping: the container's own when the mount has no mapping of its own or
// the same one, otherwise a new namespace kept alive by a holder (which
// the caller releases once the mapping is applied).
func idmapUserNamespace(s *specs.Spec, m specs.Mount, initPid int, root string) (int, *usernsHolder, error) {
	var l specs.Linux
	if s.Linux != nil {
		l = *s.Linux
	}
	if len(m.UIDMappings) == 0 || (slices.Equal(m.UIDMappings, l.UIDMappings) && slices.Equal(m.GIDMappings, l.GIDMappings)) {
		hasUserNS := slices.ContainsFunc(l.Namespaces, func(n specs.LinuxNamespace) bool { return n.Type == specs.UserNamespace })
		if !hasUserNS {
			return -1, nil, fmt.Errorf("idmap needs uidMappings and gidMappings, or a user namespace")
		}
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/user", initPid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, nil, fmt.Errorf("open container's user namespace: %w", err)
		}
		return fd, nil, nil
	}
	return holdUserNamespace(root, m.UIDMappings, m.GIDMappings)
}

// usernsHolder is a process that keeps a user namespace alive until
// released: skiff-init in its holder mode (libinit/init.c), which
// waits for its stdin to close.
type usernsHolder struct {
	cmd  *exec.Cmd
	stop *os.File
}

func holdUserNamespace(root string, uids, gids []specs.LinuxIDMapping) (int, *usernsHolder, error) {
	bin, err := protectedInit(root)
	if err != nil {
		return -1, nil, err
	}
	defer bin.Close()
	// Executed by the path of our fd, which the child has at the same
	// number until execve (no ExtraFiles move it).
	self := fmt.Sprintf("/proc/self/fd/%d", bin.Fd())
	r, w, err := os.Pipe()
	if err != nil {
		return -1, nil, err
	}
	defer r.Close()
	conv := func(ms []specs.LinuxIDMapping) []syscall.SysProcIDMap {
		out := make([]syscall.SysProcIDMap, len(ms))
		for i, m := range ms {
			out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
		}
		return out
	}
	h := &usernsHolder{stop: w, cmd: &exec.Cmd{
		Path:  self,
		Args:  []string{"skiff", "userns-holder"},
		Env:   []string{handshake.EnvUsernsHolder + "=1"},
		Stdin: r,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  unix.CLONE_NEWUSER,
			UidMappings: conv(uids),
			GidMappings: conv(gids),
		},
	}}
	if err := h.cmd.Start(); err != nil {
		w.Close()
		return -1, nil, fmt.Errorf("create user namespace for the mapping: %w", err)
	}
	// Start returns after the maps are written, so the namespace is ready.
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/user", h.cmd.Process.Pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		h.release()
		return -1, nil, fmt.Errorf("open user namespace for the mapping: %w", err)
	}
	return fd, h, nil
}

// release lets the holder exit and reaps it, within a bound.
func (h *usernsHolder) release() {
	h.stop.Close()
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.cmd.Process.Kill()
		<-done
	}
}
