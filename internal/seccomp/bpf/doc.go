// Package bpf holds a compiled seccomp filter: the classic BPF program
// the host side (package seccomp) compiles linux.seccomp into with
// libseccomp, and the flags to load it with.
//
// skiff-init loads it (libinit/seccomp.c), placed in the plan by
// internal/initplan. Program.Load here installs a filter from Go: the
// tests use it to run compiled programs in the kernel. The package uses
// neither cgo nor libseccomp, so that code that only carries a filter
// does not need them.
package bpf
