package libinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
)

// prepareRootfs builds the container's filesystem view under the rootfs
// path, still inside the host's tree: propagation, the rootfs bind, every
// entry of config.json "mounts" in order, and /dev. pivot_root comes later
// (enterRootfs) so that createContainer hooks still see the host paths.
func prepareRootfs(cfg *handshake.Config, idmapFds map[int]int) error {
	s := cfg.Spec
	// Keep mount events of the container from reaching the host: slave by
	// default, or what linux.rootfsPropagation asks for.
	prop := uintptr(unix.MS_SLAVE | unix.MS_REC)
	if s.Linux != nil && s.Linux.RootfsPropagation != "" {
		p, err := parsePropagation(s.Linux.RootfsPropagation)
		if err != nil {
			return err
		}
		prop = p
	}
	if err := unix.Mount("", "/", "", prop, ""); err != nil {
		return fmt.Errorf("config.json: linux.rootfsPropagation: set on /: %w", err)
	}
	// pivot_root refuses a shared new root or parent (EINVAL). Making the
	// parent private before the bind also keeps the bind itself out of any
	// peer group; rootfsPropagation is re-applied on the new root after.
	if err := makeParentPrivate(cfg.Rootfs); err != nil {
		return err
	}
	// pivot_root needs the new root to be a mount point.
	if err := unix.Mount(cfg.Rootfs, cfg.Rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("config.json: root.path: bind %s: %w", cfg.Rootfs, err)
	}
	rootFd, err := unix.Open(cfg.Rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("config.json: root.path: open %s: %w", cfg.Rootfs, err)
	}
	defer unix.Close(rootFd)

	oldMask := unix.Umask(0)
	defer unix.Umask(oldMask)

	devIsMounted := false
	for i, m := range s.Mounts {
		var err error
		if fd, ok := idmapFds[i]; ok {
			err = attachIDMappedMount(rootFd, m, fd)
		} else {
			err = mountEntry(rootFd, cfg, m)
		}
		if err != nil {
			return fmt.Errorf("config.json: mounts[%d] (%s): %w", i, m.Destination, err)
		}
		if filepath.Clean(m.Destination) == "/dev" && !isBind(m.Type, parseMountOptions(m.Options)) {
			devIsMounted = true
		}
	}
	var devices []specs.LinuxDevice
	if s.Linux != nil {
		devices = s.Linux.Devices
	}
	if err := createDevices(rootFd, devIsMounted, devices, userNamespaced(s)); err != nil {
		return err
	}
	if devIsMounted {
		if err := linkDevSymlinks(rootFd); err != nil {
			return err
		}
	}
	// A missing process.cwd is created now, inside the root and before a
	// read-only root is remounted; enterCwd reports any trouble with it.
	if cwd := s.Process.Cwd; cwd != "" && cwd != "/" {
		if fd, err := mkdirAllInRoot(rootFd, cwd, false); err == nil {
			unix.Close(fd)
		}
	}
	return nil
}

// mountEntry performs one entry of "mounts".
func mountEntry(rootFd int, cfg *handshake.Config, m specs.Mount) error {
	o := parseMountOptions(m.Options)
	if o.idmap || len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0 {
		return errors.New("idmapped mount: the parent sent no mount for it")
	}
	if m.Type == "cgroup" || m.Type == "cgroup2" {
		return mountCgroup(rootFd, cfg, m, o)
	}
	bind := isBind(m.Type, o)
	source := m.Source
	asFile := false
	if bind {
		if !filepath.IsAbs(source) {
			source = filepath.Join(cfg.Bundle, source)
		}
		st, err := os.Stat(source)
		if err != nil {
			return fmt.Errorf("source: %w", err)
		}
		asFile = !st.IsDir()
	}
	dst, err := mkdirAllInRoot(rootFd, m.Destination, asFile)
	if err != nil {
		return err
	}
	defer unix.Close(dst)
	target := fdPath(dst)

	if bind {
		if err := unix.Mount(source, target, "", o.flags&(unix.MS_BIND|unix.MS_REC), ""); err != nil {
			return fmt.Errorf("bind %s: %w", source, err)
		}
		// A bind mount ignores every other flag; they need a remount of
		// the new mount, reached again through the destination path.
		if rest := o.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT); rest != 0 {
			if err := remountInRoot(rootFd, m.Destination, rest); err != nil {
				return err
			}
		}
	} else {
		typ := m.Type
		if typ == "" {
			return errors.New("type: missing for a mount that is not a bind mount")
		}
		if err := unix.Mount(m.Source, target, typ, o.flags, withMountLabel(o.data, typ, cfg.Spec)); err != nil {
			return fmt.Errorf("mount %s: %w", typ, err)
		}
	}
	return setMountPropagationAndAttrs(rootFd, m.Destination, o)
}

