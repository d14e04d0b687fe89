// Process attributes that the kernel keeps across execve and that init
// sets on itself before it becomes the user's process: oom_score_adj,
// rlimits, personality, scheduling, I/O priority, memory policy, CPU
// affinity and the LSM labels. The host side parsed and checked every
// name; the values arrive as the numbers the syscalls take.
#include "init.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

// struct sched_attr of sched_setattr(2), SCHED_ATTR_SIZE_VER1.
struct sched_attr_v1 {
	uint32_t size;
	uint32_t policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
	uint32_t util_min;
	uint32_t util_max;
};

static void write_proc(const struct op *op, const char *path, const char *value, size_t len, const char *hint)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, value, len) < 0) {
		int e = errno;
		fail_hint(e, (e == EPERM || e == EACCES) ? hint : NULL, "%s", arg_str(op, 0));
	}
	close(fd);
}

// hint is an optional last argument: what an EPERM means for this step.
static const char *hint_at(const struct op *op, int i)
{
	return op->argc > i ? op->argv[i].s : NULL;
}

void attr_op(const struct op *op)
{
	const char *ctx = arg_str(op, 0);
	switch (op->code) {
	case OP_OOM_SCORE_ADJ:
		write_proc(op, "/proc/self/oom_score_adj", arg_str(op, 1), op->argv[1].len, hint_at(op, 2));
		return;
	case OP_RLIMIT: {
		struct rlimit r = {.rlim_cur = arg_u64(op, 2), .rlim_max = arg_u64(op, 3)};
		if (prlimit(0, (int)arg_u64(op, 1), &r, NULL) < 0)
			fail_hint(errno, errno == EPERM ? hint_at(op, 4) : NULL, "%s", ctx);
		return;
	}
	case OP_PERSONALITY:
		if (personality((unsigned long)arg_u64(op, 1)) < 0)
			fail(errno, "%s", ctx);
		return;
	case OP_SCHEDULER: {
		need_args(op, 8);
		struct sched_attr_v1 a = {
			.size = sizeof(a),
			.policy = (uint32_t)arg_u64(op, 1),
			.flags = arg_u64(op, 2),
			.nice = (int32_t)arg_i64(op, 3),
			.priority = (uint32_t)arg_u64(op, 4),
			.runtime = arg_u64(op, 5),
			.deadline = arg_u64(op, 6),
			.period = arg_u64(op, 7),
		};
		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			fail_hint(errno, errno == EPERM ? hint_at(op, 8) : NULL, "%s", ctx);
		return;
	}
	case OP_IOPRIO:
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)arg_u64(op, 1)) < 0)
			fail(errno, "%s", ctx);
		return;
	case OP_MEMPOLICY: {
		need_args(op, 4);
		unsigned long maxnode = arg_u64(op, 2);
		const void *mask = op->argv[3].len > 0 ? op->argv[3].s : NULL;
		// The mask's bytes may be unaligned in the plan buffer.
		unsigned long aligned[1024 / (8 * sizeof(unsigned long))];
		if (mask != NULL) {
			memset(aligned, 0, sizeof(aligned));
			memcpy(aligned, mask, op->argv[3].len < sizeof(aligned) ? op->argv[3].len : sizeof(aligned));
			mask = aligned;
		}
		if (syscall(SYS_set_mempolicy, (int)arg_u64(op, 1), mask, maxnode) < 0)
			fail(errno, "%s", ctx);
		return;
	}
	case OP_AFFINITY: {
		cpu_set_t set;
		memset(&set, 0, sizeof(set));
		memcpy(&set, op->argv[1].s, op->argv[1].len < sizeof(set) ? op->argv[1].len : sizeof(set));
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			fail(errno, "%s", ctx);
		return;
	}
	case OP_LSM_LABEL: {
		// Exec attributes are per thread; init has one.
		char path[128];
		snprintf(path, sizeof(path), "/proc/thread-self/attr/%s", arg_str(op, 1));
		write_proc(op, path, arg_str(op, 2), op->argv[2].len, NULL);
		return;
	}
	}
}
