// Compiling linux.seccomp into a classic BPF program, with libseccomp.
//
// The host side checked linux.seccomp and translated it into libseccomp's
// terms (internal/seccomp: Translate, Encode); this file only builds the
// filter from those values, takes libseccomp's program and puts the ENOSYS
// stub (enosys.c) in front of it. It runs in skiff-init's compile mode
// (seccomptool.c), on the host, when skiff's program cache
// (internal/seccomp/progcache) misses; a container's init only loads the
// finished program (seccomp.c).
//
// Why in skiff-init and not in skiff: libseccomp is C, and linking it into
// skiff with cgo cost every skiff command glibc's static start-up,
// 1.3-2 ms.
#include "init.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// The host side sends SCMP_ACT_* as the kernel's SECCOMP_RET_* values and
// SCMP_CMP_* as these numbers (internal/seccomp/filter.go).
_Static_assert(SCMP_ACT_KILL_THREAD == SECCOMP_RET_KILL_THREAD, "SCMP_ACT_KILL_THREAD");
_Static_assert(SCMP_ACT_KILL_PROCESS == SECCOMP_RET_KILL_PROCESS, "SCMP_ACT_KILL_PROCESS");
_Static_assert(SCMP_ACT_TRAP == SECCOMP_RET_TRAP, "SCMP_ACT_TRAP");
_Static_assert(SCMP_ACT_ERRNO(0) == SECCOMP_RET_ERRNO, "SCMP_ACT_ERRNO");
_Static_assert(SCMP_ACT_TRACE(0) == SECCOMP_RET_TRACE, "SCMP_ACT_TRACE");
_Static_assert(SCMP_ACT_LOG == SECCOMP_RET_LOG, "SCMP_ACT_LOG");
_Static_assert(SCMP_ACT_ALLOW == SECCOMP_RET_ALLOW, "SCMP_ACT_ALLOW");
_Static_assert(SCMP_ACT_NOTIFY == SECCOMP_RET_USER_NOTIF, "SCMP_ACT_NOTIFY");
_Static_assert(SCMP_CMP_NE == 1, "SCMP_CMP_NE");
_Static_assert(SCMP_CMP_LT == 2, "SCMP_CMP_LT");
_Static_assert(SCMP_CMP_LE == 3, "SCMP_CMP_LE");
_Static_assert(SCMP_CMP_EQ == 4, "SCMP_CMP_EQ");
_Static_assert(SCMP_CMP_GE == 5, "SCMP_CMP_GE");
_Static_assert(SCMP_CMP_GT == 6, "SCMP_CMP_GT");
_Static_assert(SCMP_CMP_MASKED_EQ == 7, "SCMP_CMP_MASKED_EQ");

// A cursor over the encoded filter (internal/seccomp/encode.go).
struct reader {
	const char *ctx;
	const char *p, *end;
};

static const char *take(struct reader *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		fail(0, "%s: linux.seccomp: encoded filter truncated", r->ctx);
	const char *at = r->p;
	r->p += n;
	return at;
}

static uint32_t get_u32(struct reader *r)
{
	uint32_t v;
	memcpy(&v, take(r, sizeof(v)), sizeof(v));
	return v;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t v;
	memcpy(&v, take(r, sizeof(v)), sizeof(v));
	return v;
}

static const char *get_str(struct reader *r)
{
	uint32_t len = get_u32(r);
	const char *s = take(r, (size_t)len + 1);
	if (s[len] != '\0')
		fail(0, "%s: linux.seccomp: encoded filter: string not terminated", r->ctx);
	return s;
}

// get_count reads a count of items that take at least min bytes each, so
// that a bad count fails here rather than in a huge allocation.
static uint32_t get_count(struct reader *r, size_t min)
{
	uint32_t n = get_u32(r);
	if ((size_t)(r->end - r->p) / min < n)
		fail(0, "%s: linux.seccomp: encoded filter truncated", r->ctx);
	return n;
}

