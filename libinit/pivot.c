// Entering the container's root: pivot_root, or the --no-pivot move, or a
// plain chroot for a container without a mount namespace.
#include "init.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

// pivot_root(".", ".") stacks the old root on top of the new one, and a
// lazy unmount of "." then removes it (pivot_root(2), NOTES): no directory
// for the old root is needed.
static void pivot(const char *ctx, const char *rootfs)
{
	int old = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (old < 0)
		fail(errno, "%s: open old root", ctx);
	if (chdir(rootfs) < 0)
		fail(errno, "%s: chdir %s", ctx, rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail(errno, "%s: pivot_root %s", ctx, rootfs);
	if (fchdir(old) < 0)
		fail(errno, "%s: fchdir old root", ctx);
	// The old root's mounts may be shared with the host: detach them as
	// slaves so the unmount does not propagate back.
	if (mount("", ".", "", MS_SLAVE | MS_REC, "") < 0)
		fail(errno, "%s: make old root slave", ctx);
	if (umount2(".", MNT_DETACH) < 0)
		fail(errno, "%s: unmount old root", ctx);
	if (chdir("/") < 0)
		fail(errno, "%s: chdir /", ctx);
	close(old);
}

void root_op(const struct op *op)
{
	const char *ctx = arg_str(op, 0), *rootfs = arg_str(op, 1);
	switch (op->code) {
	case OP_PIVOT_ROOT:
		pivot(ctx, rootfs);
		break;
	case OP_MOVE_ROOT:
		// For roots that cannot pivot (a ramdisk): move the rootfs over
		// "/" and chroot into it.
		if (chdir(rootfs) < 0)
			fail(errno, "%s: chdir %s", ctx, rootfs);
		if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			fail(errno, "%s: move %s to /", ctx, rootfs);
		if (chroot(".") < 0)
			fail(errno, "%s: chroot", ctx);
		if (chdir("/") < 0)
			fail(errno, "%s: chdir /", ctx);
		break;
	case OP_CHROOT:
		// No mount namespace: nothing can be mounted without affecting
		// the host; the process is only confined to root.path, as runc
		// does.
		if (chroot(rootfs) < 0)
			fail(errno, "%s: chroot %s", ctx, rootfs);
		if (chdir("/") < 0)
			fail(errno, "%s: chdir / in the new root", ctx);
		break;
	}
	if (g_root >= 0) {
		close(g_root);
		g_root = -1;
	}
}
