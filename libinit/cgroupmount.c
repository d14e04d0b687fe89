// A cgroup filesystem at a mount destination (config.json "mounts" entry
// of type cgroup or cgroup2). The host side (internal/initplan/cgroup.go)
// lists the hierarchies: with a cgroup namespace each is mounted fresh, so
// the container sees its own cgroup as the root; without one, the
// container's own cgroup directory is bind-mounted from the host. On a v1
// or hybrid host the destination is a tmpfs holding one directory per
// hierarchy, as on the host itself.
#include "init.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

// mount_one mounts one hierarchy on name in dirfd (on dirfd itself when
// name is NULL, which only a fresh mount uses). A bind is remounted
// through a new fd of name: a /proc/self/fd path of an fd taken before the
// mount still names the directory underneath, and a remount through it
// fails with EINVAL.
static void mount_one(const char *ctx, int dirfd, const char *name, const char *fstype, const char *data,
		      const char *source, unsigned long flags)
{
	int fd = name ? openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		fail(errno, "%s: open %s", ctx, name ? name : "destination");
	char target[64];
	fd_path(target, sizeof(target), fd);
	if (strcmp(fstype, "bind") != 0) {
		if (mount("cgroup", target, fstype, flags, data) < 0)
			fail(errno, "%s: mount %s %s", ctx, fstype, data);
		close(fd);
		return;
	}
	if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail(errno, "%s: bind %s", ctx, source);
	close(fd);
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "%s: reopen the bind of %s", ctx, source);
	fd_path(target, sizeof(target), fd);
	if (remount(target, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0)
		fail(errno, "%s: remount", ctx);
	close(fd);
}

// cgroup_op: dest, flags, readonly, tree, then per hierarchy four
// arguments: name, fstype ("cgroup", "cgroup2" or "bind"), data, source.
void cgroup_op(const struct op *op)
{
	need_args(op, 5);
	const char *ctx = arg_str(op, 0), *dest = arg_str(op, 1);
	unsigned long flags = arg_u64(op, 2);
	int readonly = arg_u64(op, 3) != 0, tree = arg_u64(op, 4) != 0;
	if (readonly)
		flags |= MS_RDONLY;
	int n = (op->argc - 5) / 4;
	int dst = mkdir_all_in_root(dest, 0);
	if (dst < 0)
		fail(errno, "%s: create %s in the container's root", ctx, dest);
	if (!tree) {
		if (n != 1)
			fail(0, "%s: plan: one hierarchy expected", ctx);
		const char *fstype = arg_str(op, 6);
		if (strcmp(fstype, "bind") != 0) {
			mount_one(ctx, dst, NULL, fstype, arg_str(op, 7), NULL, flags);
			close(dst);
			return;
		}
		// A bind is remounted through a fresh fd of the destination.
		char target[64];
		fd_path(target, sizeof(target), dst);
		const char *source = arg_str(op, 8);
		if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
			fail(errno, "%s: bind %s", ctx, source);
		close(dst);
		int fd = open_in_root(dest);
		if (fd < 0)
			fail(errno, "%s: reopen the bind of %s", ctx, source);
		fd_path(target, sizeof(target), fd);
		if (remount(target, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0)
			fail(errno, "%s: remount", ctx);
		close(fd);
		return;
	}

	char target[64];
	fd_path(target, sizeof(target), dst);
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		fail(errno, "%s: mount tmpfs", ctx);
	close(dst);
	// Reopen: the old fd still names the directory under the new tmpfs.
	int top = open_in_root(dest);
	if (top < 0)
		fail(errno, "%s: open %s", ctx, dest);
	for (int i = 0; i < n; i++) {
		const char *name = arg_str(op, 5 + 4 * i);
		if (mkdirat(top, name, 0755) < 0)
			fail(errno, "%s: mkdir %s", ctx, name);
		mount_one(ctx, top, name, arg_str(op, 6 + 4 * i), arg_str(op, 7 + 4 * i), arg_str(op, 8 + 4 * i), flags);
		// "cpu,cpuacct" is reachable as "cpu" and "cpuacct" too.
		if (strchr(name, ',') != NULL) {
			char alias[256];
			const char *p = name;
			while (*p) {
				const char *s = p;
				while (*p && *p != ',')
					p++;
				snprintf(alias, sizeof(alias), "%.*s", (int)(p - s), s);
				if (*p == ',')
					p++;
				if (symlinkat(name, top, alias) < 0 && errno != EEXIST)
					fail(errno, "%s: symlink %s", ctx, alias);
			}
		}
	}
	if (readonly) {
		fd_path(target, sizeof(target), top);
		if (remount(target, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0)
			fail(errno, "%s: remount", ctx);
	}
	close(top);
}
