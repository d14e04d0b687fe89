package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// arch is one SCMP_ARCH_* of config-linux.md "Seccomp": libseccomp's token
// for it, and the AUDIT_ARCH_* value the kernel puts in seccomp_data.arch,
// which the ENOSYS stub compares against.
type arch struct {
	name  specs.Arch
	scmp  libseccomp.ScmpArch
	audit uint32
}

// arches lists every architecture the specification names (libseccomp
// v2.6.0). x32 has no audit value of its own: its syscalls arrive as
// AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT set in the number.
var arches = [...]arch{
	{specs.ArchX86, libseccomp.ArchX86, unix.AUDIT_ARCH_I386},
	{specs.ArchX86_64, libseccomp.ArchAMD64, unix.AUDIT_ARCH_X86_64},
	{specs.ArchX32, libseccomp.ArchX32, 0},
	{specs.ArchARM, libseccomp.ArchARM, unix.AUDIT_ARCH_ARM},
	{specs.ArchAARCH64, libseccomp.ArchARM64, unix.AUDIT_ARCH_AARCH64},
	{specs.ArchMIPS, libseccomp.ArchMIPS, unix.AUDIT_ARCH_MIPS},
	{specs.ArchMIPS64, libseccomp.ArchMIPS64, unix.AUDIT_ARCH_MIPS64},
	{specs.ArchMIPS64N32, libseccomp.ArchMIPS64N32, unix.AUDIT_ARCH_MIPS64N32},
	{specs.ArchMIPSEL, libseccomp.ArchMIPSEL, unix.AUDIT_ARCH_MIPSEL},
	{specs.ArchMIPSEL64, libseccomp.ArchMIPSEL64, unix.AUDIT_ARCH_MIPSEL64},
	{specs.ArchMIPSEL64N32, libseccomp.ArchMIPSEL64N32, unix.AUDIT_ARCH_MIPSEL64N32},
	{specs.ArchPPC, libseccomp.ArchPPC, unix.AUDIT_ARCH_PPC},
	{specs.ArchPPC64, libseccomp.ArchPPC64, unix.AUDIT_ARCH_PPC64},
	{specs.ArchPPC64LE, libseccomp.ArchPPC64LE, unix.AUDIT_ARCH_PPC64LE},
	{specs.ArchS390, libseccomp.ArchS390, unix.AUDIT_ARCH_S390},
	{specs.ArchS390X, libseccomp.ArchS390X, unix.AUDIT_ARCH_S390X},
	{specs.ArchPARISC, libseccomp.ArchPARISC, unix.AUDIT_ARCH_PARISC},
	{specs.ArchPARISC64, libseccomp.ArchPARISC64, unix.AUDIT_ARCH_PARISC64},
	{specs.ArchRISCV64, libseccomp.ArchRISCV64, unix.AUDIT_ARCH_RISCV64},
	{specs.ArchLOONGARCH64, libseccomp.ArchLOONGARCH64, unix.AUDIT_ARCH_LOONGARCH64},
	{specs.ArchM68K, libseccomp.ArchM68K, unix.AUDIT_ARCH_M68K},
	// libseccomp's "sh" is little-endian SuperH, "sheb" big-endian; the
	// kernel's plain AUDIT_ARCH_SH is the big-endian one.
	{specs.ArchSH, libseccomp.ArchSH, unix.AUDIT_ARCH_SHEL},
	{specs.ArchSHEB, libseccomp.ArchSHEB, unix.AUDIT_ARCH_SH},
}

func archByName(name specs.Arch) (arch, bool) {
	for _, a := range arches {
		if a.name == name {
			return a, true
		}
	}
	return arch{}, false
}

func archByToken(t libseccomp.ScmpArch) (arch, bool) {
	for _, a := range arches {
		if a.scmp == t {
			return a, true
		}
	}
	return arch{}, false
}

// action maps an SCMP_ACT_* name to libseccomp's action, without the errno
// or trace value that ERRNO and TRACE carry.
func action(name specs.LinuxSeccompAction) (libseccomp.ScmpAction, bool) {
	switch name {
	case specs.ActKill, specs.ActKillThread:
		// SCMP_ACT_KILL is the historical name of killing the thread
		// (SECCOMP_RET_KILL == SECCOMP_RET_KILL_THREAD).
		return libseccomp.ActKillThread, true
	case specs.ActKillProcess:
		return libseccomp.ActKillProcess, true
	case specs.ActTrap:
		return libseccomp.ActTrap, true
	case specs.ActErrno:
		return libseccomp.ActErrno, true
	case specs.ActTrace:
		return libseccomp.ActTrace, true
	case specs.ActAllow:
		return libseccomp.ActAllow, true
	case specs.ActLog:
		return libseccomp.ActLog, true
	case specs.ActNotify:
		return libseccomp.ActNotify, true
	}
	return libseccomp.ActInvalid, false
}

func operator(op specs.LinuxSeccompOperator) (libseccomp.ScmpCompareOp, bool) {
	switch op {
	case specs.OpNotEqual:
		return libseccomp.CompareNotEqual, true
	case specs.OpLessThan:
		return libseccomp.CompareLess, true
	case specs.OpLessEqual:
		return libseccomp.CompareLessOrEqual, true
	case specs.OpEqualTo:
		return libseccomp.CompareEqual, true
	case specs.OpGreaterEqual:
		return libseccomp.CompareGreaterEqual, true
	case specs.OpGreaterThan:
		return libseccomp.CompareGreater, true
	case specs.OpMaskedEqual:
		return libseccomp.CompareMaskedEqual, true
	}
	return libseccomp.CompareInvalid, false
}
