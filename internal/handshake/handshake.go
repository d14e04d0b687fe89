// Package handshake is the wire protocol between skiff's host side
// (internal/container) and a container's init (skiff-init, libinit/*.c),
// and nothing else.
//
// The conversation, by step (the same numbers appear in libinit/stage.c,
// libinit/init.c and internal/container/launch.go):
//
//  1. parent → C stage: Bootstrap record (namespaces to join and create)
//  2. C stage joins namespaces by path
//  3. C stage creates a user namespace; sends 'U', parent writes the id maps, answers 'u'
//  4. C stage creates the other namespaces
//  5. C stage forks into the pid namespace; sends 'P' + init's pid (or 'E' + error);
//     with a late cgroup the parent now moves init into the container's
//     cgroup, and init creates a new cgroup namespace on receiving the plan
//  6. parent → init: the plan (internal/initplan, built from Config); init
//     executes it: the root filesystem, then the process
//  7. init → parent: MsgHooks when prestart/createRuntime hooks must run; parent answers MsgHooksDone
//     init → parent: MsgSeccompFd and the notify fd, when the seccomp filter has a listener
//  8. init → parent: MsgReady once parked before the exec FIFO (or MsgError)
//
// After step 6, init's messages are length-prefixed JSON frames.
package handshake

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/seccomp"
)

// EnvUsernsHolder makes skiff-init a holder of a user namespace: it waits
// for stdin to close and exits.
const EnvUsernsHolder = "_SKIFF_USERNS_HOLDER"

// EnvInitPipe names the handshake socket's fd in init's environment. skiff-init
// refuses to run without it.
const EnvInitPipe = "_SKIFF_INITPIPE"

// maxFrame bounds a JSON frame so a confused peer cannot make us allocate
// without limit.
const maxFrame = 64 << 20

// Bootstrap is what init needs for steps 1-5.
type Bootstrap struct {
	CloneFlags  uintptr        // namespaces to create
	Joins       map[int]string // clone flag → namespace file to join
	TimeOffsets string         // contents for /proc/self/timens_offsets
	// LateCgroup says the parent moves init into its cgroup after step 5
	// instead of before step 1; a new cgroup namespace then waits for the
	// plan, which the parent sends after the move.
	LateCgroup bool
}

// ForksIntoPidNS says the stage forks init into a pid namespace, new or
// joined, so the process the parent started is not init.
func (b *Bootstrap) ForksIntoPidNS() bool {
	return b.CloneFlags&unix.CLONE_NEWPID != 0 || b.Joins[unix.CLONE_NEWPID] != ""
}

// Encode renders the record the C stage parses: u32 length, then
// NUL-terminated key=value strings.
func (b *Bootstrap) Encode() []byte {
	var sb strings.Builder
	sb.WriteString("clone=" + strconv.FormatUint(uint64(b.CloneFlags), 10) + "\x00")
	for flag, path := range b.Joins {
		sb.WriteString("join=" + strconv.Itoa(flag) + ":" + path + "\x00")
	}
	if b.TimeOffsets != "" {
		sb.WriteString("timens=" + b.TimeOffsets + "\x00")
	}
	if b.LateCgroup {
		sb.WriteString("cgroup=late\x00")
	}
	payload := sb.String()
	out := make([]byte, 4, 4+len(payload))
	binary.NativeEndian.PutUint32(out, uint32(len(payload)))
	return append(out, payload...)
}

// StageReply is one record the C stage sends: a request for id maps
// ('U'), the init's pid ('P'), or an error ('E').
type StageReply struct {
	Kind byte
	Pid  int
	Err  error
}

// ReadStageReply reads one record of the C stage.
func ReadStageReply(r io.Reader) (StageReply, error) {
	var tag [1]byte
	if _, err := io.ReadFull(r, tag[:]); err != nil {
		return StageReply{}, fmt.Errorf("read from init: %w", eofMeansExited(err))
	}
	switch tag[0] {
	case 'U':
		return StageReply{Kind: 'U'}, nil
	case 'P':
		var pid int32
		if err := binary.Read(r, binary.NativeEndian, &pid); err != nil {
			return StageReply{}, fmt.Errorf("read init pid: %w", eofMeansExited(err))
		}
		return StageReply{Kind: 'P', Pid: int(pid)}, nil
	case 'E':
		var hdr struct {
			Errno int32
			Len   uint32
		}
		if err := binary.Read(r, binary.NativeEndian, &hdr); err != nil {
			return StageReply{}, fmt.Errorf("read init error: %w", eofMeansExited(err))
		}
		if hdr.Len > 4096 {
			return StageReply{}, errors.New("read init error: record too long")
		}
		msg := make([]byte, hdr.Len)
		if _, err := io.ReadFull(r, msg); err != nil {
			return StageReply{}, fmt.Errorf("read init error: %w", eofMeansExited(err))
		}
		return StageReply{Kind: 'E', Err: &Error{Msg: string(msg), Errno: syscall.Errno(hdr.Errno)}}, nil
	}
	return StageReply{}, fmt.Errorf("read from init: unexpected record %q", tag[0])
}

