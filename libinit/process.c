// The user's process: the handshake steps around it (hooks in the parent,
// ready, the exec FIFO), its working directory and program, its
// credentials, and execve.
#include "init.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

char g_exe[4096];

// mkdir_all is mkdir -p for a path of the container (after pivot_root).
static int mkdir_all(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

// enter_cwd changes to process.cwd, creating it if missing (as runc does).
// The path is opened without following magic links, and the result is
// checked to lie under the container's root: a cwd of /proc/self/fd/N
// would otherwise land the process in a directory of the runtime's on the
// host (CVE-2024-21626).
static void enter_cwd(const char *ctx, const char *cwd)
{
	const uint64_t flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	int fd = openat2_in(AT_FDCWD, cwd, flags, RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ENOENT && mkdir_all(cwd) == 0)
		fd = openat2_in(AT_FDCWD, cwd, flags, RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ELOOP)
		fail(0, "%s: chdir %s: the path goes through a /proc magic link", ctx, cwd);
	if (fd < 0)
		fail(errno, "%s: chdir %s", ctx, cwd);
	if (fchdir(fd) < 0)
		fail(errno, "%s: chdir %s", ctx, cwd);
	close(fd);
	// getcwd fails with ENOENT (or answers "(unreachable)...") when the
	// cwd is outside the process's root.
	char wd[4096];
	if (getcwd(wd, sizeof(wd)) == NULL || wd[0] != '/')
		fail(0, "%s: chdir %s: the directory is outside the container's root", ctx, cwd);
}

static int check_executable(const char *p)
{
	struct stat st;
	if (stat(p, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if ((st.st_mode & 0111) == 0)
		return EACCES;
	return 0;
}

// look_path resolves args[0] against the PATH of the process's
// environment (not init's), inside the container's root.
static void look_path(const char *name, const char *path)
{
	if (strchr(name, '/') != NULL) {
		int e = check_executable(name);
		if (e != 0)
			fail(e, "exec \"%s\"", name);
		snprintf(g_exe, sizeof(g_exe), "%s", name);
		return;
	}
	const char *p = path;
	for (;;) {
		const char *s = p;
		while (*p && *p != ':')
			p++;
		int n = (int)(p - s);
		if (n == 0)
			snprintf(g_exe, sizeof(g_exe), "./%s", name);
		else
			snprintf(g_exe, sizeof(g_exe), "%.*s/%s", n, s, name);
		if (check_executable(g_exe) == 0)
			return;
		if (*p == '\0')
			break;
		p++;
	}
	fail(0, "exec \"%s\": executable file not found in $PATH", name);
}

// set_credentials switches to the process's user and capabilities:
// uid, gid, umask (-1: 022), bounding, effective, permitted, inheritable,
// ambient, noNewPrivileges, additional gids...
static void set_credentials(const struct op *op)
{
	need_args(op, 10);
	uint64_t uid = arg_u64(op, 1), gid = arg_u64(op, 2);
	int64_t mask = arg_i64(op, 3);
	uint64_t bounding = arg_u64(op, 4), effective = arg_u64(op, 5), permitted = arg_u64(op, 6);
	uint64_t inheritable = arg_u64(op, 7), ambient = arg_u64(op, 8);
	int nnp = arg_u64(op, 9) != 0;

	// Bounding set first: dropping needs CAP_SETPCAP, which we still hold.
	// Capabilities beyond the kernel's last one fail with EINVAL.
	for (int c = 0; c < 64; c++) {
		if (!(bounding & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			fail(errno, "config.json: process.capabilities.bounding: drop %d", c);
	}
	int ngids = op->argc - 10;
	gid_t *gids = calloc((size_t)ngids + 1, sizeof(gid_t));
	if (gids == NULL)
		fail(errno, "allocate groups");
	for (int i = 0; i < ngids; i++)
		gids[i] = (gid_t)arg_u64(op, 10 + i);
	// In a user namespace whose setgroups is "deny", an empty list is
	// what we have anyway.
	if (syscall(SYS_setgroups, ngids, gids) < 0 && !(errno == EPERM && ngids == 0))
		fail(errno, "config.json: process.user.additionalGids: setgroups");
	free(gids);
	// Keep the permitted set across the uid change; capset below sets
	// exactly what the config asks for.
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(errno, "prctl keepcaps");
	if (syscall(SYS_setresgid, gid, gid, gid) < 0)
		fail(errno, "config.json: process.user.gid: setresgid %llu", (unsigned long long)gid);
	if (syscall(SYS_setresuid, uid, uid, uid) < 0)
		fail(errno, "config.json: process.user.uid: setresuid %llu", (unsigned long long)uid);
	umask(mask < 0 ? 022 : (mode_t)mask);
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
		{.effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable},
		{.effective = (uint32_t)(effective >> 32), .permitted = (uint32_t)(permitted >> 32), .inheritable = (uint32_t)(inheritable >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail(errno, "config.json: process.capabilities: capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(errno, "clear ambient capabilities");
	for (int c = 0; c < 64; c++) {
		if ((ambient & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			fail(errno, "config.json: process.capabilities.ambient: raise %d", c);
	}
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(errno, "config.json: process.noNewPrivileges");
}

// open_fifo opens the exec FIFO for writing, which blocks until a reader
// (`skiff start`) opens the other end: procfd, pid, fifofd. It is reopened
// through the host's /proc as /proc/<pid>/fd/<fd>, which works whatever
// mount and pid namespaces init is in. It stays open, close-on-exec, so
// start sees end-of-file only once execve has succeeded, and an error
// before that still reaches it.
static void open_fifo(const struct op *op)
{
	need_args(op, 4);
	int procfd = (int)arg_u64(op, 1), fifofd = (int)arg_u64(op, 3);
	char path[64];
	snprintf(path, sizeof(path), "%s/fd/%d", arg_str(op, 2), fifofd);
	int fd;
	while ((fd = openat(procfd, path, O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (fd < 0) {
		// create has returned; no one reads the socket any more.
		dprintf(2, "skiff init: open exec fifo: %s\n", strerror(errno));
		_exit(1);
	}
	close(procfd);
	close(fifofd);
	g_fifo = fd;
	// The C stage left a new user namespace's init dumpable for the
	// reopen above; nothing more of ours needs it.
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(errno, "prctl dumpable");
}

void process_op(const struct op *op)
{
	const char *ctx = op->argc > 0 ? arg_str(op, 0) : "";
	switch (op->code) {
	case OP_CLOEXEC_FROM:
		// Nothing of the runtime reaches the container process: an
		// inherited directory fd lets it walk the host (CVE-2024-21626).
		if (syscall(SYS_close_range, (unsigned)arg_u64(op, 1), ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			fail(errno, "close_range");
		return;
	case OP_UMASK:
		umask((mode_t)arg_u64(op, 1));
		return;
	case OP_HOOKS_IN_PARENT: {
		send_message("hooks");
		char type[32];
		if (read_message_type(type, sizeof(type)) < 0)
			fail_read("wait for hooks");
		if (strcmp(type, "error") == 0)
			_exit(1); // the parent failed the hooks and reports that itself
		if (strcmp(type, "hooks-done") != 0)
			fail(0, "wait for hooks: unexpected message %s", type);
		return;
	}
	case OP_READY:
		send_message("ready");
		return;
	case OP_OPEN_FIFO:
		open_fifo(op);
		return;
	case OP_CLOSE_SOCKET:
		close(g_sock);
		g_sock = -1;
		return;
	case OP_START:
		if (write_all(g_fifo, "0", 1) < 0) {
			dprintf(2, "skiff init: write exec fifo: %s\n", strerror(errno));
			_exit(1);
		}
		return;
	case OP_CWD:
		enter_cwd(ctx, arg_str(op, 1));
		return;
	case OP_LOOKPATH:
		look_path(arg_str(op, 1), arg_str(op, 2));
		return;
	case OP_CREDENTIALS:
		set_credentials(op);
		return;
	case OP_EXEC: {
		need_args(op, 2);
		int argc = (int)arg_u64(op, 1);
		need_args(op, 2 + argc);
		char **argv = arg_list(op, 2, argc);
		char **envp = arg_list(op, 2 + argc, op->argc - 2 - argc);
		execve(g_exe, argv, envp);
		fail(errno, "exec %s", argc > 0 ? argv[0] : g_exe);
	}
	}
}
