package initplan

import (
	"fmt"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/handshake"
	"github.com/skiffrt/skiff/internal/spec"
)

// Host is what the plan needs to know about init's view of the host,
// read by the parent once init exists (ReadHost).
type Host struct {
	// MountInfo is init's /proc/<pid>/mountinfo: its mount namespace,
	// new (a copy of ours) or joined, before anything is mounted.
	MountInfo string
	// Cgroup is init's /proc/<pid>/cgroup, for cgroup bind mounts.
	Cgroup string
	// HasKcore says the host has /proc/kcore, linked as /dev/core.
	HasKcore bool
}

// Build decides init's steps for cfg, in the order of the runtime-spec
// lifecycle (runtime.md, "Lifecycle"): the namespaces' environment, the
// root filesystem, hooks, pivot_root, the process's attributes, ready,
// the wait for start, credentials and execve.
func Build(cfg *handshake.Config, host *Host) (*Plan, error) {
	s := cfg.Spec
	if s == nil || s.Process == nil {
		return nil, fmt.Errorf("config.json: process: missing")
	}
	if len(s.Process.Args) == 0 {
		return nil, fmt.Errorf("config.json: process.args: missing")
	}
	p := &Plan{}
	// No fd of ours reaches the process or a hook (CVE-2024-21626): the
	// ones the parent passed are marked close-on-exec here, and init
	// opens all of its own so.
	p.add(OpCloexecFrom, "", 3+cfg.PreserveFds)
	// linux.seccomp, compiled on the host, travels first; it waits in
	// init for the OpSeccomp that loads it (process).
	if cfg.Seccomp != nil {
		if len(cfg.SeccompProgram) == 0 {
			return nil, fmt.Errorf("config.json: linux.seccomp: no compiled program to send to init")
		}
		p.add(OpSeccompProgram, "config.json: linux.seccomp", cfg.SeccompProgram)
	}

	if !cfg.Exec {
		if err := p.environment(cfg); err != nil {
			return nil, err
		}
	}
	if adj := s.Process.OOMScoreAdj; adj != nil {
		p.add(OpOOMScoreAdj, fmt.Sprintf("config.json: process.oomScoreAdj: set %d", *adj), *adj, "lowering it needs CAP_SYS_RESOURCE")
	}

	// The root filesystem is set up in a new mount namespace or in one
	// joined by path (runtime-spec: the namespace is joined, root.path
	// and mounts still apply). An exec'd process finds it all done.
	// Without any mount namespace there is nothing to mount into: the
	// process is only confined to root.path, with chroot.
	mountNS := hasAnyNamespace(s, specs.MountNamespace)
	if !mountNS {
		p.add(OpChroot, "config.json: root.path", cfg.Rootfs)
	} else if !cfg.Exec {
		if err := p.prepareRootfs(cfg, host); err != nil {
			return nil, err
		}
	}

	// Step 7: prestart and createRuntime hooks run in the parent, after
	// the namespaces exist and before pivot_root (runtime.md, 5-6).
	if cfg.HooksInParent {
		p.add(OpHooksInParent, "")
	}
	// createContainer hooks: resolved in the runtime's mount namespace,
	// run in the container's, before pivot_root.
	if s.Hooks != nil && !cfg.Exec {
		p.hooks("createContainer", s.Hooks.CreateContainer, cfg.State)
	}
	if mountNS && !cfg.Exec {
		if err := p.enterRootfs(cfg); err != nil {
			return nil, err
		}
	}

	if err := p.process(cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// environment configures the container's new namespaces: loopback,
// hostname, sysctls, session keyring.
func (p *Plan) environment(cfg *handshake.Config) error {
	s := cfg.Spec
	if hasNamespace(s, specs.NetworkNamespace, true) {
		p.add(OpLoopbackUp, "bring up lo")
	}
	if hasNamespace(s, specs.UTSNamespace, true) {
		if s.Hostname != "" {
			p.add(OpHostname, fmt.Sprintf("config.json: hostname: set %q", s.Hostname), s.Hostname)
		}
		if s.Domainname != "" {
			p.add(OpDomainname, fmt.Sprintf("config.json: domainname: set %q", s.Domainname), s.Domainname)
		}
	}
	if s.Linux != nil && len(s.Linux.Sysctl) > 0 {
		// Sorted, so that errors are deterministic.
		keys := make([]string, 0, len(s.Linux.Sysctl))
		for k := range s.Linux.Sysctl {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rel := strings.ReplaceAll(k, ".", "/")
			if k == "" || strings.Contains(k, "/") || strings.Contains(rel, "..") || strings.HasPrefix(rel, "/") {
				return fmt.Errorf("config.json: linux.sysctl: invalid key %q", k)
			}
			v := s.Linux.Sysctl[k]
			p.add(OpWriteFile, fmt.Sprintf("config.json: linux.sysctl: set %s=%q", k, v), "/proc/sys/"+rel, v)
		}
	}
	if !cfg.NoNewKeyring {
		p.add(OpKeyring, "join session keyring", "_ses."+cfg.ID)
	}
	return nil
}

// hooks adds hooks that init runs itself.
func (p *Plan) hooks(kind string, hs []specs.Hook, state []byte) {
	for i, h := range hs {
		timeout := 120 // internal/hooks: a runtime must never hang on a stuck hook
		if h.Timeout != nil && *h.Timeout > 0 {
			timeout = *h.Timeout
		}
		args := h.Args
		if len(args) == 0 {
			args = []string{h.Path}
		}
		a := []any{timeout, state, h.Path, len(args)}
		for _, x := range args {
			a = append(a, x)
		}
		for _, x := range h.Env {
			a = append(a, x)
		}
		p.add(OpHook, fmt.Sprintf("config.json: hooks.%s[%d]: %s", kind, i, h.Path), a...)
	}
}

// enterRootfs makes the rootfs the container's "/" and applies what must
// happen inside it: masked and read-only paths, then a read-only root.
func (p *Plan) enterRootfs(cfg *handshake.Config) error {
	s := cfg.Spec
	if cfg.NoPivot {
		p.add(OpMoveRoot, "--no-pivot", cfg.Rootfs)
	} else {
		p.add(OpPivotRoot, "config.json: root.path", cfg.Rootfs)
	}
	if s.Linux != nil && s.Linux.RootfsPropagation != "" {
		prop, err := parsePropagation(s.Linux.RootfsPropagation)
		if err != nil {
			return err
		}
		p.add(OpMount, "config.json: linux.rootfsPropagation: set on the new root", "", "/", "", prop, "")
	}
	if s.Linux != nil {
		for i, path := range s.Linux.MaskedPaths {
			p.add(OpMask, fmt.Sprintf("config.json: linux.maskedPaths[%d]", i), path)
		}
		for i, path := range s.Linux.ReadonlyPaths {
			p.add(OpReadonly, fmt.Sprintf("config.json: linux.readonlyPaths[%d]", i), path)
		}
	}
	if s.Root != nil && s.Root.Readonly {
		p.add(OpRemount, "config.json: root.readonly", "/", uint64(unix.MS_RDONLY))
	}
	return nil
}

// hasNamespace: the config asks for a new namespace of this type (fresh),
// or joins one by path (!fresh).
// hasAnyNamespace tells whether linux.namespaces has an entry of typ, new
// or joined by path.
func hasAnyNamespace(s *specs.Spec, typ specs.LinuxNamespaceType) bool {
	_, ok := spec.HasNamespace(s, typ)
	return ok
}

func hasNamespace(s *specs.Spec, typ specs.LinuxNamespaceType, fresh bool) bool {
	if s.Linux == nil {
		return false
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == typ && (ns.Path == "") == fresh {
			return true
		}
	}
	return false
}
