package spec

import (
	"io/fs"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// checkNamespaceFile checks that path (from field) is a namespace of type t:
// config-linux.md "Namespaces" says the runtime MUST error if path is not
// associated with a namespace of type type.
//
// The file system is checked with statfs(2) before anything is opened, so
// that a path to a device, FIFO or ordinary file is refused without side
// effects; the type comes from the NS_GET_NSTYPE ioctl (ioctl_ns(2)).
func checkNamespaceFile(field, path string, t specs.LinuxNamespaceType) error {
	var sfs unix.Statfs_t
	if err := unix.Statfs(path, &sfs); err != nil {
		return wrapf(field, &fs.PathError{Op: "statfs", Path: path, Err: err}, "%s: %v", path, err)
	}
	if sfs.Type != unix.NSFS_MAGIC {
		return errorf(field, "%s is not a namespace file", path)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return wrapf(field, &fs.PathError{Op: "open", Path: path, Err: err}, "%s: %v", path, err)
	}
	defer unix.Close(fd)
	got, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	if err != nil {
		return errorf(field, "%s: cannot get namespace type: %v", path, err)
	}
	want := nsKinds[t]
	if got != want.flag {
		return errorf(field, "%s is a %s namespace, not %s", path, nsNameOfFlag(got), t)
	}
	return nil
}

// nsNameOfFlag names a CLONE_NEW* value the way /proc/[pid]/ns does.
func nsNameOfFlag(flag int) string {
	for _, k := range nsKinds {
		if k.flag == flag {
			return k.proc
		}
	}
	return "unknown"
}

// isRuntimeNamespace reports whether the namespace file at path is the
// runtime's own namespace of type t, i.e. whether "joining" it changes
// nothing. Errors count as "no": checkNamespaces reports unusable paths.
func isRuntimeNamespace(path string, t specs.LinuxNamespaceType) bool {
	k, ok := nsKinds[t]
	if !ok {
		return false
	}
	a, err := os.Stat(path)
	if err != nil {
		return false
	}
	b, err := os.Stat("/proc/self/ns/" + k.proc)
	if err != nil {
		return false
	}
	return os.SameFile(a, b)
}
