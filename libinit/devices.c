// Device nodes in the container's /dev: the default ones and linux.devices.
// In a user namespace mknod is refused, so the host's node is bind-mounted
// over an empty file instead (the plan says which).
#include "init.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

// device_op: path, mode (type bits included), major, minor, uid, gid
// (-1: leave), bind.
void device_op(const struct op *op)
{
	need_args(op, 8);
	const char *ctx = arg_str(op, 0), *path = arg_str(op, 1);
	const char *slash = strrchr(path, '/');
	char dir[4096];
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	const char *name = slash ? slash + 1 : path;
	int dfd = mkdir_all_in_root(dir[0] ? dir : "/", 0);
	if (dfd < 0)
		fail(errno, "%s: create %s in the container's root", ctx, dir);
	if (arg_u64(op, 7) != 0) {
		int f = openat(dfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0)
			fail(errno, "%s: create bind target", ctx);
		char target[64];
		fd_path(target, sizeof(target), f);
		if (mount(path, target, NULL, MS_BIND, NULL) < 0)
			fail(errno, "%s: bind %s", ctx, path);
		close(f);
		close(dfd);
		return;
	}
	// A node left by the image (or a symlink planted there) is replaced:
	// unlinkat never follows a symlink.
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		fail(errno, "%s: remove existing %s", ctx, path);
	dev_t dev = makedev((unsigned)arg_u64(op, 3), (unsigned)arg_u64(op, 4));
	if (mknodat(dfd, name, (mode_t)arg_u64(op, 2), dev) < 0)
		fail(errno, "%s: mknod", ctx);
	int64_t uid = arg_i64(op, 5), gid = arg_i64(op, 6);
	if ((uid != -1 || gid != -1) && fchownat(dfd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
		fail(errno, "%s: chown", ctx);
	close(dfd);
}
