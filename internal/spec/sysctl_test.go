package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateSysctl(t *testing.T) {
	set := func(kv ...string) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{}
			for i := 0; i < len(kv); i += 2 {
				s.Linux.Sysctl[kv[i]] = kv[i+1]
			}
		}
	}
	withNS := func(list []specs.LinuxNamespace, kv ...string) func(*specs.Spec) {
		return func(s *specs.Spec) {
			set(kv...)(s)
			s.Linux.Namespaces = list
		}
	}
	runValidateCases(t, []validateCase{
		{"ipc and net", set(
			"kernel.msgmax", "8192", "kernel.msgmnb", "1", "kernel.msgmni", "1",
			"kernel.sem", "250 32000 32 128", "kernel.shmmax", "1", "kernel.shmall", "1",
			"kernel.shmmni", "1", "kernel.shm_rmid_forced", "1",
			"fs.mqueue.msg_max", "10", "fs.mqueue.queues_max", "256",
			"net.ipv4.ip_forward", "1", "net.core.somaxconn", "256",
		), ""},
		{"slash form", set("net/ipv4/conf/eth0.100/forwarding", "1"), ""},
		{"vlan dotted form", set("net.ipv4.conf.eth0/100.forwarding", "1"), ""},
		{"kernel.domainname with uts", set("kernel.domainname", "example.test"), ""},
		{"kernel.hostname equal to hostname", set("kernel.hostname", "skiff"), ""},
		{"kernel.hostname conflicts", set("kernel.hostname", "other"),
			`config.json: linux.sysctl: "kernel.hostname" conflicts with hostname "skiff"`},
		{"kernel.domainname conflicts", func(s *specs.Spec) {
			s.Domainname = "a.test"
			set("kernel.domainname", "b.test")(s)
		}, `config.json: linux.sysctl: "kernel.domainname" conflicts with domainname "a.test"`},
		{"not namespaced", set("vm.swappiness", "10"),
			`config.json: linux.sysctl: "vm.swappiness" is not namespaced: it would change the host`},
		{"kernel.pid_max", set("kernel.pid_max", "10"),
			`config.json: linux.sysctl: "kernel.pid_max" is not namespaced: it would change the host`},
		{"kernel.semx is not ipc", set("kernel.semaphore", "1"),
			`"kernel.semaphore" is not namespaced`},
		{"first in sorted order", set("vm.a", "1", "fs.b", "1"),
			`config.json: linux.sysctl: "fs.b" is not namespaced`},
		{"ipc without ipc ns", withNS(ns("uts", "network"), "kernel.shmmax", "1"),
			`config.json: linux.sysctl: "kernel.shmmax" requires a new or joined ipc namespace (linux.namespaces has none)`},
		{"mqueue without ipc ns", withNS(ns("uts", "network"), "fs.mqueue.msg_max", "1"),
			`"fs.mqueue.msg_max" requires a new or joined ipc namespace`},
		{"net without net ns", withNS(ns("uts", "ipc"), "net.ipv4.ip_forward", "1"),
			`config.json: linux.sysctl: "net.ipv4.ip_forward" requires a new or joined network namespace (linux.namespaces has none)`},
		{"net in runtime's netns", withNS([]specs.LinuxNamespace{{Type: "uts"}, {Type: "network", Path: "/proc/self/ns/net"}},
			"net.ipv4.ip_forward", "1"),
			`config.json: linux.sysctl: "net.ipv4.ip_forward" requires a new or joined network namespace (linux.namespaces[1].path is the runtime's own network namespace)`},
		{"hostname sysctl without uts", func(s *specs.Spec) {
			withNS(ns("network"), "kernel.domainname", "x")(s)
			s.Hostname = ""
		},
			`"kernel.domainname" requires a new or joined uts namespace (linux.namespaces has none)`},
		{"empty key", set("", "1"), `config.json: linux.sysctl: invalid key ""`},
		{"empty component", set("net..ipv4", "1"), `config.json: linux.sysctl: invalid key "net..ipv4"`},
		{"leading dot", set(".net.ipv4", "1"), `invalid key ".net.ipv4"`},
		{"trailing dot", set("net.ipv4.", "1"), `invalid key "net.ipv4."`},
		{"traversal", set("net/../../vm/swappiness", "1"), `invalid key "net/../../vm/swappiness"`},
		{"double slash", set("net.a//b", "1"), `invalid key "net.a//b"`},
		{"space", set("net.ipv4.ip forward", "1"), `invalid key "net.ipv4.ip forward"`},
		{"nul value", set("net.ipv4.ip_forward", "1\x00"),
			`config.json: linux.sysctl["net.ipv4.ip_forward"]: contains a NUL byte`},
	})
}

func TestValidateSysctlJoinedPrivate(t *testing.T) {
	dir := otherNamespaces(t)
	runValidateCases(t, []validateCase{
		{"joined other ipc and net", func(s *specs.Spec) {
			s.Linux.Namespaces = []specs.LinuxNamespace{
				{Type: "uts"},
				{Type: "ipc", Path: dir + "/ipc"},
				{Type: "network", Path: dir + "/net"},
			}
			s.Linux.Sysctl = map[string]string{"kernel.shmmax": "1", "net.ipv4.ip_forward": "1"}
		}, ""},
	})
}
