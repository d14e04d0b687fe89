//go:build amd64

package seccomp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// childRun is what one helper child did.
type childRun struct {
	results map[string]string // probe -> "ok" or errno name
	state   *os.ProcessState
	stderr  string
}

// runChild compiles sc with skiff-init, loads it in a fresh child process and runs probes
// there. extra, if set, becomes the child's fd 3.
func runChild(t *testing.T, sc *specs.LinuxSeccomp, probes []string, extra *os.File) childRun {
	t.Helper()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	prog, err := compile(t, sc)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "r"), 0o755); err != nil {
		t.Fatal(err)
	}
	req, err := json.Marshal(helperRequest{Program: *prog, Probes: probes, Dir: dir, SendListener: extra != nil})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if extra != nil {
		cmd.ExtraFiles = []*os.File{extra}
	}
	err = cmd.Run()
	run := childRun{state: cmd.ProcessState, stderr: stderr.String()}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run child: %v", err)
	}
	sc2 := bufio.NewScanner(&stdout)
	for sc2.Scan() {
		if line, ok := strings.CutPrefix(sc2.Text(), resultPrefix); ok {
			if err := json.Unmarshal([]byte(line), &run.results); err != nil {
				t.Fatalf("child results %q: %v", line, err)
			}
		}
	}
	return run
}

// expect runs probes in a child under sc and checks every result.
func expect(t *testing.T, sc *specs.LinuxSeccomp, want map[string]string) childRun {
	t.Helper()
	var probes []string
	for p := range want {
		probes = append(probes, p)
	}
	run := runChild(t, sc, probes, nil)
	if !run.state.Success() {
		t.Fatalf("child: %v\n%s", run.state, run.stderr)
	}
	for p, w := range want {
		if got := run.results[p]; got != w {
			t.Errorf("%s: got %q, want %q", p, got, w)
		}
	}
	return run
}

// goRuntime is what a Go child needs on its locked thread, after the
// filter is loaded, to report and exit. All of it predates clone3 (435)
// and openat2 (437), so an allow-list of it has a horizon below them.
var goRuntime = []string{
	"read", "write", "close", "mmap", "munmap", "mprotect", "madvise", "brk",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"futex", "nanosleep", "sched_yield", "getpid", "gettid", "tgkill",
	"clock_gettime", "gettimeofday", "exit", "exit_group",
}

func TestKernelErrno(t *testing.T) {
	expect(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir"}, Action: specs.ActErrno},
			{Names: []string{"rmdir"}, Action: specs.ActErrno, ErrnoRet: ptr(uint(unix.EXDEV))},
		},
	}, map[string]string{
		"mkdir":  "EPERM", // errnoRet defaults to EPERM
		"rmdir":  "EXDEV",
		"getpid": "ok",
		"open":   "ok",
		// An allow-by-default profile gets no ENOSYS stub: clone3
		// reaches the kernel, which refuses size 0.
		"clone3": "EINVAL",
	})
}

func TestKernelAllowList(t *testing.T) {
	expect(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Syscalls:      []specs.LinuxSyscall{{Names: goRuntime, Action: specs.ActAllow}},
	}, map[string]string{
		"getpid":  "ok",
		"mkdir":   "EPERM", // older than the profile: the default action
		"getppid": "EPERM",
		"clone3":  "ENOSYS", // newer than anything the profile names
		"openat2": "ENOSYS",
	})
}

func TestKernelDefaultErrnoRet(t *testing.T) {
	expect(t, &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: ptr(uint(unix.EXDEV)),
		Syscalls: []specs.LinuxSyscall{
			{Names: goRuntime, Action: specs.ActAllow},
			// A rule's errno does not inherit defaultErrnoRet.
			{Names: []string{"rmdir"}, Action: specs.ActErrno},
		},
	}, map[string]string{
		"getpid": "ok",
		"mkdir":  "EXDEV",
		"rmdir":  "EPERM",
		"clone3": "ENOSYS",
	})
}

func TestKernelDefaultENOSYS(t *testing.T) {
	// The default already says ENOSYS; the stub would add nothing.
	expect(t, &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: ptr(uint(unix.ENOSYS)),
		Syscalls:        []specs.LinuxSyscall{{Names: goRuntime, Action: specs.ActAllow}},
	}, map[string]string{
		"mkdir":  "ENOSYS",
		"clone3": "ENOSYS",
		"getpid": "ok",
	})
}

