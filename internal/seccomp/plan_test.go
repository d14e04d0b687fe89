package seccomp

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func ptr[T any](v T) *T { return &v }

func TestTranslateErrors(t *testing.T) {
	allow := specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
	with := func(mod func(*specs.LinuxSeccomp)) *specs.LinuxSeccomp {
		sc := allow
		mod(&sc)
		return &sc
	}
	sys := func(s ...specs.LinuxSyscall) *specs.LinuxSeccomp {
		return with(func(sc *specs.LinuxSeccomp) { sc.Syscalls = s })
	}
	for _, tc := range []struct {
		name string
		sc   *specs.LinuxSeccomp
		want string
	}{
		{"no default action", &specs.LinuxSeccomp{},
			"config.json: linux.seccomp.defaultAction: required"},
		{"unknown default action", &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_NOPE"},
			`config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"`},
		{"notify default", &specs.LinuxSeccomp{DefaultAction: specs.ActNotify, ListenerPath: "/s"},
			"config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
		{"errno on allow default", &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, DefaultErrnoRet: ptr(uint(1))},
			"config.json: linux.seccomp.defaultAction: SCMP_ACT_ALLOW does not take an errno return"},
		{"default errno too big", &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: ptr(uint(70000))},
			"config.json: linux.seccomp.defaultErrnoRet: 70000 does not fit in 16 bits"},
		{"unknown arch", with(func(sc *specs.LinuxSeccomp) { sc.Architectures = []specs.Arch{specs.ArchX86, "x86_64"} }),
			`config.json: linux.seccomp.architectures[1]: unknown architecture "x86_64"`},
		{"unknown flag", with(func(sc *specs.LinuxSeccomp) { sc.Flags = []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_BOGUS"} }),
			`config.json: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"`},
		{"runtime-only flag", with(func(sc *specs.LinuxSeccomp) {
			sc.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog, "SECCOMP_FILTER_FLAG_NEW_LISTENER"}
		}), `config.json: linux.seccomp.flags[1]: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"`},
		{"no names", sys(specs.LinuxSyscall{Action: specs.ActErrno}),
			"config.json: linux.seccomp.syscalls[0].names: must have at least one entry"},
		{"empty name", sys(specs.LinuxSyscall{Names: []string{"read", ""}, Action: specs.ActErrno}),
			"config.json: linux.seccomp.syscalls[0].names[1]: empty syscall name"},
		{"no action", sys(specs.LinuxSyscall{Names: []string{"read"}}),
			"config.json: linux.seccomp.syscalls[0].action: required"},
		{"unknown action", sys(
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno},
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno},
			specs.LinuxSyscall{Names: []string{"read"}, Action: "SCMP_ACT_FOO"}),
			`config.json: linux.seccomp.syscalls[2].action: unknown action "SCMP_ACT_FOO"`},
		{"errno on kill", sys(specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActKill, ErrnoRet: ptr(uint(1))}),
			"config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_KILL does not take an errno return"},
		{"trace value too big", sys(specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActTrace, ErrnoRet: ptr(uint(1 << 16))}),
			"config.json: linux.seccomp.syscalls[0].errnoRet: 65536 does not fit in 16 bits"},
		{"arg index", sys(specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno,
			Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}),
			"config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range [0, 5]"},
		{"unknown operator", sys(
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno},
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno},
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno},
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno},
			specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActErrno,
				Args: []specs.LinuxSeccompArg{{Index: 0, Op: "SCMP_CMP_EQUAL"}}}),
			`config.json: linux.seccomp.syscalls[4].args[0].op: unknown operator "SCMP_CMP_EQUAL"`},
		{"notify on write", with(func(sc *specs.LinuxSeccomp) {
			sc.ListenerPath = "/run/agent.sock"
			sc.Syscalls = []specs.LinuxSyscall{{Names: []string{"mkdir", "write"}, Action: specs.ActNotify}}
		}), "config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for write"},
		{"notify without listener path", sys(specs.LinuxSyscall{Names: []string{"mkdir"}, Action: specs.ActNotify}),
			"config.json: linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Translate(tc.sc)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got error %v\nwant       %s", err, tc.want)
			}
		})
	}
}

