// Package bpf is seccomp(2) from Go: the filter flags linux.seccomp.flags
// may name and whether the running kernel takes them, and a Program (a
// classic BPF seccomp program with its flags) that Load installs.
//
// Containers get their programs from skiff-init, which compiles and
// loads them itself (libinit/seccompcompile.c, libinit/seccomp.c).
// Program.Load is for the tests: they load what skiff-init compiled in a
// child process and watch the kernel apply it. The package uses neither
// cgo nor libseccomp.
package bpf
