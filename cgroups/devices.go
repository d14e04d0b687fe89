package cgroups

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// v1Devices denies everything, then replays the rules in order, so the
// result is exactly the configured list whatever was there before.
func v1Devices(r *specs.LinuxResources, f v1Features) ([]write, error) {
	if len(r.Devices) == 0 || !f.controllers["devices"] {
		return nil, nil
	}
	ws := []write{{key: "devices", file: "devices.deny", value: "a", field: fDevices}}
	for i, d := range r.Devices {
		file := "devices.deny"
		if d.Allow {
			file = "devices.allow"
		}
		ws = append(ws, write{key: "devices", file: file, value: deviceRule(d), field: indexed(fDevices, i)})
	}
	return ws, nil
}

// deviceRule renders "type major:minor access"; an absent (or -1) number
// is the "*" wildcard, and type "a" needs nothing more.
func deviceRule(d specs.LinuxDeviceCgroup) string {
	t := d.Type
	if t == "" || t == "a" {
		return "a"
	}
	num := func(p *int64) string {
		if p == nil || *p < 0 {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	access := d.Access
	if access == "" {
		access = "rwm"
	}
	return t + " " + num(d.Major) + ":" + num(d.Minor) + " " + access
}

// deviceProgramName names skiff's device program in the kernel, so an
// update can tell it from programs others attached to the same cgroup.
const deviceProgramName = "skiff_devices"

// setV2Devices enforces devices on a cgroup2 directory, which has no
// devices files: the kernel asks the BPF_CGROUP_DEVICE programs attached
// to the cgroup and its ancestors on every open and mknod of a device node
// (Documentation/admin-guide/cgroup-v2.rst, "Device controller").
//
// The program is attached with BPF_PROG_ATTACH, not as a bpf_link: the
// cgroup then holds the program itself, so it stays in force after skiff
// exits and goes away with the cgroup when Destroy removes it. A link
// would be detached when its last fd closes, unless pinned in a bpffs
// that skiff would then have to mount and clean up.
//
// BPF_F_ALLOW_MULTI keeps the program in force for every cgroup below
// (a nested runtime or systemd in the container can add programs, not
// lift ours) and lets an update put the new program next to the old one.
// The old one is detached only after the new one is attached: while both
// are, a device needs both to allow it, so the window is never looser
// than either rule list.
func setV2Devices(dir string, rules []specs.LinuxDeviceCgroup) error {
	insns, err := deviceFilter(rules)
	if err != nil {
		return err
	}
	prog, err := bpfLoadDeviceProgram(deviceProgramName, "Apache-2.0", insns)
	if err != nil {
		// Loading a device program needs CAP_BPF and CAP_SYS_ADMIN in the
		// initial user namespace. A rootless caller has neither, and
		// there the rules protect nothing the kernel does not already
		// refuse the user; runc ignores device errors when rootless too.
		if errors.Is(err, unix.EPERM) && !hostRoot() {
			return nil
		}
		return fmt.Errorf("load device program: %w", err)
	}
	defer unix.Close(prog)

	cg, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(cg)
	// Found before attaching, so the new program is not among them.
	old, err := skiffDevicePrograms(cg)
	if err != nil {
		return fmt.Errorf("query device programs of %s: %w", dir, err)
	}
	defer closeFDs(old)
	if err := bpfProgAttach(cg, prog, unix.BPF_F_ALLOW_MULTI); err != nil {
		return fmt.Errorf("attach device program to %s: %w", dir, err)
	}
	for _, p := range old {
		err := bpfProgDetach(cg, p)
		// ENOENT: a concurrent update detached it first.
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("detach previous device program from %s: %w", dir, err)
		}
	}
	return nil
}

// skiffDevicePrograms opens the device programs attached directly to the
// cgroup (not inherited ones) that skiff loaded, recognised by name.
func skiffDevicePrograms(cg int) ([]int, error) {
	ids, err := bpfProgQuery(cg)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, id := range ids {
		p, err := bpfProgOpen(id)
		if errors.Is(err, unix.ENOENT) {
			continue // detached and freed since the query
		}
		if err != nil {
			closeFDs(out)
			return nil, err
		}
		name, err := bpfProgName(p)
		if err != nil {
			unix.Close(p)
			closeFDs(out)
			return nil, err
		}
		if name != deviceProgramName {
			unix.Close(p)
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// hostRoot tells whether we run as root of the initial user namespace,
// the only place a device program can be loaded from.
func hostRoot() bool {
	if os.Geteuid() != 0 {
		return false
	}
	data, err := readKernelFile("/proc/self/uid_map")
	if err != nil {
		return true
	}
	f := strings.Fields(string(data))
	return len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295"
}
