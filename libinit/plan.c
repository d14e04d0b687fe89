// Step 6: the plan. Wire format (internal/initplan/plan.go, Encode): a u32
// length, then steps; a step is a u16 code, a u16 argument count, then each
// argument as a u32 length, its bytes and a NUL not counted in the length.
// Numbers travel as decimal text.
#include "init.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PLAN (64u << 20)

static const char *end_of(const char *p, const char *end, size_t need)
{
	if ((size_t)(end - p) < need)
		fail(0, "plan: truncated");
	return p + need;
}

void read_plan(struct op **ops, size_t *nops)
{
	uint32_t len;
	if (read_all(g_sock, &len, sizeof(len)) < 0)
		fail_read("read plan");
	if (len > MAX_PLAN)
		fail(0, "plan: %u bytes is too large", len);
	char *buf = malloc(len);
	if (buf == NULL)
		fail(errno, "allocate plan");
	if (read_all(g_sock, buf, len) < 0)
		fail_read("read plan");

	// Two passes: count, then fill.
	size_t cap = 0;
	for (const char *p = buf, *end = buf + len; p < end;) {
		uint16_t argc;
		end_of(p, end, 4);
		memcpy(&argc, p + 2, 2);
		p += 4;
		for (int i = 0; i < argc; i++) {
			uint32_t alen;
			end_of(p, end, 4);
			memcpy(&alen, p, 4);
			p = end_of(p + 4, end, (size_t)alen + 1);
		}
		cap++;
	}
	struct op *out = calloc(cap ? cap : 1, sizeof(*out));
	if (out == NULL)
		fail(errno, "allocate plan");
	size_t k = 0;
	for (char *p = buf; p < buf + len; k++) {
		struct op *op = &out[k];
		memcpy(&op->code, p, 2);
		memcpy(&op->argc, p + 2, 2);
		p += 4;
		op->argv = calloc(op->argc ? op->argc : 1, sizeof(struct arg));
		if (op->argv == NULL)
			fail(errno, "allocate plan");
		for (int i = 0; i < op->argc; i++) {
			memcpy(&op->argv[i].len, p, 4);
			op->argv[i].s = p + 4;
			p += 4 + op->argv[i].len;
			if (*p != '\0')
				fail(0, "plan: argument not terminated");
			p++;
		}
	}
	*ops = out;
	*nops = k;
}

void need_args(const struct op *op, int n)
{
	if (op->argc < n)
		fail(0, "plan: step %u has %u arguments, needs %d", op->code, op->argc, n);
}

const char *arg_str(const struct op *op, int i)
{
	need_args(op, i + 1);
	return op->argv[i].s;
}

uint64_t arg_u64(const struct op *op, int i)
{
	return strtoull(arg_str(op, i), NULL, 10);
}

int64_t arg_i64(const struct op *op, int i)
{
	return strtoll(arg_str(op, i), NULL, 10);
}

// arg_list returns arguments from..from+n-1 as a NULL-terminated array of
// C strings (argv, envp).
char **arg_list(const struct op *op, int from, int n)
{
	need_args(op, from + n);
	char **v = calloc((size_t)n + 1, sizeof(char *));
	if (v == NULL)
		fail(errno, "allocate");
	for (int i = 0; i < n; i++)
		v[i] = (char *)op->argv[from + i].s;
	return v;
}
