package libinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
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

// createDevices makes the default devices (when /dev is a fresh mount) and
// linux.devices. In a user namespace mknod is refused, so the host's node
// is bind-mounted over an empty file instead.
func createDevices(rootFd int, defaults bool, devices []specs.LinuxDevice, inUserNS bool) error {
	var all []specs.LinuxDevice
	if defaults {
		all = append(all, defaultDevices...)
	}
	all = append(all, devices...)
	for i, d := range all {
		if err := createDevice(rootFd, d, inUserNS); err != nil {
			if i >= len(all)-len(devices) {
				return fmt.Errorf("config.json: linux.devices[%d] (%s): %w", i-(len(all)-len(devices)), d.Path, err)
			}
			return fmt.Errorf("create default device %s: %w", d.Path, err)
		}
	}
	return nil
}

func createDevice(rootFd int, d specs.LinuxDevice, inUserNS bool) error {
	dir, err := mkdirAllInRoot(rootFd, filepath.Dir(d.Path), false)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	name := filepath.Base(d.Path)
	if inUserNS {
		return bindDevice(dir, name, d.Path)
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
		return fmt.Errorf("type: unknown device type %q", d.Type)
	}
	// A node left by the image (or a symlink planted there) is replaced:
	// unlinkat never follows a symlink.
	if err := unix.Unlinkat(dir, name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove existing %s: %w", d.Path, err)
	}
	if err := unix.Mknodat(dir, name, mode, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor)))); err != nil {
		return fmt.Errorf("mknod: %w", err)
	}
	uid, gid := -1, -1
	if d.UID != nil {
		uid = int(*d.UID)
	}
	if d.GID != nil {
		gid = int(*d.GID)
	}
	if uid != -1 || gid != -1 {
		if err := unix.Fchownat(dir, name, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	return nil
}

func bindDevice(dir int, name, hostPath string) error {
	f, err := unix.Openat(dir, name, unix.O_CREAT|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("create bind target: %w", err)
	}
	defer unix.Close(f)
	if err := unix.Mount(hostPath, fdPath(f), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", hostPath, err)
	}
	return nil
}

// linkDevSymlinks adds the conventional links of a fresh /dev.
func linkDevSymlinks(rootFd int) error {
	links := [][2]string{
		{"/proc/self/fd", "/dev/fd"},
		{"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"},
		{"/proc/self/fd/2", "/dev/stderr"},
		{"pts/ptmx", "/dev/ptmx"},
	}
	if _, err := os.Stat("/proc/kcore"); err == nil {
		links = append(links, [2]string{"/proc/kcore", "/dev/core"})
	}
	dev, err := openInRoot(rootFd, "/dev")
	if err != nil {
		return &pathError{"open", "/dev", err}
	}
	defer unix.Close(dev)
	for _, l := range links {
		name := strings.TrimPrefix(l[1], "/dev/")
		if err := unix.Symlinkat(l[0], dev, name); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("symlink %s: %w", l[1], err)
		}
	}
	return nil
}
