//go:build amd64

package seccomp

import (
	"fmt"
	"os"
	"testing"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The user-notification structures of include/uapi/linux/seccomp.h, which
// golang.org/x/sys/unix does not define.
type seccompData struct {
	Nr   int32
	Arch uint32
	IP   uint64
	Args [6]uint64
}

type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  seccompData
}

type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// The ioctl numbers encode the structure sizes.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(seccompNotif{})-(unix.SECCOMP_IOCTL_NOTIF_RECV>>16&0x3fff)]
	_ = [1]struct{}{}[unsafe.Sizeof(seccompNotifResp{})-(unix.SECCOMP_IOCTL_NOTIF_SEND>>16&0x3fff)]
)

// notification is what the test's agent saw.
type notification struct {
	notif seccompNotif
	err   error
}

// agent receives the listener fd on sock, answers the first notification
// with errno, and reports it.
func agent(sock *os.File, errno unix.Errno) <-chan notification {
	out := make(chan notification, 1)
	go func() {
		var n notification
		defer func() { out <- n }()
		buf := make([]byte, 1)
		oob := make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), buf, oob, 0)
		if err != nil {
			n.err = err
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			n.err = err
			return
		}
		fds, err := unix.ParseUnixRights(&msgs[0])
		if err != nil {
			n.err = err
			return
		}
		listener := fds[0]
		defer unix.Close(listener)
		// NOTIF_RECV wants a zeroed structure and blocks until a
		// syscall is caught.
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(listener), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&n.notif))); e != 0 {
			n.err = e
			return
		}
		// The kernel fails the syscall with resp.error, a negated errno.
		resp := seccompNotifResp{ID: n.notif.ID, Error: -int32(errno)}
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(listener), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&resp))); e != 0 {
			n.err = e
		}
	}()
	return out
}

func TestKernelNotify(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags []specs.LinuxSeccompFlag
	}{
		{"plain", nil},
		// TSYNC with a listener needs TSYNC_ESRCH, which Load adds;
		// WAIT_KILLABLE_RECV needs the listener (Linux 5.19).
		{"tsync and wait killable", []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagWaitKillableRecv}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			mine, theirs := os.NewFile(uintptr(fds[0]), "agent"), os.NewFile(uintptr(fds[1]), "child")
			defer mine.Close()
			seen := agent(mine, unix.EXDEV)
			run := runChild(t, &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Flags:         tc.flags,
				ListenerPath:  "/run/agent.sock", // required, though the test passes the fd itself
				Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}},
			}, []string{"mkdir", "getpid"}, theirs)
			theirs.Close()
			if !run.state.Success() {
				t.Fatalf("child: %v\n%s", run.state, run.stderr)
			}
			n := <-seen
			if n.err != nil {
				t.Fatalf("agent: %v", n.err)
			}
			// seccomp_notif.pid is the id of the calling thread.
			if tid := fmt.Sprint(n.notif.Pid); n.notif.Data.Nr != unix.SYS_MKDIR || n.notif.Data.Arch != unix.AUDIT_ARCH_X86_64 || tid != run.results["tid"] {
				t.Errorf("notification %+v, want mkdir on x86_64 from thread %s", n.notif, run.results["tid"])
			}
			if got := run.results["mkdir"]; got != "EXDEV" {
				t.Errorf("mkdir: got %q, want the agent's EXDEV", got)
			}
			if got := run.results["getpid"]; got != "ok" {
				t.Errorf("getpid: got %q, want ok", got)
			}
		})
	}
}
