// Mounts inside the container's root: config.json "mounts" entries, the
// masked and read-only paths, and the plain mounts around pivot_root.
#include "init.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

// Idmapped mounts made by the parent (internal/container/idmap.go),
// received by OP_RECV_FDS and attached in order by OP_IDMAP_AT.
static int *idmap_fds;
static int idmap_n, idmap_next;

// propagate applies the propagation flags (args from..argc) and the
// recursive attributes to the mount at dest.
static void propagate(const struct op *op, const char *dest, uint64_t attr_set, uint64_t attr_clr, int from)
{
	const char *ctx = arg_str(op, 0);
	if (op->argc <= from && attr_set == 0 && attr_clr == 0)
		return;
	char target[64];
	int fd = open_target(ctx, dest, target, sizeof(target));
	for (int i = from; i < op->argc; i++) {
		if (mount("", target, "", arg_u64(op, i), "") < 0)
			fail(errno, "%s: set propagation", ctx);
	}
	if (attr_set != 0 || attr_clr != 0) {
		struct mount_attr attr = {.attr_set = attr_set, .attr_clr = attr_clr};
		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			fail(errno, "%s: set recursive mount attributes", ctx);
	}
	close(fd);
}

// remount_in_root re-applies flags to the mount now at dest, reached
// again from the root: a bind mount ignores every flag but MS_BIND and
// MS_REC, and an fd taken before the mount still names the directory
// underneath (a remount through it fails with EINVAL).
void remount_in_root(const char *ctx, const char *dest, unsigned long flags)
{
	if (flags == 0)
		return;
	char target[64];
	int fd = open_target(ctx, dest, target, sizeof(target));
	if (remount(target, flags) < 0)
		fail(errno, "%s: remount", ctx);
	close(fd);
}

// mount_at performs one entry of "mounts": source, dest, fstype, flags,
// data, bind, remount flags, attr_set, attr_clr, propagation...
static void mount_at(const struct op *op)
{
	need_args(op, 10);
	const char *ctx = arg_str(op, 0), *source = arg_str(op, 1), *dest = arg_str(op, 2);
	const char *fstype = arg_str(op, 3), *data = arg_str(op, 5);
	unsigned long flags = arg_u64(op, 4);
	int bind = arg_u64(op, 6) != 0;
	int as_file = 0;
	if (bind) {
		struct stat st;
		if (stat(source, &st) < 0)
			fail(errno, "%s: source: stat %s", ctx, source);
		as_file = !S_ISDIR(st.st_mode);
	}
	int fd = mkdir_all_in_root(dest, as_file);
	if (fd < 0)
		fail(errno, "%s: create %s in the container's root", ctx, dest);
	char target[64];
	fd_path(target, sizeof(target), fd);
	if (bind) {
		if (mount(source, target, NULL, flags & (MS_BIND | MS_REC), NULL) < 0)
			fail(errno, "%s: bind %s", ctx, source);
	} else if (mount(source, target, fstype, flags, data) < 0) {
		fail(errno, "%s: mount %s", ctx, fstype);
	}
	close(fd);
	if (bind)
		remount_in_root(ctx, dest, arg_u64(op, 7));
	propagate(op, dest, arg_u64(op, 8), arg_u64(op, 9), 10);
}

// idmap_at attaches the next idmapped mount the parent sent at dest:
// dest, remount flags, attr_set, attr_clr, propagation...
static void idmap_at(const struct op *op)
{
	need_args(op, 5);
	const char *ctx = arg_str(op, 0), *dest = arg_str(op, 1);
	if (idmap_next >= idmap_n)
		fail(0, "%s: idmapped mount: the parent sent no mount for it", ctx);
	int mfd = idmap_fds[idmap_next++];
	struct stat st;
	if (fstat(mfd, &st) < 0)
		fail(errno, "%s: idmapped mount", ctx);
	int fd = mkdir_all_in_root(dest, !S_ISDIR(st.st_mode));
	if (fd < 0)
		fail(errno, "%s: create %s in the container's root", ctx, dest);
	if (move_mount(mfd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(errno, "%s: attach idmapped mount", ctx);
	close(fd);
	close(mfd);
	remount_in_root(ctx, dest, arg_u64(op, 2));
	propagate(op, dest, arg_u64(op, 3), arg_u64(op, 4), 5);
}

// mask_path hides a path of the new root: /dev/null over a file, an empty
// read-only tmpfs over a directory. A missing path needs no mask.
static void mask_path(const char *ctx, const char *path)
{
	int r = mount("/dev/null", path, NULL, MS_BIND, NULL);
	if (r < 0 && (errno == ENOTDIR || errno == EISDIR || errno == EINVAL)) {
		struct stat st;
		int e = errno;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			r = mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k");
		else
			errno = e;
	}
	if (r < 0 && errno != ENOENT)
		fail(errno, "%s: mask %s", ctx, path);
}

// readonly_path binds a path of the new root onto itself, read-only.
static void readonly_path(const char *ctx, const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return;
		fail(errno, "%s: bind %s", ctx, path);
	}
	if (remount(path, MS_RDONLY) < 0)
		fail(errno, "%s: %s: remount", ctx, path);
}

void mount_op(const struct op *op)
{
	const char *ctx = arg_str(op, 0);
	switch (op->code) {
	case OP_MOUNT:
		need_args(op, 6);
		if (mount(arg_str(op, 1), arg_str(op, 2), arg_str(op, 3), arg_u64(op, 4), arg_str(op, 5)) < 0)
			fail(errno, "%s", ctx);
		return;
	case OP_OPEN_ROOT:
		g_root = open(arg_str(op, 1), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (g_root < 0)
			fail(errno, "%s: open %s", ctx, arg_str(op, 1));
		return;
	case OP_MOUNT_AT:
		mount_at(op);
		return;
	case OP_RECV_FDS:
		idmap_n = (int)arg_u64(op, 1);
		idmap_fds = calloc((size_t)idmap_n + 1, sizeof(int));
		if (idmap_fds == NULL || recv_fds(idmap_fds, idmap_n) < 0)
			fail(errno, "%s: receive idmapped mounts", ctx);
		return;
	case OP_IDMAP_AT:
		idmap_at(op);
		return;
	case OP_SYMLINK_AT: {
		// target, path: the link's directory exists already.
		const char *path = arg_str(op, 2);
		const char *slash = strrchr(path, '/');
		char dir[4096];
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
		int fd = open_in_root(dir[0] ? dir : "/");
		if (fd < 0)
			fail(errno, "%s: open %s", ctx, dir);
		// O_PATH fds serve as the directory of *at calls.
		if (symlinkat(arg_str(op, 1), fd, slash ? slash + 1 : path) < 0 && errno != EEXIST)
			fail(errno, "%s: symlink %s", ctx, path);
		close(fd);
		return;
	}
	case OP_MKDIR_AT: {
		// Errors are for the step that needs the directory to report.
		int fd = mkdir_all_in_root(arg_str(op, 1), 0);
		if (fd >= 0)
			close(fd);
		return;
	}
	case OP_MASK:
		mask_path(ctx, arg_str(op, 1));
		return;
	case OP_READONLY:
		readonly_path(ctx, arg_str(op, 1));
		return;
	case OP_REMOUNT:
		if (remount(arg_str(op, 1), arg_u64(op, 2)) < 0)
			fail(errno, "%s: remount", ctx);
		return;
	}
}
