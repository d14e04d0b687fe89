// The ENOSYS stub: syscalls newer than a deny-by-default profile fail with
// ENOSYS, so that libc falls back to an older syscall instead of giving up
// on the profile's EPERM (the host side decides when: internal/seccomp,
// needsENOSYS). "Newer" is a number above the profile's horizon: for each
// architecture of the filter, the highest number of any syscall the
// profile names there.
//
// The stub goes in front of libseccomp's program. Per architecture, with A
// the accumulator:
//
//	A = seccomp_data.arch           (once, before the first block)
//	if A != audit: skip this block  (A still holds arch for the next one)
//	A = seccomp_data.nr
//	if A & X32_SYSCALL_BIT: goto out  (x86_64 only: x32 is libseccomp's to judge)
//	if A <= max: goto out
//	return SECCOMP_RET_ERRNO|ENOSYS
//	out: ja to libseccomp's program
//
// Classic BPF only jumps forward and relatively, so prepending needs no
// change to libseccomp's instructions. Conditional jumps have 8-bit
// offsets, so every one stays inside its own block; only the final "ja",
// whose offset is 32 bits, crosses the rest of the stub, however many
// architectures there are.
#include "init.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>

// x32 syscalls arrive with seccomp_data.arch == AUDIT_ARCH_X86_64 and this
// bit set in the number (__X32_SYSCALL_BIT, arch/x86/include/uapi/asm/unistd.h).
#define X32_SYSCALL_BIT 0x40000000u

// horizon finds the highest number among names on the architecture token,
// or -1 when it has none of them.
static int64_t horizon(uint32_t token, const char *const *names, size_t nnames)
{
	int64_t max = -1;
	for (size_t i = 0; i < nnames; i++) {
		// Numbers below zero are libseccomp's pseudo-syscalls for
		// names that do not exist on this architecture.
		int nr = seccomp_syscall_resolve_name_arch(token, names[i]);
		if (nr > max)
			max = nr;
	}
	return max;
}

struct sock_filter *enosys_stub(const uint32_t *tokens, size_t ntokens, const char *const *names, size_t nnames,
				size_t *len)
{
	// At most 7 instructions per architecture, and the first load.
	struct sock_filter *stub = calloc(7 * ntokens + 1, sizeof(*stub));
	size_t *jas = calloc(ntokens ? ntokens : 1, sizeof(*jas)); // the "ja"s, patched below
	if (stub == NULL || jas == NULL)
		fail(errno, "linux.seccomp: ENOSYS stub: allocate");
	size_t n = 0, njas = 0;
	stub[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < ntokens; i++) {
		uint32_t token = tokens[i];
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= tokens[k] == token;
		// x32 shares x86_64's audit value; the x86_64 block leaves its
		// syscalls to libseccomp.
		if (seen || token == SCMP_ARCH_X32)
			continue;
		// An architecture on which the profile names nothing gets no
		// block: every syscall would be "newer", and the default
		// action is the better answer.
		int64_t max = horizon(token, names, nnames);
		if (max < 0)
			continue;
		int x32 = token == SCMP_ARCH_X86_64;
		// libseccomp's tokens are the kernel's AUDIT_ARCH_* values
		// (seccomp.h), x32's aside.
		stub[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, token, 0, x32 ? 5 : 4);
		stub[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		if (x32) // skip the next two (jgt, ret) to land on ja
			stub[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 2, 0);
		stub[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max, 0, 1);
		stub[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
		jas[njas++] = n;
		stub[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0);
	}
	for (size_t i = 0; i < njas; i++)
		stub[jas[i]].k = (uint32_t)(n - jas[i] - 1);
	free(jas);
	if (njas == 0) {
		free(stub);
		*len = 0;
		return NULL;
	}
	*len = n;
	return stub;
}
