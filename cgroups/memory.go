package cgroups

import (
	"errors"
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

const memswFile = "memory.memsw.limit_in_bytes"

// v1Memory: limit, swap (memsw, i.e. memory+swap, as runc), reservation,
// kernelTCP, swappiness, disableOOMKiller, useHierarchy. memory.kernel is
// accepted and ignored: kernels since 5.4 no longer honour it.
func v1Memory(r *specs.LinuxResources, f v1Features) ([]write, error) {
	m := r.Memory
	if m == nil || !f.controllers["memory"] {
		return nil, nil
	}
	w := func(file, value, field string) write {
		return write{key: "memory", file: file, value: value, field: field}
	}
	limit, swap := i64(m.Limit), i64(m.Swap)
	if err := checkBeforeUpdate(m, limit, f.memUsage); err != nil {
		return nil, err
	}
	swapField := fMemSwap
	if limit == -1 && swap == 0 && f.files[memswFile] {
		// The kernel keeps memsw >= limit, so an old memsw limit would
		// refuse "unlimited"; lift it too, as runc does.
		swap, swapField = -1, fMemLimit
	}
	var ws []write
	var memsw *write
	if swap != 0 {
		switch {
		case f.files[memswFile]:
			sw := w(memswFile, itoa(swap), swapField)
			memsw = &sw
		case swap != -1:
			return nil, fmt.Errorf("%s: swap accounting is off on this host (no %s)", fMemSwap, memswFile)
		}
		// Unlimited swap without swap accounting is what the host does
		// anyway: nothing to write.
	}
	lim := w("memory.limit_in_bytes", itoa(limit), fMemLimit)
	switch {
	case limit != 0 && memsw != nil:
		// memsw may never drop below limit: raise memsw first when
		// growing past the current limit, shrink limit first otherwise.
		if swap == -1 || f.memLimit < swap {
			ws = append(ws, *memsw, lim)
		} else {
			ws = append(ws, lim, *memsw)
		}
	case limit != 0:
		ws = append(ws, lim)
	case memsw != nil:
		ws = append(ws, *memsw)
	}
	if v := i64(m.Reservation); v != 0 {
		ws = append(ws, w("memory.soft_limit_in_bytes", itoa(v), fMemReservation))
	}
	if m.KernelTCP != nil && f.files["memory.kmem.tcp.limit_in_bytes"] {
		ws = append(ws, w("memory.kmem.tcp.limit_in_bytes", itoa(*m.KernelTCP), fMemKernelTCP))
	}
	if m.Swappiness != nil {
		ws = append(ws, w("memory.swappiness", strconv.FormatUint(*m.Swappiness, 10), fMemSwappiness))
	}
	if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
		ws = append(ws, w("memory.oom_control", "1", fMemDisableOOM))
	}
	if m.UseHierarchy != nil {
		ws = append(ws, w("memory.use_hierarchy", boolDigit(*m.UseHierarchy), fMemUseHierarchy))
	}
	return ws, nil
}

// v2Memory: memory.max, memory.low (reservation) and memory.swap.max,
// which on v2 counts swap alone. kernel, kernelTCP, swappiness,
// disableOOMKiller and useHierarchy have no v2 file and are ignored.
func v2Memory(r *specs.LinuxResources, f v2Features) ([]write, error) {
	m := r.Memory
	if m == nil || !f.controllers["memory"] {
		return nil, nil
	}
	w := func(file, value, field string) write {
		return write{key: "", file: file, value: value, field: field}
	}
	limit := i64(m.Limit)
	if err := checkBeforeUpdate(m, limit, f.memUsage); err != nil {
		return nil, err
	}
	var ws []write
	swap, err := v2SwapValue(i64(m.Swap), limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fMemSwap, err)
	}
	if swap != 0 {
		switch {
		case f.files["memory.swap.max"]:
			ws = append(ws, w("memory.swap.max", maxOr(swap), fMemSwap))
		case swap != -1:
			return nil, fmt.Errorf("%s: swap accounting is off on this host (no memory.swap.max)", fMemSwap)
		}
	}
	if limit != 0 {
		ws = append(ws, w("memory.max", maxOr(limit), fMemLimit))
	}
	if v := i64(m.Reservation); v != 0 {
		ws = append(ws, w("memory.low", maxOr(v), fMemReservation))
	}
	return ws, nil
}

// v2SwapValue converts the OCI memory+swap figure to v2's swap-only
// memory.swap.max, as runc does: 0 is unset, -1 unlimited, and unlimited
// memory with unset swap means unlimited swap as well.
func v2SwapValue(swap, limit int64) (int64, error) {
	if limit == -1 && swap == 0 {
		return -1, nil
	}
	if swap == -1 || swap == 0 {
		return swap, nil
	}
	if limit == 0 || limit == -1 {
		return 0, errors.New("cannot limit swap without a memory limit on cgroup v2")
	}
	if swap < limit {
		return 0, fmt.Errorf("%d is below memory.limit %d (swap counts memory+swap)", swap, limit)
	}
	return swap - limit, nil
}

// checkBeforeUpdate refuses a limit below current usage when asked to,
// instead of letting the kernel reclaim or OOM-kill.
func checkBeforeUpdate(m *specs.LinuxMemory, limit int64, usage uint64) error {
	if m.CheckBeforeUpdate == nil || !*m.CheckBeforeUpdate || limit <= 0 {
		return nil
	}
	if usage > uint64(limit) {
		return fmt.Errorf("%s: %d is below current usage %d", fMemLimit, limit, usage)
	}
	return nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// maxOr spells negative (unlimited) values the v2 way.
func maxOr(v int64) string {
	if v < 0 {
		return "max"
	}
	return itoa(v)
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
