package cgroups

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The bpf(2) commands setV2Devices needs, on golang.org/x/sys/unix, which
// has the constants but no attribute structs.
//
// Each command takes a pointer to union bpf_attr (include/uapi/linux/bpf.h)
// and its size. The structs below lay out one command's member of the
// union each, with the offsets as gcc puts them for Linux 6.18, and pad it
// to the whole union. Whatever skiff does not set stays zero: the kernel
// fails a command with EINVAL when a byte after that command's last field
// is not (CHECK_ATTR in kernel/bpf/syscall.c), and with E2BIG when we pass
// more than it knows and the extra bytes are not (bpf_check_uarg_tail_zero).
// Passing the whole union rather than just the fields used matters for
// output: the kernel writes results (BPF_PROG_QUERY's revision, at 56) at
// their offsets whatever size it was given.

// bpfAttrSize is sizeof(union bpf_attr) on Linux 6.18. An older kernel
// checks that the bytes past its own union are zero; a newer one reads
// the ones we do not pass as zero.
const bpfAttrSize = 168

// bpfProgLoadAttr is the BPF_PROG_LOAD member.
type bpfProgLoadAttr struct {
	progType    uint32                      // 0   prog_type
	insnCnt     uint32                      // 4   insn_cnt
	insns       unsafe.Pointer              // 8   insns: struct bpf_insn *
	license     unsafe.Pointer              // 16  license: const char *
	logLevel    uint32                      // 24  log_level
	logSize     uint32                      // 28  log_size
	logBuf      unsafe.Pointer              // 32  log_buf: char *
	kernVersion uint32                      // 40  kern_version
	progFlags   uint32                      // 44  prog_flags
	progName    [unix.BPF_OBJ_NAME_LEN]byte // 48  prog_name
	_           [bpfAttrSize - 64]byte      // 64  prog_ifindex, expected_attach_type, ...
}

// bpfProgAttachAttr is the BPF_PROG_ATTACH and BPF_PROG_DETACH member.
type bpfProgAttachAttr struct {
	targetFD    uint32                 // 0   target_fd
	attachBPFFD uint32                 // 4   attach_bpf_fd
	attachType  uint32                 // 8   attach_type
	attachFlags uint32                 // 12  attach_flags
	_           [bpfAttrSize - 16]byte // 16  replace_bpf_fd, relative_fd, expected_revision
}

// bpfProgQueryAttr is the BPF_PROG_QUERY member (query).
type bpfProgQueryAttr struct {
	targetFD    uint32                 // 0   target_fd
	attachType  uint32                 // 4   attach_type
	queryFlags  uint32                 // 8   query_flags
	attachFlags uint32                 // 12  attach_flags (out)
	progIDs     unsafe.Pointer         // 16  prog_ids: __u32 * (out)
	progCnt     uint32                 // 24  prog_cnt (in: room in prog_ids; out: programs attached)
	_           uint32                 // 28  padding
	_           [bpfAttrSize - 32]byte // 32  prog_attach_flags, link_ids, link_attach_flags, revision (out, at 56)
}

// bpfGetFDByIDAttr is the BPF_PROG_GET_FD_BY_ID member.
type bpfGetFDByIDAttr struct {
	progID uint32                // 0   prog_id
	_      [bpfAttrSize - 4]byte // 4   next_id, open_flags
}

// bpfInfoByFDAttr is the BPF_OBJ_GET_INFO_BY_FD member (info).
type bpfInfoByFDAttr struct {
	bpfFD   uint32                 // 0   bpf_fd
	infoLen uint32                 // 4   info_len (in: size of info; out: bytes written)
	info    unsafe.Pointer         // 8   info: struct bpf_prog_info *
	_       [bpfAttrSize - 16]byte // 16
}