// attachIDMappedMount puts a detached idmapped mount made by the parent
// (internal/container/idmap.go) at the destination, then applies the
// entry's flags, propagation and recursive attributes as for a bind.
func attachIDMappedMount(rootFd int, m specs.Mount, mountFd int) error {
	defer unix.Close(mountFd)
	o := parseMountOptions(m.Options)
	var st unix.Stat_t
	if err := unix.Fstat(mountFd, &st); err != nil {
		return fmt.Errorf("idmapped mount: %w", err)
	}
	dst, err := mkdirAllInRoot(rootFd, m.Destination, st.Mode&unix.S_IFMT != unix.S_IFDIR)
	if err != nil {
		return err
	}
	defer unix.Close(dst)
	if err := unix.MoveMount(mountFd, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("attach idmapped mount: %w", err)
	}
	if rest := o.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT); rest != 0 {
		if err := remountInRoot(rootFd, m.Destination, rest); err != nil {
			return err
		}
	}
	return setMountPropagationAndAttrs(rootFd, m.Destination, o)
}

// remountInRoot re-applies flags to the mount now at path. Inside a user
// namespace the kernel locks nosuid/nodev/noexec/atime flags inherited from
// a more privileged mount: keep those, or the remount fails with EPERM.
func remountInRoot(rootFd int, path string, flags uintptr) error {
	fd, err := openInRoot(rootFd, path)
	if err != nil {
		return &pathError{"open", path, err}
	}
	defer unix.Close(fd)
	return remount(fdPath(fd), flags)
}

func remount(target string, flags uintptr) error {
	err := unix.Mount("", target, "", unix.MS_REMOUNT|unix.MS_BIND|flags, "")
	if errors.Is(err, unix.EPERM) {
		var st unix.Statfs_t
		if unix.Statfs(target, &st) == nil {
			flags |= lockedFlags(st.Flags)
			err = unix.Mount("", target, "", unix.MS_REMOUNT|unix.MS_BIND|flags, "")
		}
	}
	if err != nil {
		return fmt.Errorf("remount: %w", err)
	}
	return nil
}

// lockedFlags maps statfs flags to the mount flags a user namespace may not
// clear.
func lockedFlags(st int64) uintptr {
	var f uintptr
	for _, m := range []struct {
		st   int64
		flag uintptr
	}{
		{unix.ST_NOSUID, unix.MS_NOSUID},
		{unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC},
		{unix.ST_NOATIME, unix.MS_NOATIME},
		{unix.ST_NODIRATIME, unix.MS_NODIRATIME},
		{unix.ST_RELATIME, unix.MS_RELATIME},
		{unix.ST_RDONLY, unix.MS_RDONLY},
	} {
		if st&m.st != 0 {
			f |= m.flag
		}
	}
	return f
}

func setMountPropagationAndAttrs(rootFd int, path string, o mountOpts) error {
	if len(o.propagation) == 0 && o.attrSet == 0 && o.attrClr == 0 {
		return nil
	}
	fd, err := openInRoot(rootFd, path)
	if err != nil {
		return &pathError{"open", path, err}
	}
	defer unix.Close(fd)
	for _, p := range o.propagation {
		if err := unix.Mount("", fdPath(fd), "", p, ""); err != nil {
			return fmt.Errorf("set propagation: %w", err)
		}
	}
	if o.attrSet != 0 || o.attrClr != 0 {
		attr := unix.MountAttr{Attr_set: o.attrSet, Attr_clr: o.attrClr}
		if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
			return fmt.Errorf("set recursive mount attributes: %w", err)
		}
	}
	return nil
}

