// Steps 1-5 of the handshake (internal/handshake): join the namespaces
// given by path, create the new ones, and fork into a pid namespace. Errors
// here travel as stage records ('E', errno, length, text), which the parent
// reads with handshake.ReadStageReply.
#include "init.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define MAX_JOINS 16
#define MAX_BOOTSTRAP (1 << 20)

struct join {
	int flag;
	char *path;
	int fd;
};

// bail sends an error record ('E', errno, length, text) to the parent and
// exits: the parent reports it as the cause of the failed create.
static void bail(int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (err) {
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(err));
		if ((size_t)n >= sizeof(msg))
			n = sizeof(msg) - 1;
	}
	char tag = 'E';
	int32_t e = err;
	uint32_t len = (uint32_t)n;
	write_all(g_sock, &tag, 1);
	write_all(g_sock, &e, sizeof(e));
	write_all(g_sock, &len, sizeof(len));
	write_all(g_sock, msg, len);
	_exit(1);
}

static const char *ns_name(int flag)
{
	switch (flag) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWNS: return "mount";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNET: return "network";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWTIME: return "time";
	}
	return "unknown";
}

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		bail(errno, "open %s", path);
	size_t len = strlen(data);
	if (write(fd, data, len) != (ssize_t)len)
		bail(errno, "write %s", path);
	close(fd);
}

// unshare_all creates the namespaces of flags, naming the one the kernel
// refused when it refuses.
static void unshare_all(int flags)
{
	if (flags == 0 || unshare(flags) == 0)
		return;
	int err = errno;
	for (int f = 1; f; f <<= 1) {
		if ((flags & f) && unshare(f) < 0)
			bail(errno, "linux.namespaces: create %s namespace", ns_name(f));
	}
	bail(err, "linux.namespaces: create namespaces");
}

int run_stage(void)
{
	// Step 1: read the bootstrap record (u32 length, then NUL-terminated
	// key=value strings). The parent sends it after putting this process
	// into the container's cgroup, or, with cgroup=late, before: then it
	// moves init there after step 5. Either way init runs the plan in the
	// cgroup and a new cgroup namespace is rooted at it.
	uint32_t len;
	if (read_all(g_sock, &len, sizeof(len)) < 0)
		_exit(1);
	if (len > MAX_BOOTSTRAP)
		bail(0, "bootstrap record too large (%u bytes)", len);
	char *buf = malloc(len + 1);
	if (buf == NULL)
		bail(errno, "allocate bootstrap record");
	if (read_all(g_sock, buf, len) < 0)
		_exit(1);
	buf[len] = '\0';

	int cloneflags = 0;
	int late_cgroup = 0;
	const char *timens = NULL;
	struct join joins[MAX_JOINS];
	int njoins = 0;
	for (char *p = buf; p < buf + len; p += strlen(p) + 1) {
		if (strncmp(p, "clone=", 6) == 0) {
			cloneflags = (int)strtol(p + 6, NULL, 10);
		} else if (strncmp(p, "timens=", 7) == 0) {
			timens = p + 7;
		} else if (strcmp(p, "cgroup=late") == 0) {
			late_cgroup = 1;
		} else if (strncmp(p, "join=", 5) == 0) {
			char *colon = strchr(p + 5, ':');
			if (colon == NULL || njoins == MAX_JOINS)
				bail(0, "bad join entry %s", p);
			*colon = '\0';
			joins[njoins].flag = (int)strtol(p + 5, NULL, 10);
			joins[njoins].path = colon + 1;
			njoins++;
		}
	}

	// Step 2: join namespaces given by path. Open every file first, while
	// the paths still resolve in the host's mount namespace; join the user
	// namespace first so that the others are joined with its privileges,
	// and the mount namespace last.
	int joined_pid = 0;
	for (int i = 0; i < njoins; i++) {
		joins[i].fd = open(joins[i].path, O_RDONLY | O_CLOEXEC);
		if (joins[i].fd < 0)
			bail(errno, "linux.namespaces: open %s namespace %s", ns_name(joins[i].flag), joins[i].path);
	}
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < njoins; i++) {
			int f = joins[i].flag;
			int want = pass == 0 ? f == CLONE_NEWUSER : pass == 2 ? f == CLONE_NEWNS : (f != CLONE_NEWUSER && f != CLONE_NEWNS);
			if (!want)
				continue;
			if (setns(joins[i].fd, f) < 0)
				bail(errno, "linux.namespaces: join %s namespace %s", ns_name(f), joins[i].path);
			if (f == CLONE_NEWPID)
				joined_pid = 1;
			// Our ids are still the host's, which the joined user
			// namespace need not map: files we create would fail with
			// EOVERFLOW. Become its root, as a new namespace does below;
			// a namespace that maps no root keeps the ids we have.
			if (f == CLONE_NEWUSER && setresgid(0, 0, 0) == 0)
				setresuid(0, 0, 0);
			close(joins[i].fd);
		}
	}

	// Step 3: a new user namespace. The parent writes uid_map and gid_map
	// for us (it holds the privilege in the outer namespace); we wait for it.
	if (cloneflags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			bail(errno, "linux.namespaces: create user namespace");
		char tag = 'U';
		if (write_all(g_sock, &tag, 1) < 0)
			_exit(1);
		char ack;
		if (read_all(g_sock, &ack, 1) < 0 || ack != 'u')
			_exit(1);
		// Become root of the new namespace when root is mapped, so that
		// files created during setup are owned by the container's root.
		if (setresgid(0, 0, 0) == 0)
			setresuid(0, 0, 0);
		// Dumpable again until the exec FIFO is open: init reopens it
		// through /proc/<pid>/fd, which for a non-dumpable process
		// belongs to the host's root, whom this namespace does not map.
		// Only a new user namespace needs this, and nothing else lives
		// in it yet; OP_OPEN_FIFO clears the flag once the FIFO is open.
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}

	// Step 4: the remaining new namespaces, all at once. A new cgroup
	// namespace is rooted at the cgroup we are in when it is made, so with
	// a late cgroup init makes it once the parent has moved it (init.c).
	// Until then the namespaces and the fork below are charged to the
	// parent's cgroup, as crun's clone is, not to the container's limit.
	int rest = cloneflags & ~CLONE_NEWUSER;
	int after_move = 0;
	if (late_cgroup) {
		after_move = rest & CLONE_NEWCGROUP;
		rest &= ~CLONE_NEWCGROUP;
	}
	unshare_all(rest);
	if ((cloneflags & CLONE_NEWTIME) && timens != NULL && *timens != '\0')
		write_file("/proc/self/timens_offsets", timens);

	// Step 5: a pid namespace (new or joined) applies only to children, so
	// fork once: the child is the container's init. This process reports
	// the child's pid, as seen from the parent's namespace, and exits.
	pid_t initpid = getpid();
	if ((cloneflags & CLONE_NEWPID) || joined_pid) {
		pid_t child = fork();
		if (child < 0)
			bail(errno, "fork into pid namespace");
		if (child > 0) {
			char tag = 'P';
			int32_t p = child;
			write_all(g_sock, &tag, 1);
			write_all(g_sock, &p, sizeof(p));
			_exit(0);
		}
	} else {
		char tag = 'P';
		int32_t p = initpid;
		if (write_all(g_sock, &tag, 1) < 0 || write_all(g_sock, &p, sizeof(p)) < 0)
			_exit(1);
	}
	free(buf);
	return after_move;
}
