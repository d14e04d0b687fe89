// The way back to the parent: frames on the handshake socket until the
// FIFO is open, the FIFO after that, stderr when neither is left.
//
// Frames are a u32 length and a JSON object, as internal/handshake reads
// them: {"type":"ready"}, {"type":"error","error":"...","errno":N}.
#include "init.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int g_sock = -1;
int g_fifo = -1;

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(const char *json, size_t len)
{
	uint32_t n = (uint32_t)len;
	if (g_sock < 0 || write_all(g_sock, &n, sizeof(n)) < 0)
		return -1;
	return write_all(g_sock, json, len);
}

void send_message(const char *type)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "{\"type\":\"%s\"}", type);
	if (send_frame(buf, (size_t)n) < 0)
		fail(errno, "send %s to the parent", type);
}

// read_message_type reads one frame from the parent and copies the value
// of its "type" key. The parent only ever sends flat objects with
// lowercase ASCII type names, so a scan for the key is enough.
int read_message_type(char *type, size_t size)
{
	uint32_t len;
	if (read_all(g_sock, &len, sizeof(len)) < 0 || len > (1 << 20))
		return -1;
	char *buf = malloc(len + 1);
	if (buf == NULL || read_all(g_sock, buf, len) < 0)
		return -1;
	buf[len] = '\0';
	const char *p = strstr(buf, "\"type\":\"");
	type[0] = '\0';
	if (p != NULL) {
		p += 8;
		size_t i = 0;
		while (p[i] != '\0' && p[i] != '"' && i + 1 < size) {
			type[i] = p[i];
			i++;
		}
		type[i] = '\0';
	}
	free(buf);
	return 0;
}

// send_fd_over sends fd over the unix socket sock as SCM_RIGHTS, with
// data as the message's bytes. It returns -1 with errno set on failure.
int send_fd_over(int sock, int fd, const void *data, size_t len)
{
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t r;
	while ((r = sendmsg(sock, &msg, 0)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : 0;
}

// send_fd passes one fd after the frame that announced it, as
// handshake.RecvFds expects: one byte of data, the fd as SCM_RIGHTS.
void send_fd(int fd)
{
	if (send_fd_over(g_sock, fd, "F", 1) < 0)
		fail(errno, "send fd to the parent");
}

// recv_fds receives n fds sent with handshake.SendFds, close-on-exec.
int recv_fds(int *fds, int n)
{
	char data;
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	size_t space = CMSG_SPACE(sizeof(int) * (size_t)n);
	char *cbuf = calloc(1, space);
	if (cbuf == NULL)
		return -1;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = space};
	ssize_t r;
	while ((r = recvmsg(g_sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (r <= 0) {
		free(cbuf);
		if (r == 0)
			errno = EPIPE;
		return -1;
	}
	int got = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < n)
				fds[got++] = fd;
			else
				close(fd);
		}
	}
	free(cbuf);
	if (got != n) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

// json_string appends s as a JSON string body: quotes, backslashes and
// control characters escaped. Other bytes pass as they are; the parent's
// decoder turns invalid UTF-8 into U+FFFD.
static size_t json_string(char *out, size_t size, size_t at, const char *s)
{
	for (; *s != '\0' && at + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[at++] = '\\';
			out[at++] = (char)c;
		} else if (c < 0x20) {
			at += (size_t)snprintf(out + at, size - at, "\\u%04x", c);
		} else {
			out[at++] = (char)c;
		}
	}
	return at;
}

// vfail reports an error and ends init: the message, then ": strerror(err)"
// when err is set, then " (hint)" when there is one. The errno travels
// with the message. Before the FIFO is open the parent reads the error
// frame; after it, `start` reads "E" and the text from the FIFO.
__attribute__((noreturn)) static void vfail(int err, const char *hint, const char *fmt, va_list ap)
{
	char msg[2048];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (err != 0) {
		int k = snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(err));
		n = k < 0 || (size_t)(n + k) >= sizeof(msg) ? (int)sizeof(msg) - 1 : n + k;
	}
	if (hint != NULL && *hint != '\0')
		snprintf(msg + n, sizeof(msg) - (size_t)n, " (%s)", hint);

	if (g_fifo >= 0) {
		char out[sizeof(msg) + 1];
		int k = snprintf(out, sizeof(out), "E%s", msg);
		write_all(g_fifo, out, (size_t)k);
		_exit(127);
	}
	char frame[3 * sizeof(msg)];
	size_t at = (size_t)snprintf(frame, sizeof(frame), "{\"type\":\"error\",\"error\":\"");
	at = json_string(frame, sizeof(frame), at, msg);
	at += (size_t)snprintf(frame + at, sizeof(frame) - at, "\",\"errno\":%d}", err);
	if (send_frame(frame, at) < 0) {
		// No one left to tell but the process's stderr.
		dprintf(2, "skiff init: %s\n", msg);
	}
	_exit(127);
}

void fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, NULL, fmt, ap);
	va_end(ap);
}

// fail_read reports a failed read from the parent, or, when the parent
// closed the connection (read_all's EPIPE), exits quietly: the parent
// gave up on this init and reports why itself, and a second message from
// here would only be noise on stderr.
void fail_read(const char *what)
{
	if (errno == EPIPE)
		_exit(1);
	fail(errno, "%s", what);
}

void fail_hint(int err, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, hint, fmt, ap);
	va_end(ap);
}
