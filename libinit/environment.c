// The container's new namespaces, configured: loopback, hostname,
// sysctls, session keyring.
#include "init.h"

#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

// loopback_up brings up "lo" in a new network namespace: one ioctl, where
// a netlink conversation would cost more for the same result.
static void loopback_up(const char *ctx)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail(errno, "%s: socket", ctx);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail(errno, "%s: get flags", ctx);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		fail(errno, "%s", ctx);
	close(fd);
}

void namespace_op(const struct op *op)
{
	const char *ctx = arg_str(op, 0);
	switch (op->code) {
	case OP_LOOPBACK_UP:
		loopback_up(ctx);
		return;
	case OP_HOSTNAME:
		if (sethostname(arg_str(op, 1), op->argv[1].len) < 0)
			fail(errno, "%s", ctx);
		return;
	case OP_DOMAINNAME:
		if (setdomainname(arg_str(op, 1), op->argv[1].len) < 0)
			fail(errno, "%s", ctx);
		return;
	case OP_WRITE_FILE: {
		// /proc/sys files of namespaced keys act on the namespaces of
		// the writer, so the host's /proc serves before pivot_root.
		need_args(op, 3);
		int fd = open(arg_str(op, 1), O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write_all(fd, arg_str(op, 2), op->argv[2].len) < 0)
			fail(errno, "%s", ctx);
		close(fd);
		return;
	}
	case OP_KEYRING:
		// A fresh session keyring so the container cannot read the
		// host's keys. EPERM/ENOSYS: keyrings are unavailable here.
		if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, arg_str(op, 1)) < 0 && errno != ENOSYS && errno != EPERM)
			fail(errno, "%s", ctx);
		return;
	}
}
