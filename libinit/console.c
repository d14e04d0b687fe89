// process.terminal: a new pty from the container's /dev/pts. The master
// goes to the --console-socket receiver (SCM_RIGHTS, with the slave's path
// as data, as runc sends it); the slave becomes stdio and the controlling
// terminal.
#include "init.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

// console_op: fd (connected console socket), uid, gid, rows, cols (0: leave).
void console_op(const struct op *op)
{
	need_args(op, 6);
	const char *ctx = arg_str(op, 0);
	int sock = (int)arg_u64(op, 1);
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail(errno, "%s: open /dev/ptmx", ctx);
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		fail(errno, "%s: unlock pty", ctx);
	unsigned int n;
	if (ioctl(master, TIOCGPTN, &n) < 0)
		fail(errno, "%s: get pty number", ctx);
	char slave_path[64];
	snprintf(slave_path, sizeof(slave_path), "/dev/pts/%u", n);
	int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		fail(errno, "%s: open %s", ctx, slave_path);
	unsigned rows = (unsigned)arg_u64(op, 4), cols = (unsigned)arg_u64(op, 5);
	if (rows != 0 || cols != 0) {
		struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			fail(errno, "config.json: process.consoleSize");
	}
	// Best effort, as a pty of a user the namespace does not map cannot
	// change owner.
	if (fchown(slave, (uid_t)arg_u64(op, 2), (gid_t)arg_u64(op, 3)) < 0) {
	}
	if (send_fd_over(sock, master, slave_path, strlen(slave_path)) < 0)
		fail(errno, "%s: send pty master to console socket", ctx);
	close(sock);
	close(master);
	if (setsid() < 0)
		fail(errno, "%s: setsid", ctx);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		fail(errno, "%s: set controlling terminal", ctx);
	for (int fd = 0; fd < 3; fd++) {
		if (dup3(slave, fd, 0) < 0)
			fail(errno, "%s: dup pty to fd %d", ctx, fd);
	}
	close(slave);
}