func eofMeansExited(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("init exited without a report")
	}
	return err
}

// Config is everything the plan for steps 6 to 8 is built from.
type Config struct {
	ID      string      `json:"id"`
	Bundle  string      `json:"bundle"`
	Rootfs  string      `json:"rootfs"`
	Spec    *specs.Spec `json:"spec"`
	NoPivot bool        `json:"noPivot,omitempty"`
	// Exec says this init joins a running container: no setup of the
	// container's environment, no FIFO, no hooks; just the process.
	Exec bool `json:"exec,omitempty"`
	// NoNewKeyring keeps the caller's session keyring instead of a new one.
	NoNewKeyring bool `json:"noNewKeyring,omitempty"`
	// FifoFd is an O_PATH fd of the exec FIFO; init opens it for writing
	// and blocks there until `start`. Zero for exec.
	FifoFd int `json:"fifoFd,omitempty"`
	// ProcFd is a directory fd of the host's /proc, opened by the parent.
	// Init reopens the FIFO through ProcFd/<InitPid>/fd/<FifoFd>, which
	// works whatever mount and pid namespaces init has joined.
	ProcFd  int `json:"procFd,omitempty"`
	InitPid int `json:"initPid,omitempty"`
	// ConsoleFd is a connected unix socket to the --console-socket; the
	// pty master travels over it.
	ConsoleFd int `json:"consoleFd,omitempty"`
	// PreserveFds is how many fds from 3 up are handed to the process.
	PreserveFds int `json:"preserveFds,omitempty"`
	// HooksInParent says the parent has prestart/createRuntime hooks and
	// wants step 7.
	HooksInParent bool `json:"hooksInParent,omitempty"`
	// State is the container state JSON for hooks that init runs itself.
	State json.RawMessage `json:"state,omitempty"`
	// IDMapMounts are the indices in Spec.Mounts of the idmapped mounts:
	// the parent made each as a detached mount and sends their fds, in
	// this order, right after this frame (SendFds).
	IDMapMounts []int `json:"idmapMounts,omitempty"`
	// Seccomp is linux.seccomp checked and translated by the parent, and
	// SeccompProgram the BPF program compiled from it (on the host, by
	// skiff-init's compile mode, or from the program cache), which init
	// loads where the plan places it.
	Seccomp        *seccomp.Filter `json:"seccomp,omitempty"`
	SeccompProgram []byte          `json:"-"`
}

// Message kinds init sends after step 6.
const (
	// MsgSeccompFd precedes the seccomp notify fd (SendFds), which the
	// parent hands to linux.seccomp.listenerPath.
	MsgSeccompFd = "seccomp-fd"
	MsgHooks     = "hooks"
	MsgHooksDone = "hooks-done"
	MsgReady     = "ready"
	MsgError     = "error"
)

// Message is one frame after step 5.
type Message struct {
	Type  string `json:"type"`
	Error string `json:"error,omitempty"`
	Errno int    `json:"errno,omitempty"`
}

// Error is an error that crossed the boundary from init. It keeps the
// errno so errors.Is(err, unix.EPERM) still works in the parent.
type Error struct {
	Msg   string
	Errno syscall.Errno
}

func (e *Error) Error() string { return e.Msg }

// Unwrap exposes the errno.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// ErrorMessage turns err into a frame, keeping its errno.
func ErrorMessage(err error) Message {
	m := Message{Type: MsgError, Error: err.Error()}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		m.Errno = int(errno)
	}
	return m
}

// AsError converts an error frame back into an error.
func (m Message) AsError() error {
	return &Error{Msg: m.Error, Errno: syscall.Errno(m.Errno)}
}

// WriteFrame writes v as one length-prefixed JSON frame.
func WriteFrame(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf := make([]byte, 4, 4+len(data))
	binary.NativeEndian.PutUint32(buf, uint32(len(data)))
	buf = append(buf, data...)
	_, err = w.Write(buf)
	return err
}

// ReadFrame reads one frame into v.
func ReadFrame(r io.Reader, v any) error {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return eofMeansExited(err)
	}
	n := binary.NativeEndian.Uint32(hdr[:])
	if n > maxFrame {
		return fmt.Errorf("frame of %d bytes exceeds the limit", n)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return eofMeansExited(err)
	}
	return json.Unmarshal(data, v)
}

// SendFds passes fds to the other end with SCM_RIGHTS, after the frame
// that says how many follow.
func SendFds(conn *os.File, fds []int) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = raw.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), []byte{'F'}, unix.UnixRights(fds...), nil, 0)
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}

// RecvFds receives n fds sent with SendFds; they arrive close-on-exec.
func RecvFds(conn *os.File, n int) ([]int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4*n))
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("receive fds: %w", err)
	}
	// The parent's end is non-blocking: the fds may still be on their
	// way after the frame announcing them; wait for them in the poller.
	var oobn int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		_, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("receive fds: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("receive fds: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, fmt.Errorf("receive fds: %w", err)
		}
		fds = append(fds, got...)
	}
	if len(fds) != n {
		return nil, fmt.Errorf("receive fds: got %d, want %d", len(fds), n)
	}
	return fds, nil
}