// bpfProgInfo is the head of struct bpf_prog_info, up to the name. The
// kernel fills no more than info_len bytes of it (bpf_prog_get_info_by_fd).
type bpfProgInfo struct {
	progType     uint32                      // 0   type
	id           uint32                      // 4   id
	tag          [8]byte                     // 8   tag
	jitedLen     uint32                      // 16  jited_prog_len
	xlatedLen    uint32                      // 20  xlated_prog_len
	jitedInsns   uint64                      // 24  jited_prog_insns
	xlatedInsns  uint64                      // 32  xlated_prog_insns
	loadTime     uint64                      // 40  load_time
	createdByUID uint32                      // 48  created_by_uid
	nrMapIDs     uint32                      // 52  nr_map_ids
	mapIDs       uint64                      // 56  map_ids
	name         [unix.BPF_OBJ_NAME_LEN]byte // 64  name
}

// Every attr struct is exactly the union: these fail to compile otherwise.
var (
	_ [unsafe.Sizeof(bpfProgLoadAttr{}) - bpfAttrSize]byte
	_ [bpfAttrSize - unsafe.Sizeof(bpfProgLoadAttr{})]byte
	_ [unsafe.Sizeof(bpfProgAttachAttr{}) - bpfAttrSize]byte
	_ [bpfAttrSize - unsafe.Sizeof(bpfProgAttachAttr{})]byte
	_ [unsafe.Sizeof(bpfProgQueryAttr{}) - bpfAttrSize]byte
	_ [bpfAttrSize - unsafe.Sizeof(bpfProgQueryAttr{})]byte
	_ [unsafe.Sizeof(bpfGetFDByIDAttr{}) - bpfAttrSize]byte
	_ [bpfAttrSize - unsafe.Sizeof(bpfGetFDByIDAttr{})]byte
	_ [unsafe.Sizeof(bpfInfoByFDAttr{}) - bpfAttrSize]byte
	_ [bpfAttrSize - unsafe.Sizeof(bpfInfoByFDAttr{})]byte
)

// bpf makes the syscall. The union's pointers are __aligned_u64; the
// structs hold them as unsafe.Pointer, 8 bytes on the 64-bit platforms
// skiff builds for (the size checks above fail on others), so the garbage
// collector keeps what they point at alive and in place until the kernel
// has used it: a uint64 would not stop a goroutine stack move from leaving
// the kernel an old address.
func bpf(cmd int, attr unsafe.Pointer) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), bpfAttrSize)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// bpfLoadDeviceProgram loads a BPF_PROG_TYPE_CGROUP_DEVICE program and
// returns its fd (close-on-exec: bpf_prog_new_fd). When the kernel rejects
// it for other reasons than permission, it loads it again with the
// verifier's log for the error message.
func bpfLoadDeviceProgram(name, license string, insns []bpfInsn) (int, error) {
	fd, err := bpfProgLoad(name, license, insns, nil)
	if err == nil || errors.Is(err, unix.EPERM) {
		return fd, err
	}
	log := make([]byte, 64<<10)
	if fd, err2 := bpfProgLoad(name, license, insns, log); err2 == nil {
		return fd, nil
	}
	if msg := verifierMessage(log); msg != "" {
		return -1, fmt.Errorf("%w (verifier: %s)", err, msg)
	}
	return -1, err
}

func bpfProgLoad(name, license string, insns []bpfInsn, log []byte) (int, error) {
	if len(insns) == 0 {
		return -1, errors.New("bpf: empty program")
	}
	lic := append([]byte(license), 0)
	attr := bpfProgLoadAttr{
		progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE,
		insnCnt:  uint32(len(insns)),
		insns:    unsafe.Pointer(&insns[0]),
		license:  unsafe.Pointer(&lic[0]),
	}
	// The last byte stays NUL; the kernel allows [A-Za-z0-9_.] before it.
	copy(attr.progName[:len(attr.progName)-1], name)
	if len(log) > 0 {
		attr.logLevel = 1
		attr.logSize = uint32(len(log))
		attr.logBuf = unsafe.Pointer(&log[0])
	}
	for {
		fd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr))
		// The verifier returns EAGAIN when a signal interrupts it (Go's
		// preemption sends SIGURG); libbpf and cilium/ebpf retry too.
		if err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return -1, os.NewSyscallError("bpf BPF_PROG_LOAD", err)
		}
		return fd, nil
	}
}

