// Package seccomp checks linux.seccomp of config.json (config-linux.md
// "Seccomp") and translates it into libseccomp's terms: a Filter of plain
// values (SCMP_ACT_* and SCMP_CMP_* numbers, libseccomp's architecture
// names), encoded for skiff-init.
//
// It runs on the host side and uses neither cgo nor libseccomp: skiff-init
// links libseccomp statically, and its compile mode, run on the host,
// turns the Filter into a BPF program (libinit/seccompcompile.c). skiff
// keeps the programs in a cache (progcache), sends the program to the
// container's init in its plan, and init loads it where internal/initplan
// says. Every configuration error is found here first and names its
// field, before any process starts.
//
// Translate follows runc where the specification is silent, so that
// profiles written for runc (Docker's, Podman's) behave the same: unknown
// syscall names are skipped (by skiff-init, which knows libseccomp's
// names), several conditions on the same argument are OR-ed, and syscalls
// newer than the profile fail with ENOSYS instead of the default errno so
// that libc falls back to an older syscall.
//
// The tests compile with the skiff-init that `make skiff` builds, in its
// compile mode, so they exercise the C compiler and the linked libseccomp.
package seccomp
