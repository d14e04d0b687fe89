package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// arch is one SCMP_ARCH_* of config-linux.md "Seccomp" and libseccomp's
// name for it (seccomp_arch_resolve_name, src/arch.c). Whether the linked
// libseccomp supports it is for skiff-init to find out: 2.5.4 knows
// neither loongarch64, m68k nor SuperH.
type arch struct {
	name specs.Arch
	lib  string
}

// arches lists every architecture the specification names (libseccomp
// v2.6.0).
var arches = [...]arch{
	{specs.ArchX86, "x86"},
	{specs.ArchX86_64, "x86_64"},
	{specs.ArchX32, "x32"},
	{specs.ArchARM, "arm"},
	{specs.ArchAARCH64, "aarch64"},
	{specs.ArchMIPS, "mips"},
	{specs.ArchMIPS64, "mips64"},
	{specs.ArchMIPS64N32, "mips64n32"},
	{specs.ArchMIPSEL, "mipsel"},
	{specs.ArchMIPSEL64, "mipsel64"},
	{specs.ArchMIPSEL64N32, "mipsel64n32"},
	{specs.ArchPPC, "ppc"},
	{specs.ArchPPC64, "ppc64"},
	{specs.ArchPPC64LE, "ppc64le"},
	{specs.ArchS390, "s390"},
	{specs.ArchS390X, "s390x"},
	{specs.ArchPARISC, "parisc"},
	{specs.ArchPARISC64, "parisc64"},
	{specs.ArchRISCV64, "riscv64"},
	{specs.ArchLOONGARCH64, "loongarch64"},
	{specs.ArchM68K, "m68k"},
	// libseccomp's "sh" is little-endian SuperH, "sheb" big-endian.
	{specs.ArchSH, "sh"},
	{specs.ArchSHEB, "sheb"},
}

func archByName(name specs.Arch) (arch, bool) {
	for _, a := range arches {
		if a.name == name {
			return a, true
		}
	}
	return arch{}, false
}

// action maps an SCMP_ACT_* name to its value, without the errno or trace
// value that ERRNO and TRACE carry.
func action(name specs.LinuxSeccompAction) (Action, bool) {
	switch name {
	case specs.ActKill, specs.ActKillThread:
		// SCMP_ACT_KILL is the historical name of killing the thread
		// (SECCOMP_RET_KILL == SECCOMP_RET_KILL_THREAD).
		return ActKillThread, true
	case specs.ActKillProcess:
		return ActKillProcess, true
	case specs.ActTrap:
		return ActTrap, true
	case specs.ActErrno:
		return ActErrno, true
	case specs.ActTrace:
		return ActTrace, true
	case specs.ActAllow:
		return ActAllow, true
	case specs.ActLog:
		return ActLog, true
	case specs.ActNotify:
		return ActNotify, true
	}
	return 0, false
}

func operator(op specs.LinuxSeccompOperator) (Op, bool) {
	switch op {
	case specs.OpNotEqual:
		return OpNotEqual, true
	case specs.OpLessThan:
		return OpLess, true
	case specs.OpLessEqual:
		return OpLessOrEqual, true
	case specs.OpEqualTo:
		return OpEqual, true
	case specs.OpGreaterEqual:
		return OpGreaterOrEqual, true
	case specs.OpGreaterThan:
		return OpGreater, true
	case specs.OpMaskedEqual:
		return OpMaskedEqual, true
	}
	return 0, false
}
