// Paths from config.json are resolved inside the rootfs with openat2's
// RESOLVE_IN_ROOT: a symlink in the rootfs (even "/etc -> /" or
// "x -> ../../../..") is followed as if the rootfs were "/", so a mount
// destination can never land outside it. The kernel does the walk; we never
// join and then stat a host path.
#include "init.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int g_root = -1;

// The kernel's own limit on nested symlinks.
#define MAX_SYMLINK_HOPS 40

int openat2_in(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = {.flags = flags, .resolve = resolve};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static const char *relative(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

// open_in_root opens path (absolute inside the root, or relative to it) as
// an O_PATH fd.
int open_in_root(const char *path)
{
	return openat2_in(g_root, relative(path), O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

// open_target opens path inside the root for a mount call and writes the
// /proc/self/fd path naming it into target; a failure ends init, naming
// ctx. The caller closes the returned fd after the mount call.
int open_target(const char *ctx, const char *path, char *target, size_t size)
{
	int fd = open_in_root(path);
	if (fd < 0)
		fail(errno, "%s: open %s", ctx, path);
	fd_path(target, size, fd);
	return fd;
}

// clean_path normalises path into out as an absolute path with no ".",
// ".." or repeated slashes; ".." at the top stays at the top, as the
// kernel's RESOLVE_IN_ROOT treats it.
static void clean_path(const char *path, char *out, size_t size)
{
	size_t at = 0;
	out[at++] = '/';
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (at > 1 && out[at - 1] != '/')
				at--;
			if (at > 1)
				at--;
			continue;
		}
		if (at + n + 2 >= size)
			break;
		if (at > 1)
			out[at++] = '/';
		memcpy(out + at, s, n);
		at += n;
	}
	out[at] = '\0';
}

static int mkdir_all_depth(const char *path, int as_file, int hops);

// dangling_symlink reads the target of name in dir when it is a symlink.
// Only called when resolving it failed, so the target is missing.
static int dangling_symlink(int dir, const char *name, char *target, size_t size)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
		return 0;
	ssize_t n = readlinkat(dir, name, target, size - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return 1;
}

// mkdir_all_in_root creates every missing directory of path inside the
// root and returns an O_PATH fd of the last one, or -1 with errno set.
// With as_file the last component is created as an empty regular file
// (the destination of a file bind mount or a device placeholder). A
// dangling symlink on the way is followed inside the root, and its target
// created there.
int mkdir_all_in_root(const char *path, int as_file)
{
	return mkdir_all_depth(path, as_file, 0);
}

static int mkdir_all_depth(const char *path, int as_file, int hops)
{
	char clean[4096];
	clean_path(path, clean, sizeof(clean));
	if (strcmp(clean, "/") == 0)
		return fcntl(g_root, F_DUPFD_CLOEXEC, 0);
	int fd = open_in_root(clean);
	if (fd >= 0 || errno != ENOENT)
		return fd;

	int dir = fcntl(g_root, F_DUPFD_CLOEXEC, 0);
	if (dir < 0)
		return -1;
	// Walk component by component from the root.
	char prefix[4096];
	size_t plen = 0;
	const char *p = clean + 1;
	while (*p) {
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		char part[256];
		if (n >= sizeof(part)) {
			close(dir);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, s, n);
		part[n] = '\0';
		if (*p == '/')
			p++;
		int last = *p == '\0';
		prefix[plen++] = '/';
		memcpy(prefix + plen, part, n + 1);
		plen += n;

		int next = open_in_root(prefix);
		if (next < 0 && errno == ENOENT) {
			char target[4096];
			if (dangling_symlink(dir, part, target, sizeof(target))) {
				close(dir);
				if (hops >= MAX_SYMLINK_HOPS) {
					errno = ELOOP;
					return -1;
				}
				// Continue at the link's target, relative to the
				// directory holding the link, with the rest appended.
				char rest[12288];
				if (target[0] == '/')
					snprintf(rest, sizeof(rest), "%s/%s", target, p);
				else
					snprintf(rest, sizeof(rest), "%.*s/%s/%s", (int)(plen - n - 1), prefix, target, p);
				return mkdir_all_depth(rest, as_file, hops + 1);
			}
			int r;
			if (last && as_file) {
				r = openat(dir, part, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			} else {
				r = mkdirat(dir, part, 0755);
			}
			if (r < 0 && errno != EEXIST) {
				int e = errno;
				close(dir);
				errno = e;
				return -1;
			}
			next = open_in_root(prefix);
		}
		int e = errno;
		close(dir);
		if (next < 0) {
			errno = e;
			return -1;
		}
		dir = next;
	}
	return dir;
}

// remount re-applies flags to the mount at target. Inside a user namespace
// the kernel locks nosuid/nodev/noexec/atime flags inherited from a more
// privileged mount: keep those, or the remount fails with EPERM.
int remount(const char *target, unsigned long flags)
{
	int r = mount("", target, "", MS_REMOUNT | MS_BIND | flags, "");
	if (r < 0 && errno == EPERM) {
		struct statfs st;
		if (statfs(target, &st) == 0) {
			static const struct {
				unsigned long st, flag;
			} locked[] = {
				{ST_NOSUID, MS_NOSUID}, {ST_NODEV, MS_NODEV}, {ST_NOEXEC, MS_NOEXEC},
				{ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME},
				{ST_RELATIME, MS_RELATIME}, {ST_RDONLY, MS_RDONLY},
			};
			for (size_t i = 0; i < sizeof(locked) / sizeof(locked[0]); i++) {
				if (st.f_flags & locked[i].st)
					flags |= locked[i].flag;
			}
			r = mount("", target, "", MS_REMOUNT | MS_BIND | flags, "");
		}
	}
	return r;
}
