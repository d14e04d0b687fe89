// Package seccomp compiles linux.seccomp of config.json (config-linux.md
// "Seccomp") into a seccomp BPF program.
//
// It runs on the host side, in the runtime process, and uses libseccomp
// (through cgo) to turn rules into BPF. The result, a bpf.Program, is plain
// data that init loads with package bpf, which needs neither cgo nor
// libseccomp: init only calls seccomp(2).
//
// Compile follows runc where the specification is silent, so that profiles
// written for runc (Docker's, Podman's) behave the same: unknown syscall
// names are skipped, several conditions on the same argument are OR-ed,
// and syscalls newer than the profile fail with ENOSYS instead of the
// default errno so that libc falls back to an older syscall.
package seccomp
