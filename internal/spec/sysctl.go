package spec

import (
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ipcSysctls are the IPC namespace's sysctls that are not matched by the
// prefixes in sysctlNamespace (ipc_namespaces(7), mq_overview(7)).
var ipcSysctls = map[string]bool{
	"kernel.sem":         true,
	"kernel.sem_next_id": true,
}

// sysctlNamespace returns the namespace type whose sysctl key (dotted form)
// belongs to, or "" if the key is global to the host. config-linux.md
// "Sysctl" lets a container set kernel parameters; only those scoped to one
// of its namespaces can be set without changing the host.
func sysctlNamespace(key string) specs.LinuxNamespaceType {
	switch {
	case ipcSysctls[key],
		strings.HasPrefix(key, "kernel.msg"),
		strings.HasPrefix(key, "kernel.shm"),
		strings.HasPrefix(key, "fs.mqueue."):
		return specs.IPCNamespace
	case strings.HasPrefix(key, "net."):
		return specs.NetworkNamespace
	case key == "kernel.hostname", key == "kernel.domainname":
		return specs.UTSNamespace
	}
	return ""
}

// checkSysctl checks linux.sysctl: every key well-formed and namespaced, and
// the namespace it belongs to private to the container. Keys are checked in
// sorted order so the first error is deterministic.
func checkSysctl(s *specs.Spec) error {
	if s.Linux == nil || len(s.Linux.Sysctl) == 0 {
		return nil
	}
	const f = "linux.sysctl"
	keys := make([]string, 0, len(s.Linux.Sysctl))
	for k := range s.Linux.Sysctl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		dotted, ok := sysctlDotted(key)
		if !ok {
			return errorf(f, "invalid key %q", key)
		}
		if err := checkString(joinKey(f, key), s.Linux.Sysctl[key]); err != nil {
			return err
		}
		t := sysctlNamespace(dotted)
		if t == "" {
			return errorf(f, "%q is not namespaced: it would change the host", key)
		}
		if ok, why := privateNamespace(s, t); !ok {
			return errorf(f, "%q requires a new or joined %s namespace (%s)", key, t, why)
		}
		if dotted == "kernel.hostname" && s.Hostname != "" && s.Hostname != s.Linux.Sysctl[key] {
			return errorf(f, "%q conflicts with hostname %q", key, s.Hostname)
		}
		if dotted == "kernel.domainname" && s.Domainname != "" && s.Domainname != s.Linux.Sysctl[key] {
			return errorf(f, "%q conflicts with domainname %q", key, s.Domainname)
		}
	}
	return nil
}

// sysctlDotted returns key in dotted form ("net.ipv4.ip_forward") and whether
// it is well-formed. sysctl(8) also accepts "/" as the separator, with "."
// then literal (as in interface names like eth0.100); such keys are converted
// by swapping the two. A well-formed key has non-empty components of
// printable, non-space characters, and "/" only inside a component, so that
// no conversion to a /proc/sys path can produce "." or ".." elements.
func sysctlDotted(key string) (string, bool) {
	if i := strings.IndexAny(key, "./"); i >= 0 && key[i] == '/' {
		key = strings.Map(func(r rune) rune {
			switch r {
			case '/':
				return '.'
			case '.':
				return '/'
			}
			return r
		}, key)
	}
	for comp := range strings.SplitSeq(key, ".") {
		if comp == "" || comp[0] == '/' || comp[len(comp)-1] == '/' || strings.Contains(comp, "//") {
			return "", false
		}
		for _, c := range comp {
			if c <= ' ' || c == 0x7f {
				return "", false
			}
		}
	}
	return key, true
}
