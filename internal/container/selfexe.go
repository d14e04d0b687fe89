package container

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/initbin"
)

// errNoInit: `go build` alone makes a skiff that cannot start containers.
var errNoInit = errors.New("this skiff was built without skiff-init (libinit/); build it with `make skiff`")

func readOnlyClone(path string) (*os.File, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("open_tree", err)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("mount_setattr", err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

func sealedCopyOf(src io.Reader) (*os.File, error) {
	fd, err := unix.MemfdCreate("skiff", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	dst := os.NewFile(uintptr(fd), "skiff (sealed copy)")
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return nil, fmt.Errorf("copy skiff binary: %w", err)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		dst.Close()
		return nil, os.NewSyscallError("seal skiff copy", err)
	}
	return dst, nil
}

// protectedInit returns a read-only view of the binary to run as a
// container's init: skiff-init, embedded at build time (internal/initbin).
// A process in the container that reaches init's /proc/<pid>/exe (a
// shared pid namespace, or exec into the container) must not be able to
// open it for writing and overwrite the runtime on the host
// (CVE-2019-5736).
//
// skiff-init is written once per build into the state root, as a file of
// root's in a directory of root's, and run from a detached read-only bind
// mount of it (open_tree + mount_setattr: about 0.1 ms, no copy, no mount
// left in any namespace's table). Without the privilege for that mount
// (rootless) or on kernels before 5.12, a sealed memfd copy does the job.
func protectedInit(root string) (*os.File, error) {
	id := initbin.ID()
	if len(id) < 16 {
		return nil, errNoInit
	}
	path := filepath.Join(root, ".skiff-init-"+id[:16])
	if f, err := readOnlyClone(path); err == nil {
		return f, nil
	}
	bin, err := initbin.Binary()
	if err != nil {
		return nil, errNoInit
	}
	if err := writeInitBinary(root, path, bin); err == nil {
		removeOtherInitBinaries(root, path)
		if f, err := readOnlyClone(path); err == nil {
			return f, nil
		}
	}
	return sealedCopyOf(bytes.NewReader(bin))
}

// writeInitBinary puts skiff-init at path whole or not at all: concurrent
// creates each write their own temporary file and rename it into place.
func writeInitBinary(root, path string, bin []byte) error {
	if err := os.MkdirAll(root, 0o711); err != nil {
		return err
	}
	// A child forked while the copy is open for writing (a seccomp
	// compile starts concurrently, see seccompprog.go) holds that fd
	// until its execve, and executing the copy fails with ETXTBSY
	// meanwhile: no fork of ours while it is open.
	syscall.ForkLock.RLock()
	tmp, err := os.CreateTemp(root, ".skiff-init-tmp-*")
	if err != nil {
		syscall.ForkLock.RUnlock()
		return err
	}
	defer os.Remove(tmp.Name())
	err = writeAndClose(tmp, bin)
	syscall.ForkLock.RUnlock()
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func writeAndClose(tmp *os.File, bin []byte) error {
	if _, err := tmp.Write(bin); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o500); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	return tmp.Close()
}

// removeOtherInitBinaries deletes the copies earlier builds of skiff left
// in the state root, so that upgrades do not pile up binaries in /run.
// A container started from one keeps running: its init holds the inode.
func removeOtherInitBinaries(root, keep string) {
	old, _ := filepath.Glob(filepath.Join(root, ".skiff-init-*"))
	for _, p := range old {
		if p != keep && !strings.HasPrefix(filepath.Base(p), ".skiff-init-tmp-") {
			os.Remove(p)
		}
	}
}
