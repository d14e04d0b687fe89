package libinit

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Paths from config.json are resolved inside the rootfs with openat2's
// RESOLVE_IN_ROOT: a symlink in the rootfs (even "/etc -> /" or
// "x -> ../../../..") is followed as if the rootfs were "/", so a mount
// destination can never land outside it. The kernel does the walk; we never
// join and then stat a host path.

const inRootResolve = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// openInRoot opens path (relative to root or absolute inside it) as an
// O_PATH fd.
func openInRoot(rootFd int, path string) (int, error) {
	return unix.Openat2(rootFd, strings.TrimLeft(path, "/"), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: inRootResolve,
	})
}

// mkdirAllInRoot creates every missing directory of path inside root and
// returns an O_PATH fd of the last one. When asFile is set the last
// component is created as an empty regular file instead (the destination
// of a file bind mount or a device node placeholder). A dangling symlink on
// the way is followed inside root, and its target created there.
func mkdirAllInRoot(rootFd int, path string, asFile bool) (int, error) {
	return mkdirAllInRootDepth(rootFd, path, asFile, 0)
}

// maxSymlinkHops matches the kernel's own limit on nested symlinks.
const maxSymlinkHops = 40

func mkdirAllInRootDepth(rootFd int, path string, asFile bool, hops int) (int, error) {
	rel := strings.TrimLeft(filepath.Clean("/"+path), "/")
	if rel == "" {
		return unix.Dup(rootFd)
	}
	if fd, err := openInRoot(rootFd, rel); err == nil {
		return fd, nil
	} else if !errors.Is(err, unix.ENOENT) {
		return -1, &pathError{"open", path, err}
	}
	parts := strings.Split(rel, "/")
	dirFd, err := unix.Dup(rootFd)
	if err != nil {
		return -1, err
	}
	for i, part := range parts {
		last := i == len(parts)-1
		prefix := strings.Join(parts[:i+1], "/")
		fd, err := openInRoot(rootFd, prefix)
		if errors.Is(err, unix.ENOENT) {
			if target, ok := danglingSymlink(dirFd, part); ok {
				if hops >= maxSymlinkHops {
					unix.Close(dirFd)
					return -1, &pathError{"resolve", "/" + prefix, unix.ELOOP}
				}
				if !filepath.IsAbs(target) {
					target = filepath.Join("/", strings.Join(parts[:i], "/"), target)
				}
				unix.Close(dirFd)
				rest := filepath.Join(append([]string{target}, parts[i+1:]...)...)
				return mkdirAllInRootDepth(rootFd, rest, asFile, hops+1)
			}
			if last && asFile {
				var f int
				f, err = unix.Openat(dirFd, part, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
				if err == nil {
					unix.Close(f)
				}
			} else {
				err = unix.Mkdirat(dirFd, part, 0o755)
			}
			if err != nil && !errors.Is(err, unix.EEXIST) {
				unix.Close(dirFd)
				return -1, &pathError{"create", "/" + prefix, err}
			}
			fd, err = openInRoot(rootFd, prefix)
		}
		unix.Close(dirFd)
		if err != nil {
			return -1, &pathError{"open", "/" + prefix, err}
		}
		dirFd = fd
	}
	return dirFd, nil
}

// danglingSymlink reports whether name in dir is a symlink, and its target.
// Only called when resolving it failed, so the target is missing.
func danglingSymlink(dirFd int, name string) (string, bool) {
	var st unix.Stat_t
	if unix.Fstatat(dirFd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil || st.Mode&unix.S_IFMT != unix.S_IFLNK {
		return "", false
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirFd, name, buf)
	if err != nil {
		return "", false
	}
	return string(buf[:n]), true
}

// fdPath names an fd so that mount(2) operates on what the fd refers to,
// not on a path that could be swapped.
func fdPath(fd int) string {
	return fmt.Sprintf("/proc/self/fd/%d", fd)
}

// pathError reports a path inside the container's root.
type pathError struct {
	op   string
	path string
	err  error
}

func (e *pathError) Error() string { return e.op + " " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }
