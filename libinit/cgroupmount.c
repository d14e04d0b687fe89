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

// mount_one mounts one hierarchy at path inside the root: fresh
// (fstype "cgroup" or "cgroup2"), or a bind of source ("bind").
static void mount_one(const char *ctx, const char *path, const char *fstype, const char *data, const char *source,
		      unsigned long flags)
{
	char target[64];
	int fd = open_target(ctx, path, target, sizeof(target));
	if (strcmp(fstype, "bind") != 0) {
		if (mount("cgroup", target, fstype, flags, data) < 0)
			fail(errno, "%s: mount %s %s", ctx, fstype, data);
		close(fd);
		return;
	}
	if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail(errno, "%s: bind %s", ctx, source);
	close(fd);
	remount_in_root(ctx, path, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC);
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
		close(dst);
		if (n != 1)
			fail(0, "%s: plan: one hierarchy expected", ctx);
		mount_one(ctx, dest, arg_str(op, 6), arg_str(op, 7), arg_str(op, 8), flags);
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
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dest, name);
		mount_one(ctx, path, arg_str(op, 6 + 4 * i), arg_str(op, 7 + 4 * i), arg_str(op, 8 + 4 * i), flags);
		// "cpu,cpuacct" is reachable as "cpu" and "cpuacct" too.
		for (const char *p = strchr(name, ',') ? name : ""; *p;) {
			const char *s = p;
			while (*p && *p != ',')
				p++;
			char alias[256];
			snprintf(alias, sizeof(alias), "%.*s", (int)(p - s), s);
			if (*p == ',')
				p++;
			if (symlinkat(name, top, alias) < 0 && errno != EEXIST)
				fail(errno, "%s: symlink %s", ctx, alias);
		}
	}
	close(top);
	if (readonly)
		remount_in_root(ctx, dest, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}