// enterRootfs makes the rootfs the container's "/" and applies what must
// happen inside it: masked and read-only paths, then a read-only root.
func enterRootfs(cfg *handshake.Config) error {
	s := cfg.Spec
	if cfg.NoPivot {
		if err := moveRoot(cfg.Rootfs); err != nil {
			return err
		}
	} else if err := pivotRoot(cfg.Rootfs); err != nil {
		return err
	}
	if s.Linux != nil && s.Linux.RootfsPropagation != "" {
		p, _ := parsePropagation(s.Linux.RootfsPropagation)
		if err := unix.Mount("", "/", "", p, ""); err != nil {
			return fmt.Errorf("config.json: linux.rootfsPropagation: set on the new root: %w", err)
		}
	}
	if s.Linux != nil {
		for i, p := range s.Linux.MaskedPaths {
			if err := maskPath(p); err != nil {
				return fmt.Errorf("config.json: linux.maskedPaths[%d]: %w", i, err)
			}
		}
		for i, p := range s.Linux.ReadonlyPaths {
			if err := readonlyPath(p); err != nil {
				return fmt.Errorf("config.json: linux.readonlyPaths[%d]: %w", i, err)
			}
		}
	}
	if s.Root != nil && s.Root.Readonly {
		if err := remount("/", unix.MS_RDONLY); err != nil {
			return fmt.Errorf("config.json: root.readonly: %w", err)
		}
	}
	return nil
}

// pivotRoot switches to the new root without a directory for the old one:
// pivot_root(".", ".") stacks the old root on top of the new, and a lazy
// unmount of "." then removes it (pivot_root(2), NOTES).
func pivotRoot(rootfs string) error {
	oldRoot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open old root: %w", err)
	}
	defer unix.Close(oldRoot)
	if err := unix.Chdir(rootfs); err != nil {
		return fmt.Errorf("chdir %s: %w", rootfs, err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root %s: %w", rootfs, err)
	}
	if err := unix.Fchdir(oldRoot); err != nil {
		return fmt.Errorf("fchdir old root: %w", err)
	}
	// The old root's mounts may be shared with the host: detach them as
	// slaves so the unmount does not propagate back.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make old root slave: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir /: %w", err)
	}
	return nil
}

// makeParentPrivate: pivot_root fails with EINVAL when the new root's
// parent mount is shared, which rootfsPropagation "shared" makes it.
func makeParentPrivate(rootfs string) error {
	parent, err := mountPointOf(filepath.Dir(rootfs))
	if err != nil {
		return err
	}
	if err := unix.Mount("", parent, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make %s private: %w", parent, err)
	}
	return nil
}

// moveRoot is the --no-pivot path for roots that cannot pivot (a ramdisk):
// move the rootfs over "/" and chroot into it.
func moveRoot(rootfs string) error {
	if err := unix.Chdir(rootfs); err != nil {
		return fmt.Errorf("chdir %s: %w", rootfs, err)
	}
	if err := unix.Mount(rootfs, "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("move %s to /: %w", rootfs, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return unix.Chdir("/")
}

// maskPath hides a path: /dev/null over a file, an empty read-only tmpfs
// over a directory. A missing path needs no mask.
func maskPath(p string) error {
	err := unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
	if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
		st, serr := os.Stat(p)
		if serr == nil && st.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "size=0k")
		}
	}
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	return nil
}

// readonlyPath binds a path onto itself and remounts it read-only.
func readonlyPath(p string) error {
	if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return fmt.Errorf("bind %s: %w", p, err)
	}
	if err := remount(p, unix.MS_RDONLY); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// withMountLabel adds linux.mountLabel as the SELinux context of a new
// filesystem (the parent refused the label if the host lacks SELinux).
// proc, sysfs and cgroup filesystems take no context option.
func withMountLabel(data, typ string, s *specs.Spec) string {
	if s.Linux == nil || s.Linux.MountLabel == "" {
		return data
	}
	switch typ {
	case "proc", "sysfs", "cgroup", "cgroup2", "securityfs", "devpts":
		return data
	}
	opt := fmt.Sprintf("context=%q", s.Linux.MountLabel)
	if data == "" {
		return opt
	}
	return data + "," + opt
}

// chrootRootfs confines a container that has no mount namespace of its own
// to root.path, as runc does: nothing can be mounted without affecting the
// host, so config.json "mounts" cannot apply.
func chrootRootfs(rootfs string) error {
	if err := unix.Chroot(rootfs); err != nil {
		return fmt.Errorf("config.json: root.path: chroot %s: %w", rootfs, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir / in the new root: %w", err)
	}
	return nil
}
