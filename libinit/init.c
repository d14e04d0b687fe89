// The entry point of skiff-init. See init.h for what it is and why.
#include "init.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void run_op(const struct op *op)
{
	switch (op->code) {
	case OP_MOUNT:
	case OP_OPEN_ROOT:
	case OP_MOUNT_AT:
	case OP_RECV_FDS:
	case OP_IDMAP_AT:
	case OP_SYMLINK_AT:
	case OP_MKDIR_AT:
	case OP_MASK:
	case OP_READONLY:
	case OP_REMOUNT:
		mount_op(op);
		return;
	case OP_CGROUP_AT:
		cgroup_op(op);
		return;
	case OP_DEVICE_AT:
		device_op(op);
		return;
	case OP_PIVOT_ROOT:
	case OP_MOVE_ROOT:
	case OP_CHROOT:
		root_op(op);
		return;
	case OP_LOOPBACK_UP:
	case OP_HOSTNAME:
	case OP_DOMAINNAME:
	case OP_WRITE_FILE:
	case OP_KEYRING:
		namespace_op(op);
		return;
	case OP_HOOK:
		hook_op(op);
		return;
	case OP_CONSOLE:
		console_op(op);
		return;
	case OP_SECCOMP_PROGRAM:
	case OP_SECCOMP:
		seccomp_op(op);
		return;
	case OP_OOM_SCORE_ADJ:
	case OP_RLIMIT:
	case OP_PERSONALITY:
	case OP_SCHEDULER:
	case OP_IOPRIO:
	case OP_MEMPOLICY:
	case OP_AFFINITY:
	case OP_LSM_LABEL:
		attr_op(op);
		return;
	case OP_CLOEXEC_FROM:
	case OP_UMASK:
	case OP_HOOKS_IN_PARENT:
	case OP_READY:
	case OP_OPEN_FIFO:
	case OP_CLOSE_SOCKET:
	case OP_START:
	case OP_CWD:
	case OP_LOOKPATH:
	case OP_CREDENTIALS:
	case OP_EXEC:
		process_op(op);
		return;
	}
	fail(0, "plan: unknown step %u", op->code);
}

int main(int argc, char **argv)
{
	// A holder of a user namespace for an idmapped mount (see
	// internal/container/idmap.go): nothing to do but wait.
	if (getenv("_SKIFF_USERNS_HOLDER") != NULL) {
		char c;
		while (read(0, &c, 1) < 0 && errno == EINTR)
			;
		return 0;
	}
	// The seccomp modes of seccomptool.c: compiling a profile when
	// skiff's program cache misses (and for the Go tests), listing
	// architectures for `skiff features`.
	if (getenv("_SKIFF_SECCOMP_COMPILE") != NULL)
		return seccomp_compile_main();
	if (getenv("_SKIFF_SECCOMP_ARCHES") != NULL)
		return seccomp_arches_main(argc, argv);
	const char *env = getenv("_SKIFF_INITPIPE");
	if (env == NULL || *env == '\0') {
		dprintf(2, "skiff-init: a container's init, started only by skiff\n");
		return 1;
	}
	g_sock = atoi(env);
	if (g_sock < 3)
		return 1;
	// Not dumpable from the first instruction: a dumpable process's
	// /proc/<pid>/fd, cwd and exe are open to any process of the same uid,
	// and a process joining a running container (exec, or a shared pid
	// namespace) is visible to the container's processes while it still
	// holds the runtime's fds (CVE-2016-9962).
	// Rootless init stays dumpable: its unprivileged parent must write
	// its uid_map, and the user's other processes could ptrace it anyway.
	if (geteuid() == 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	// The binary runs as /proc/self/fd/N (see protectedInit), which
	// would name the process "N" in ps.
	prctl(PR_SET_NAME, "skiff:init", 0, 0, 0);

	int after_move = run_stage();

	// Step 6: the plan, executed in order. Steps 7 and 8 are ops in it.
	clearenv();
	struct op *ops;
	size_t n;
	read_plan(&ops, &n);
	// The parent sends the plan once we are in the container's cgroup,
	// where a new cgroup namespace must be rooted.
	if (after_move && unshare(after_move) < 0)
		fail(errno, "linux.namespaces: create cgroup namespace");
	for (size_t i = 0; i < n; i++)
		run_op(&ops[i]);
	// A plan ends in OP_EXEC, which does not return.
	fail(0, "plan: ended without exec");
}
