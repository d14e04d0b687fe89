// Package cgroups puts one container in cgroups and applies the OCI
// linux.resources section to them, on cgroup v1 ("legacy"), cgroup v2
// ("unified") and mixed ("hybrid") hosts.
//
// Nothing here assumes where cgroups are mounted: the hierarchies are read
// from /proc/self/mountinfo and /proc/self/cgroup. On a hybrid host each
// controller is driven where the kernel bound it, so one container may get
// memory limits through a v1 hierarchy and hugetlb limits through cgroup2.
//
// Turning linux.resources into file writes is done by pure functions
// (v1Files, v2Files) so the decisions can be tested without a kernel; Set
// only gathers what the host offers, plans, and writes.
//
// cgroup2 has no devices files: there the device allowlist is an eBPF
// program compiled by deviceFilter and attached by setV2Devices.
package cgroups
