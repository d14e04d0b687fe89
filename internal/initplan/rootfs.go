package initplan

import (
	"fmt"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
)

// defaultDevices are the nodes every container gets in a fresh /dev
// (config-linux.md, "Default Devices").
var defaultDevices = []specs.LinuxDevice{
	{Path: "/dev/null", Type: "c", Major: 1, Minor: 3},
	{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5},
	{Path: "/dev/full", Type: "c", Major: 1, Minor: 7},
	{Path: "/dev/random", Type: "c", Major: 1, Minor: 8},
	{Path: "/dev/urandom", Type: "c", Major: 1, Minor: 9},
	{Path: "/dev/tty", Type: "c", Major: 5, Minor: 0},
}

// prepareRootfs builds the container's filesystem view under the rootfs
// path, still inside the host's tree: propagation, the rootfs bind, every
// entry of config.json "mounts" in order, and /dev. pivot_root comes later
// (enterRootfs) so that createContainer hooks still see the host paths.
func (p *Plan) prepareRootfs(cfg *handshake.Config, host *Host) error {
	s := cfg.Spec
	mounts := parseMountInfo(host.MountInfo)
	// Keep mount events of the container from reaching the host: slave by
	// default, or what linux.rootfsPropagation asks for.
	prop := uintptr(unix.MS_SLAVE | unix.MS_REC)
	if s.Linux != nil && s.Linux.RootfsPropagation != "" {
		var err error
		if prop, err = parsePropagation(s.Linux.RootfsPropagation); err != nil {
			return err
		}
	}
	p.add(OpMount, "config.json: linux.rootfsPropagation: set on /", "", "/", "", prop, "")
	// pivot_root refuses a shared new root or parent (EINVAL). Making the
	// parent private before the bind also keeps the bind itself out of any
	// peer group; rootfsPropagation is re-applied on the new root after.
	parent := mountPointOf(mounts, filepath.Dir(cfg.Rootfs))
	p.add(OpMount, "make "+parent+" private", "", parent, "", uintptr(unix.MS_PRIVATE), "")
	// pivot_root needs the new root to be a mount point.
	p.add(OpMount, "config.json: root.path: bind "+cfg.Rootfs, cfg.Rootfs, cfg.Rootfs, "", uintptr(unix.MS_BIND|unix.MS_REC), "")
	p.add(OpOpenRoot, "config.json: root.path", cfg.Rootfs)
	// Modes below are exact (mount points, device nodes).
	p.add(OpUmask, "", 0)

	idmapped := map[int]bool{}
	for _, i := range cfg.IDMapMounts {
		idmapped[i] = true
	}
	if n := len(cfg.IDMapMounts); n > 0 {
		p.add(OpRecvFds, "receive idmapped mounts", n)
	}
	devIsMounted := false
	for i, m := range s.Mounts {
		ctx := fmt.Sprintf("config.json: mounts[%d] (%s)", i, m.Destination)
		o := parseMountOptions(m.Options)
		switch {
		case idmapped[i]:
			p.add(OpIDMapAt, ctx, append([]any{m.Destination, o.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT), o.attrSet, o.attrClr}, propagationArgs(o)...)...)
		case o.idmap || len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0:
			return fmt.Errorf("%s: idmapped mount: the parent made no mount for it", ctx)
		case m.Type == "cgroup" || m.Type == "cgroup2":
			if err := p.cgroupMount(ctx, cfg, host, mounts, m, o); err != nil {
				return err
			}
		default:
			if err := p.mountEntry(ctx, cfg, m, o); err != nil {
				return err
			}
		}
		if filepath.Clean(m.Destination) == "/dev" && !isBind(m.Type, o) {
			devIsMounted = true
		}
	}

	var devices []specs.LinuxDevice
	if devIsMounted {
		devices = append(devices, defaultDevices...)
	}
	nDefault := len(devices)
	if s.Linux != nil {
		devices = append(devices, s.Linux.Devices...)
	}
	// In a user namespace mknod is refused: bind the host's node instead.
	userNS := hasAnyNamespace(s, specs.UserNamespace)
	for i, d := range devices {
		ctx := "create default device " + d.Path
		if i >= nDefault {
			ctx = fmt.Sprintf("config.json: linux.devices[%d] (%s)", i-nDefault, d.Path)
		}
		mode := uint32(0o666)
		if d.FileMode != nil {
			mode = uint32(*d.FileMode & 0o7777)
		}
		switch d.Type {
		case "c", "u":
			mode |= unix.S_IFCHR
		case "b":
			mode |= unix.S_IFBLK
		case "p":
			mode |= unix.S_IFIFO
		default:
			return fmt.Errorf("%s: type: unknown device type %q", ctx, d.Type)
		}
		uid, gid := int64(-1), int64(-1)
		if d.UID != nil {
			uid = int64(*d.UID)
		}
		if d.GID != nil {
			gid = int64(*d.GID)
		}
		p.add(OpDeviceAt, ctx, filepath.Clean("/"+d.Path), mode, d.Major, d.Minor, uid, gid, userNS)
	}
	if devIsMounted {
		links := [][2]string{
			{"/proc/self/fd", "/dev/fd"},
			{"/proc/self/fd/0", "/dev/stdin"},
			{"/proc/self/fd/1", "/dev/stdout"},
			{"/proc/self/fd/2", "/dev/stderr"},
			{"pts/ptmx", "/dev/ptmx"},
		}
		if host.HasKcore {
			links = append(links, [2]string{"/proc/kcore", "/dev/core"})
		}
		for _, l := range links {
			p.add(OpSymlinkAt, "symlink "+l[1], l[0], l[1])
		}
	}
	// A missing process.cwd is created now, inside the root and before a
	// read-only root is remounted; OpCwd reports any trouble with it.
	if cwd := s.Process.Cwd; cwd != "" && cwd != "/" {
		p.add(OpMkdirAt, "config.json: process.cwd", cwd)
	}
	p.add(OpUmask, "", 0o022)
	return nil
}

// mountEntry adds one entry of "mounts" that is neither idmapped nor a
// cgroup filesystem.
func (p *Plan) mountEntry(ctx string, cfg *handshake.Config, m specs.Mount, o mountOpts) error {
	bind := isBind(m.Type, o)
	source := m.Source
	if bind && !filepath.IsAbs(source) {
		source = filepath.Join(cfg.Bundle, source)
	}
	if !bind && m.Type == "" {
		return fmt.Errorf("%s: type: missing for a mount that is not a bind mount", ctx)
	}
	args := []any{source, m.Destination, m.Type, o.flags, withMountLabel(o.data, m.Type, cfg.Spec), bind,
		o.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT), o.attrSet, o.attrClr}
	p.add(OpMountAt, ctx, append(args, propagationArgs(o)...)...)
	return nil
}

func propagationArgs(o mountOpts) []any {
	out := make([]any, len(o.propagation))
	for i, f := range o.propagation {
		out[i] = f
	}
	return out
}

// withMountLabel adds linux.mountLabel as the SELinux context of a new
// filesystem (the parent refused the label if the host lacks SELinux).
// proc, sysfs and cgroup filesystems take no context option.
func withMountLabel(data, typ string, s *specs.Spec) string {
	if s.Linux == nil || s.Linux.MountLabel == "" {
		return data
	}
	switch typ {
	case "proc", "sysfs", "cgroup", "cgroup2", "securityfs", "devpts", "bind", "rbind":
		return data
	}
	opt := fmt.Sprintf("context=%q", s.Linux.MountLabel)
	if data == "" {
		return opt
	}
	return data + "," + opt
}
