package seccomp

import "golang.org/x/sys/unix"

// needsENOSYS tells whether syscalls newer than the profile should fail
// with ENOSYS rather than take the default action. A deny-by-default
// profile cannot list syscalls that did not exist when it was written, so
// a new libc trying clone3 or openat2 would get EPERM and give up, where
// ENOSYS makes it fall back to clone or openat (runc does the same). A
// default that lets syscalls through (ALLOW, LOG) needs no help, nor does a
// default that already returns ENOSYS.
//
// skiff-init builds the stub that does it (libinit/enosys.c): "newer" is a
// number above the highest one, on that architecture, of any syscall the
// profile names, and only the linked libseccomp knows the numbers.
func needsENOSYS(def Action) bool {
	return def != ActAllow && def != ActLog && def != ActErrno.withData(uint16(unix.ENOSYS))
}
