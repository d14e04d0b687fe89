// Package bpf holds a compiled seccomp filter and installs it with
// seccomp(2).
//
// It is the half of seccomp support that runs inside the container's init,
// so it uses neither cgo nor libseccomp: the host side (package seccomp)
// compiles linux.seccomp with libseccomp into a Program, sends it to init as
// JSON, and init calls Program.Load just before execve. Keeping libseccomp
// out of init keeps the code that runs in the new namespaces small and free
// of C state.
package bpf