// verifierMessage picks the reason for a rejection out of a verifier log
// ("R0 !read_ok") with the instruction it is about ("0: (95) exit"). The
// lines before trace the instructions verified; the last one is counts.
func verifierMessage(log []byte) string {
	if i := bytes.IndexByte(log, 0); i >= 0 {
		log = log[:i]
	}
	lines := strings.Split(strings.TrimRight(string(log), "\n"), "\n")
	if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "processed ") {
		lines = lines[:n-1]
	}
	n := len(lines)
	switch {
	case n == 0:
		return ""
	case n >= 2 && strings.Contains(lines[n-2], ": ("):
		insn, _, _ := strings.Cut(lines[n-2], " ; ") // drop the register states
		return strings.TrimSpace(insn) + ": " + lines[n-1]
	}
	return lines[n-1]
}

// bpfProgAttach attaches prog to the cgroup open at target, for
// BPF_CGROUP_DEVICE.
func bpfProgAttach(target, prog int, flags uint32) error {
	attr := bpfProgAttachAttr{
		targetFD:    uint32(target),
		attachBPFFD: uint32(prog),
		attachType:  unix.BPF_CGROUP_DEVICE,
		attachFlags: flags,
	}
	if _, err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attr)); err != nil {
		return os.NewSyscallError("bpf BPF_PROG_ATTACH", err)
	}
	return nil
}

// bpfProgDetach detaches prog from the cgroup open at target. A cgroup
// attached with BPF_F_ALLOW_MULTI needs the program named
// (__cgroup_bpf_detach, kernel/bpf/cgroup.c).
func bpfProgDetach(target, prog int) error {
	attr := bpfProgAttachAttr{
		targetFD:    uint32(target),
		attachBPFFD: uint32(prog),
		attachType:  unix.BPF_CGROUP_DEVICE,
	}
	if _, err := bpf(unix.BPF_PROG_DETACH, unsafe.Pointer(&attr)); err != nil {
		return os.NewSyscallError("bpf BPF_PROG_DETACH", err)
	}
	return nil
}

// bpfProgQuery lists the IDs of the BPF_CGROUP_DEVICE programs attached
// to the cgroup open at target itself, not those it inherits.
func bpfProgQuery(target int) ([]uint32, error) {
	// A cgroup holds at most 64 programs per attach type
	// (BPF_CGROUP_MAX_PROGS, kernel/bpf/cgroup.c), so one call is the
	// rule; on ENOSPC the kernel has said how many there are.
	ids := make([]uint32, 64)
	for {
		attr := bpfProgQueryAttr{
			targetFD:   uint32(target),
			attachType: unix.BPF_CGROUP_DEVICE,
			progIDs:    unsafe.Pointer(&ids[0]),
			progCnt:    uint32(len(ids)),
		}
		_, err := bpf(unix.BPF_PROG_QUERY, unsafe.Pointer(&attr))
		if err == unix.ENOSPC && int(attr.progCnt) > len(ids) {
			ids = make([]uint32, attr.progCnt)
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("bpf BPF_PROG_QUERY", err)
		}
		return ids[:min(int(attr.progCnt), len(ids))], nil
	}
}

// bpfProgOpen opens the program with the given ID.
func bpfProgOpen(id uint32) (int, error) {
	attr := bpfGetFDByIDAttr{progID: id}
	fd, err := bpf(unix.BPF_PROG_GET_FD_BY_ID, unsafe.Pointer(&attr))
	if err != nil {
		return -1, os.NewSyscallError("bpf BPF_PROG_GET_FD_BY_ID", err)
	}
	return fd, nil
}

// bpfProgName is the name the program open at fd was loaded with.
func bpfProgName(fd int) (string, error) {
	var info bpfProgInfo
	attr := bpfInfoByFDAttr{
		bpfFD:   uint32(fd),
		infoLen: uint32(unsafe.Sizeof(info)),
		info:    unsafe.Pointer(&info),
	}
	_, err := bpf(unix.BPF_OBJ_GET_INFO_BY_FD, unsafe.Pointer(&attr))
	if err != nil {
		return "", os.NewSyscallError("bpf BPF_OBJ_GET_INFO_BY_FD", err)
	}
	return unix.ByteSliceToString(info.name[:]), nil
}
