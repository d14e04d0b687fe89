package seccomp

import (
	"errors"
	"fmt"
	"io"
	"os"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// newFilter builds the libseccomp filter of a plan. The caller releases it.
func newFilter(p *plan) (*libseccomp.ScmpFilter, error) {
	// The filter starts with the native architecture, as libseccomp's
	// always does: a profile cannot leave out the runtime's own ABI.
	f, err := libseccomp.NewFilter(p.defaultAction)
	if err != nil {
		return nil, fmt.Errorf("create seccomp filter: %w", err)
	}
	for i, a := range p.arches {
		if err := f.AddArch(a.scmp); err != nil {
			f.Release()
			return nil, wrapf(at("linux.seccomp.architectures", i), err, "add %s", a.name)
		}
	}
	for _, r := range p.rules {
		if err := addRule(f, r); err != nil {
			f.Release()
			return nil, err
		}
	}
	return f, nil
}

// addRule adds every name of one linux.seccomp.syscalls entry.
func addRule(f *libseccomp.ScmpFilter, r rule) error {
	for j, name := range r.names {
		nr, err := libseccomp.GetSyscallFromName(name)
		if err != nil {
			// A name this libseccomp does not know is skipped, as runc
			// does: profiles list syscalls of newer kernels and other
			// architectures, and refusing them would make one profile
			// unusable across hosts.
			continue
		}
		if len(r.conds) == 0 {
			err = f.AddRule(nr, r.action)
		}
		for _, set := range r.conds {
			if err = f.AddRuleConditional(nr, r.action, set); err != nil {
				break
			}
		}
		if err != nil {
			return wrapf(at(r.field+".names", j), err, "add rule for %s", name)
		}
	}
	return nil
}

// exportBPF returns the filter's BPF program as raw struct sock_filter
// bytes. It goes through a memfd because seccomp_export_bpf_mem only exists
// from libseccomp 2.6 on, and Debian 12 ships 2.5.4.
func exportBPF(f *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("seccomp-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", os.NewSyscallError("memfd_create", err))
	}
	file := os.NewFile(uintptr(fd), "memfd:seccomp-bpf")
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	b, err := io.ReadAll(file)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	if len(b) == 0 {
		return nil, errors.New("export seccomp filter: libseccomp wrote no program")
	}
	return b, nil
}
