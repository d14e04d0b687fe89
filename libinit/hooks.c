// Hooks that init runs itself, inside the container's namespaces:
// createContainer (before pivot_root, so paths are the runtime's) and
// startContainer (after it). The others run in the parent
// (internal/hooks). As there: the state JSON on stdin, stdout discarded,
// the first line of stderr in the error, a timeout that kills the hook.
#include "init.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// read_stderr appends what the non-blocking fd holds to buf, as far as it
// fits, and reads on past that to drain it. It returns 0 at end of file.
static int read_stderr(int fd, char *buf, size_t *len, size_t size)
{
	char chunk[512];
	ssize_t k;
	while ((k = read(fd, chunk, sizeof(chunk))) > 0) {
		size_t room = size - 1 - *len;
		size_t take = (size_t)k < room ? (size_t)k : room;
		memcpy(buf + *len, chunk, take);
		*len += take;
	}
	return k != 0;
}

static void describe_status(char *buf, size_t size, int status)
{
	if (WIFEXITED(status)) {
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *name = strsignal(WTERMSIG(status));
		snprintf(buf, size, "signal: %s", name ? name : "unknown");
		// "Killed" -> "killed", as Go's os.ProcessState spells it.
		char *p = strchr(buf, ':');
		if (p != NULL && p[1] == ' ' && p[2] >= 'A' && p[2] <= 'Z')
			p[2] = (char)(p[2] - 'A' + 'a');
	} else {
		snprintf(buf, size, "status %#x", status);
	}
}

// hook_op: timeout (seconds), state, path, argc, args..., env...
void hook_op(const struct op *op)
{
	need_args(op, 5);
	const char *ctx = arg_str(op, 0);
	long timeout = (long)arg_u64(op, 1);
	const char *state = arg_str(op, 2);
	size_t state_len = op->argv[2].len;
	const char *path = arg_str(op, 3);
	int argc = (int)arg_u64(op, 4);
	need_args(op, 5 + argc);
	char **argv = arg_list(op, 5, argc);
	char **envp = arg_list(op, 5 + argc, op->argc - 5 - argc);

	int in[2], errp[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		fail(errno, "%s: pipe", ctx);
	pid_t pid = fork();
	if (pid < 0)
		fail(errno, "%s: fork", ctx);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		dup2(in[0], 0);
		if (null >= 0)
			dup2(null, 1);
		dup2(errp[1], 2);
		execve(path, argv, envp);
		dprintf(2, "exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(errp[1]);
	// A hook that does not read its stdin must not block us: the state
	// goes in as far as the pipe takes it, without SIGPIPE.
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	write_all(in[1], state, state_len);
	sigaction(SIGPIPE, &old, NULL);
	close(in[1]);

	// Wait for the exit, keeping the first bytes of stderr. The deadline
	// is absolute: a hook that keeps writing does not extend it.
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail(e, "%s: pidfd_open", ctx);
	}
	int errfd = errp[0];
	fcntl(errfd, F_SETFL, O_NONBLOCK);
	char err[512];
	size_t err_len = 0;
	int timed_out = 0;
	long long deadline = now_ms() + timeout * 1000LL;
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = errfd, .events = POLLIN}};
		if (poll(p, 2, left > 60000 ? 60000 : (int)left) < 0 && errno != EINTR)
			fail(errno, "%s: wait", ctx);
		if (p[1].revents && !read_stderr(errfd, err, &err_len, sizeof(err)))
			errfd = -1; // closed; poll ignores a negative fd
		if (p[0].revents) {
			// Exited: what it wrote is in the pipe, unless a child of
			// its own still holds the pipe open.
			if (errfd >= 0)
				read_stderr(errfd, err, &err_len, sizeof(err));
			break;
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(errp[0]);
	close(pidfd);
	free(argv);
	free(envp);
	if (timed_out)
		fail(0, "%s: timed out after %lds", ctx, timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	char why[64];
	describe_status(why, sizeof(why), status);
	err[err_len] = '\0';
	// The first non-empty line of stderr, trimmed.
	char *line = err;
	while (*line == '\n' || *line == ' ' || *line == '\t' || *line == '\r')
		line++;
	char *nl = strchr(line, '\n');
	if (nl != NULL)
		*nl = '\0';
	size_t l = strlen(line);
	while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\r' || line[l - 1] == '\t'))
		line[--l] = '\0';
	if (l > 0)
		fail(0, "%s: %s: %s", ctx, why, line);
	fail(0, "%s: %s", ctx, why);
}