// add_arches adds each architecture of linux.seccomp.architectures; the
// native one is there from seccomp_init. tokens gets the native token
// followed by the listed ones, for the ENOSYS stub.
static uint32_t *add_arches(struct reader *r, scmp_filter_ctx sc, size_t *ntokens)
{
	uint32_t n = get_count(r, 15);
	uint32_t *tokens = calloc((size_t)n + 1, sizeof(*tokens));
	if (tokens == NULL)
		fail(errno, "%s: linux.seccomp: allocate", r->ctx);
	tokens[0] = seccomp_arch_native();
	for (uint32_t i = 0; i < n; i++) {
		const char *field = get_str(r), *name = get_str(r), *lib = get_str(r);
		uint32_t token = seccomp_arch_resolve_name(lib);
		if (token == 0) {
			const struct scmp_version *v = seccomp_version();
			fail(0, "%s: %s: add %s: libseccomp %u.%u.%u does not support it", r->ctx, field, name,
			     v->major, v->minor, v->micro);
		}
		// EEXIST: the native architecture, or one listed twice.
		int rc = seccomp_arch_add(sc, token);
		if (rc == -EDOM)
			fail_hint(-rc, "its byte order differs from the other architectures'", "%s: %s: add %s", r->ctx, field, name);
		if (rc < 0 && rc != -EEXIST)
			fail(-rc, "%s: %s: add %s", r->ctx, field, name);
		tokens[i + 1] = token;
	}
	*ntokens = (size_t)n + 1;
	return tokens;
}

// add_rule adds one linux.seccomp.syscalls entry: each name, with each of
// its condition sets.
static void add_rule(struct reader *r, scmp_filter_ctx sc)
{
	const char *field = get_str(r);
	uint32_t action = get_u32(r);
	uint32_t nnames = get_count(r, 5);
	const char **names = calloc(nnames ? nnames : 1, sizeof(*names));
	if (names == NULL)
		fail(errno, "%s: %s: allocate", r->ctx, field);
	for (uint32_t j = 0; j < nnames; j++)
		names[j] = get_str(r);
	uint32_t nsets = get_count(r, 4);
	struct scmp_arg_cmp **sets = calloc(nsets ? nsets : 1, sizeof(*sets));
	unsigned int *lens = calloc(nsets ? nsets : 1, sizeof(*lens));
	if (sets == NULL || lens == NULL)
		fail(errno, "%s: %s: allocate", r->ctx, field);
	for (uint32_t s = 0; s < nsets; s++) {
		lens[s] = get_count(r, 24);
		sets[s] = calloc(lens[s] ? lens[s] : 1, sizeof(**sets));
		if (sets[s] == NULL)
			fail(errno, "%s: %s: allocate", r->ctx, field);
		for (unsigned int c = 0; c < lens[s]; c++) {
			sets[s][c].arg = get_u32(r);
			sets[s][c].op = (enum scmp_compare)get_u32(r);
			sets[s][c].datum_a = get_u64(r);
			sets[s][c].datum_b = get_u64(r);
		}
	}
	for (uint32_t j = 0; j < nnames; j++) {
		int nr = seccomp_syscall_resolve_name(names[j]);
		// A name this libseccomp does not know is skipped, as runc
		// does: profiles list syscalls of newer kernels and other
		// architectures, and refusing them would make one profile
		// unusable across hosts. Negative numbers other than this
		// one are libseccomp's own, for syscalls that exist only on
		// some of the filter's architectures: it handles them.
		if (nr == __NR_SCMP_ERROR)
			continue;
		int rc = 0;
		if (nsets == 0)
			rc = seccomp_rule_add_array(sc, action, nr, 0, NULL);
		for (uint32_t s = 0; s < nsets && rc == 0; s++)
			rc = seccomp_rule_add_array(sc, action, nr, lens[s], sets[s]);
		if (rc < 0)
			fail(-rc, "%s: %s.names[%u]: add rule for %s", r->ctx, field, j, names[j]);
	}
	for (uint32_t s = 0; s < nsets; s++)
		free(sets[s]);
	free(sets);
	free(lens);
	free(names);
}