func TestTranslate(t *testing.T) {
	p, err := Translate(&specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX32},
		Flags:         []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagWaitKillableRecv},
		ListenerPath:  "/run/agent.sock",
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write"}, Action: specs.ActAllow},
			// Same as the default: dropped, but its names still count.
			{Names: []string{"openat2"}, Action: specs.ActErrno},
			{Names: []string{"clone3"}, Action: specs.ActErrno, ErrnoRet: ptr(uint(unix.ENOSYS))},
			{Names: []string{"ptrace"}, Action: specs.ActTrace},
			{Names: []string{"mkdir"}, Action: specs.ActNotify},
			{Names: []string{"kexec_load"}, Action: specs.ActKill},
			{Names: []string{"reboot"}, Action: specs.ActKillProcess},
			{Names: []string{"swapon"}, Action: specs.ActTrap},
			{Names: []string{"getppid"}, Action: specs.ActLog},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// SCMP_ACT_ERRNO(EPERM): the specification's default errno.
	if want := Action(unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)); p.DefaultAction != want {
		t.Errorf("default action %#x, want %#x", p.DefaultAction, want)
	}
	if !p.ENOSYS {
		t.Error("a deny-by-default profile needs the ENOSYS stub")
	}
	wantArches := []Arch{
		{Field: "linux.seccomp.architectures[0]", Name: "SCMP_ARCH_X86_64", Lib: "x86_64"},
		{Field: "linux.seccomp.architectures[1]", Name: "SCMP_ARCH_X32", Lib: "x32"},
	}
	if !reflect.DeepEqual(p.Arches, wantArches) {
		t.Errorf("arches %+v, want %+v", p.Arches, wantArches)
	}
	if want := uint(unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_LOG | unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV); p.Flags != want {
		t.Errorf("flags %#x, want %#x", p.Flags, want)
	}
	if !p.Listener {
		t.Error("a notify rule must ask for a listener")
	}
	wantNames := []string{"read", "write", "openat2", "clone3", "ptrace", "mkdir", "kexec_load", "reboot", "swapon", "getppid"}
	if !reflect.DeepEqual(p.Names, wantNames) {
		t.Errorf("names %v, want %v", p.Names, wantNames)
	}
	var got []Action
	for _, r := range p.Rules {
		got = append(got, r.Action)
	}
	// The kernel's SECCOMP_RET_* values, which libseccomp's SCMP_ACT_*
	// are, with the errno or trace value in the low 16 bits.
	want := []Action{
		unix.SECCOMP_RET_ALLOW,
		unix.SECCOMP_RET_ERRNO | Action(unix.ENOSYS),
		unix.SECCOMP_RET_TRACE | Action(unix.EPERM),
		unix.SECCOMP_RET_USER_NOTIF,
		unix.SECCOMP_RET_KILL_THREAD,
		unix.SECCOMP_RET_KILL_PROCESS,
		unix.SECCOMP_RET_TRAP,
		unix.SECCOMP_RET_LOG,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rule actions\n got %#x\nwant %#x", got, want)
	}
	if p.Rules[1].Field != "linux.seccomp.syscalls[2]" {
		t.Errorf("rule field %q, want it to keep the index in the profile", p.Rules[1].Field)
	}
}

func TestTranslateDropsWaitKillableWithoutListener(t *testing.T) {
	p, err := Translate(&specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Flags:         []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv, specs.LinuxSeccompFlagSpecAllow},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Flags != unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW || p.Listener || p.ENOSYS {
		t.Errorf("flags %#x listener %v ENOSYS %v: WAIT_KILLABLE_RECV without a listener must be dropped (seccomp(2) refuses it)", p.Flags, p.Listener, p.ENOSYS)
	}
}

func TestDefaultErrnoRet(t *testing.T) {
	p, err := Translate(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: ptr(uint(unix.EXDEV)),
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.DefaultAction != unix.SECCOMP_RET_ERRNO|Action(unix.EXDEV) {
		t.Errorf("default action %#x, want ERRNO(EXDEV)", p.DefaultAction)
	}
	// defaultErrnoRet is the default action's; a rule's errno defaults to
	// EPERM on its own, so the rule differs from the default and stays.
	if len(p.Rules) != 1 || p.Rules[0].Action != unix.SECCOMP_RET_ERRNO|Action(unix.EPERM) {
		t.Errorf("rules %+v, want one ERRNO(EPERM)", p.Rules)
	}
}

func TestConditionSets(t *testing.T) {
	c := func(arg uint, v uint64) Cond {
		return Cond{Arg: arg, Op: OpEqual, Value: v}
	}
	for _, tc := range []struct {
		name  string
		conds []Cond
		want  [][]Cond
	}{
		{"none", nil, nil},
		{"one", []Cond{c(0, 1)}, [][]Cond{{c(0, 1)}}},
		{"distinct args are AND-ed", []Cond{c(0, 1), c(1, 2), c(5, 3)},
			[][]Cond{{c(0, 1), c(1, 2), c(5, 3)}}},
		{"a repeated arg makes every condition its own rule", []Cond{c(0, 1), c(1, 2), c(0, 3)},
			[][]Cond{{c(0, 1)}, {c(1, 2)}, {c(0, 3)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := conditionSets(tc.conds); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMaskedEqualOperands(t *testing.T) {
	// config-linux.md/runc: value is the mask, valueTwo the expected value.
	p, err := Translate(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{
		Names: []string{"clone"}, Action: specs.ActErrno,
		Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x7e020000, ValueTwo: 0x20000, Op: specs.OpMaskedEqual}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	want := Cond{Arg: 0, Op: OpMaskedEqual, Value: 0x7e020000, ValueTwo: 0x20000}
	if got := p.Rules[0].Conds; len(got) != 1 || len(got[0]) != 1 || got[0][0] != want {
		t.Errorf("conditions %+v, want %+v", got, want)
	}
}

func TestEveryNameMaps(t *testing.T) {
	for _, a := range []specs.LinuxSeccompAction{specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
		specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify} {
		if _, ok := action(a); !ok {
			t.Errorf("action %s not mapped", a)
		}
	}
	for _, op := range []specs.LinuxSeccompOperator{specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual,
		specs.OpEqualTo, specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual} {
		if _, ok := operator(op); !ok {
			t.Errorf("operator %s not mapped", op)
		}
	}
	for _, a := range []specs.Arch{specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
		specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL, specs.ArchMIPSEL64, specs.ArchMIPSEL64N32,
		specs.ArchPPC, specs.ArchPPC64, specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X, specs.ArchPARISC,
		specs.ArchPARISC64, specs.ArchRISCV64, specs.ArchLOONGARCH64, specs.ArchM68K, specs.ArchSH, specs.ArchSHEB} {
		if _, ok := archByName(a); !ok {
			t.Errorf("architecture %s not mapped", a)
		}
	}
}