func TestKernelArgs(t *testing.T) {
	errno := func(name string, args ...specs.LinuxSeccompArg) specs.LinuxSyscall {
		return specs.LinuxSyscall{Names: []string{name}, Action: specs.ActErrno, ErrnoRet: ptr(uint(unix.EXDEV)), Args: args}
	}
	arg := func(i uint, op specs.LinuxSeccompOperator, v uint64) specs.LinuxSeccompArg {
		return specs.LinuxSeccompArg{Index: i, Op: op, Value: v}
	}
	expect(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			errno("personality", arg(0, specs.OpEqualTo, 0xffffffff)),
			errno("getppid", specs.LinuxSeccompArg{Index: 0, Op: specs.OpMaskedEqual, Value: 0xff00, ValueTwo: 0x1200}),
			errno("getpgrp", arg(1, specs.OpEqualTo, 0x1_0000_0002)),
			errno("getuid", arg(2, specs.OpGreaterThan, 0xffffffff)),
			errno("getgid", arg(0, specs.OpNotEqual, 5)),
			errno("geteuid", arg(3, specs.OpLessThan, 10)),
			errno("getegid", arg(4, specs.OpLessEqual, 10)),
			errno("munlockall", arg(5, specs.OpGreaterEqual, 0x1_0000_0000)),
			// Distinct arguments: both must hold (AND).
			errno("getpid", arg(0, specs.OpEqualTo, 1), arg(1, specs.OpEqualTo, 2)),
			// The same argument twice: either may hold (OR).
			errno("unshare", arg(0, specs.OpEqualTo, 0), arg(0, specs.OpEqualTo, 0x1_0000_0000)),
		},
	}, map[string]string{
		"personality:0xffffffff":           "EXDEV",
		"personality:0":                    "ok",
		"getppid:0x12ab":                   "EXDEV",
		"getppid:0xff12ab":                 "EXDEV",
		"getppid:0x13ab":                   "ok",
		"getpgrp:0:0x100000002":            "EXDEV",
		"getpgrp:0:0x2":                    "ok", // same low half
		"getpgrp:0:0x200000002":            "ok",
		"getuid:0:0:0x100000000":           "EXDEV",
		"getuid:0:0:0xffffffff":            "ok",
		"getgid:6":                         "EXDEV",
		"getgid:5":                         "ok",
		"getgid:0x100000005":               "EXDEV",
		"geteuid:0:0:0:9":                  "EXDEV",
		"geteuid:0:0:0:10":                 "ok",
		"geteuid:0:0:0:0x100000000":        "ok", // low half 0, but not less than 10
		"getegid:0:0:0:0:10":               "EXDEV",
		"getegid:0:0:0:0:11":               "ok",
		"munlockall:0:0:0:0:0:0x1ffffffff": "EXDEV",
		"munlockall:0:0:0:0:0:0xffffffff":  "ok",
		"getpid:1:2":                       "EXDEV",
		"getpid:1:3":                       "ok",
		"getpid:0:2":                       "ok",
		"unshare:0":                        "EXDEV",
		"unshare:0x100000000":              "EXDEV",
		"unshare:0x200000000":              "EINVAL", // reached the kernel
	})
}

func TestKernelTrace(t *testing.T) {
	// seccomp(2): with no tracer attached, SECCOMP_RET_TRACE fails the
	// syscall with ENOSYS.
	expect(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActTrace, ErrnoRet: ptr(uint(7))}},
	}, map[string]string{"getppid": "ENOSYS", "getpid": "ok"})
}

func TestKernelLog(t *testing.T) {
	run := expect(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Flags:         []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow},
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActLog}},
	}, map[string]string{"getppid": "ok"})
	// The kernel logs SECCOMP_RET_LOG as an audit record (type 1326);
	// without auditd it reaches the kernel log, rate-limited.
	want := fmt.Sprintf(" pid=%d ", run.state.Pid())
	if !kmsgHas(t, want, fmt.Sprintf("syscall=%d ", unix.SYS_GETPPID), "code=0x7ffc0000") {
		t.Skip("no audit record in /dev/kmsg (auditd running, or printk rate limit)")
	}
}

// kmsgHas tells whether a record of the kernel log contains every part.
func kmsgHas(t *testing.T, parts ...string) bool {
	// A raw fd: os.File.Fd would switch it back to blocking reads.
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Logf("kernel log: %v", err)
		return false
	}
	defer unix.Close(fd)
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EPIPE {
			continue // overwritten records: go on with the next
		}
		if err != nil || n <= 0 {
			return false
		}
		rec := string(buf[:n])
		found := true
		for _, p := range parts {
			found = found && strings.Contains(rec, p)
		}
		if found {
			return true
		}
	}
}

func TestKernelKillProcess(t *testing.T) {
	run := runChild(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActKillProcess}},
	}, []string{"getppid"}, nil)
	ws := run.state.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != unix.SIGSYS {
		t.Fatalf("child: %v, want killed by SIGSYS\n%s", run.state, run.stderr)
	}
	if run.results != nil {
		t.Errorf("child reported %v after the killing syscall", run.results)
	}
}

func TestKernelKillThread(t *testing.T) {
	for _, act := range []specs.LinuxSeccompAction{specs.ActKill, specs.ActKillThread} {
		t.Run(string(act), func(t *testing.T) {
			// TSYNC puts the filter on the child's other thread too, which
			// the kill takes while the rest of the process carries on.
			expect(t, &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Flags:         []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"},
				Syscalls:      []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: act}},
			}, map[string]string{"other:getppid": "thread killed", "getpid": "ok"})
		})
	}
}

func TestKernelTrap(t *testing.T) {
	run := runChild(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActTrap}},
	}, []string{"getppid"}, nil)
	// SIGSYS is delivered, not fatal by itself: the Go runtime catches it
	// and crashes with exit status 2, naming the signal and its si_code,
	// SYS_SECCOMP (1).
	if run.state.ExitCode() != 2 || !strings.Contains(run.stderr, "SIGSYS: bad system call") || !strings.Contains(run.stderr, "sigcode=1") {
		t.Fatalf("child: %v, want the Go runtime's SIGSYS crash\n%s", run.state, run.stderr)
	}
}

func TestKernelTSYNC(t *testing.T) {
	sc := func(flags ...specs.LinuxSeccompFlag) *specs.LinuxSeccomp {
		return &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Flags:         flags,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActErrno}},
		}
	}
	t.Run("without", func(t *testing.T) {
		expect(t, sc(), map[string]string{"getppid": "EPERM", "other:getppid": "ok"})
	})
	t.Run("with", func(t *testing.T) {
		expect(t, sc("SECCOMP_FILTER_FLAG_TSYNC"), map[string]string{"getppid": "EPERM", "other:getppid": "EPERM"})
	})
}