// export_bpf returns libseccomp's program. It goes through a memfd
// because seccomp_export_bpf_mem only exists from libseccomp 2.6 on, and
// Debian 12 ships 2.5.4.
static struct sock_filter *export_bpf(const char *ctx, scmp_filter_ctx sc, size_t *n)
{
	int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		fail(errno, "%s: linux.seccomp: export filter: memfd_create", ctx);
	int rc = seccomp_export_bpf(sc, fd);
	if (rc < 0)
		fail(-rc, "%s: linux.seccomp: export filter", ctx);
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		fail(errno, "%s: linux.seccomp: export filter: lseek", ctx);
	if (size == 0 || size % sizeof(struct sock_filter) != 0)
		fail(0, "%s: linux.seccomp: export filter: libseccomp wrote %lld bytes", ctx, (long long)size);
	struct sock_filter *prog = malloc((size_t)size);
	if (prog == NULL)
		fail(errno, "%s: linux.seccomp: export filter: allocate", ctx);
	for (off_t at = 0; at < size;) {
		ssize_t k = pread(fd, (char *)prog + at, (size_t)(size - at), at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			fail(k < 0 ? errno : EIO, "%s: linux.seccomp: export filter: read", ctx);
		at += k;
	}
	close(fd);
	*n = (size_t)size / sizeof(struct sock_filter);
	return prog;
}

struct sock_filter *seccomp_compile(const char *ctx, const char *buf, size_t len, size_t *len_out)
{
	struct reader r = {.ctx = ctx, .p = buf, .end = buf + len};
	uint32_t def = get_u32(&r);
	int enosys = get_u32(&r) != 0;
	scmp_filter_ctx sc = seccomp_init(def);
	if (sc == NULL)
		fail(0, "%s: linux.seccomp.defaultAction: libseccomp refuses the action %#x", ctx, def);
	size_t ntokens;
	uint32_t *tokens = add_arches(&r, sc, &ntokens);
	uint32_t nnames = get_count(&r, 5);
	const char **names = calloc(nnames ? nnames : 1, sizeof(*names));
	if (names == NULL)
		fail(errno, "%s: linux.seccomp: allocate", ctx);
	for (uint32_t i = 0; i < nnames; i++)
		names[i] = get_str(&r);
	uint32_t nrules = get_count(&r, 17);
	for (uint32_t i = 0; i < nrules; i++)
		add_rule(&r, sc);
	if (r.p != r.end)
		fail(0, "%s: linux.seccomp: encoded filter has %zu bytes too many", ctx, (size_t)(r.end - r.p));

	size_t nlib;
	struct sock_filter *lib = export_bpf(ctx, sc, &nlib);
	seccomp_release(sc);
	size_t nstub = 0;
	struct sock_filter *stub = NULL;
	if (enosys)
		stub = enosys_stub(tokens, ntokens, names, nnames, &nstub);
	free(tokens);
	free(names);

	size_t n = nstub + nlib;
	if (n > BPF_MAXINSNS)
		fail(0, "%s: linux.seccomp: the filter compiles to %zu instructions, the kernel allows %d", ctx, n, BPF_MAXINSNS);
	*len_out = n;
	if (nstub == 0)
		return lib;
	struct sock_filter *prog = malloc(n * sizeof(*prog));
	if (prog == NULL)
		fail(errno, "%s: linux.seccomp: allocate", ctx);
	memcpy(prog, stub, nstub * sizeof(*prog));
	memcpy(prog + nstub, lib, nlib * sizeof(*prog));
	free(stub);
	free(lib);
	return prog;
}
