// Loading linux.seccomp: the parent sends the classic BPF program, from its
// cache or compiled by skiff-init's compile mode on the host
// (seccompcompile.c), in OP_SECCOMP_PROGRAM early in the plan, and
// OP_SECCOMP loads it. The plan places that step: with
// noNewPrivileges after the credentials change, just before execve
// (no_new_privs lets an unprivileged thread load a filter); without it
// just before the credentials change (loading needs CAP_SYS_ADMIN then);
// with a notify listener before init reports ready, so that the parent can
// hand the fd to linux.seccomp.listenerPath while create still runs.
#include "init.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

// The program from OP_SECCOMP_PROGRAM, until OP_SECCOMP loads it.
static struct sock_filter *g_prog;
static size_t g_prog_len;

// seccomp_program_op: program. Copied, since a plan argument need not be
// aligned for struct sock_filter.
static void seccomp_program_op(const struct op *op)
{
	need_args(op, 2);
	const char *ctx = arg_str(op, 0);
	size_t len = op->argv[1].len;
	size_t n = len / sizeof(struct sock_filter);
	if (len == 0 || len % sizeof(struct sock_filter) != 0 || n > BPF_MAXINSNS)
		fail(0, "%s: seccomp program of %zu bytes is not 1 to %d instructions", ctx, len, BPF_MAXINSNS);
	g_prog = malloc(len);
	if (g_prog == NULL)
		fail(errno, "%s: seccomp program: allocate", ctx);
	memcpy(g_prog, op->argv[1].s, len);
	g_prog_len = n;
}

// seccomp_op: OP_SECCOMP_PROGRAM: program; OP_SECCOMP: flags, listener.
void seccomp_op(const struct op *op)
{
	if (op->code == OP_SECCOMP_PROGRAM) {
		seccomp_program_op(op);
		return;
	}
	need_args(op, 3);
	const char *ctx = arg_str(op, 0);
	unsigned long flags = arg_u64(op, 1);
	int listener = arg_u64(op, 2) != 0;
	size_t n = g_prog_len;
	if (n == 0)
		fail(0, "%s: load seccomp filter: the plan sent no program", ctx);
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = g_prog};
	if (listener) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		// With TSYNC the return value names the thread that could not be
		// synchronised, which would collide with the listener fd.
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0) {
		switch (errno) {
		case EINVAL:
			fail(errno, "%s: load seccomp filter: kernel refused the %zu-instruction program", ctx, n);
		case EACCES:
			fail(errno, "%s: load seccomp filter: no_new_privs is not set and CAP_SYS_ADMIN is missing", ctx);
		case ENOMEM:
			// The filters stacked on one thread may total at most
			// 32768 instructions, counting 4 more for each filter.
			fail(errno, "%s: load seccomp filter: the %zu-instruction program does not fit beside the filters already loaded", ctx, n);
		}
		fail(errno, "%s: load seccomp filter", ctx);
	}
	if (!listener)
		return;
	send_message("seccomp-fd");
	send_fd((int)r);
	close((int)r);
}
