// skiff-init's two seccomp modes for the host side, selected by an
// environment variable (main in init.c). Neither involves a container.
#include "init.h"

#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// seccomp_compile_main is the compile mode (_SKIFF_SECCOMP_COMPILE): an
// encoded filter (internal/seccomp: Encode) on stdin, the program init
// would load on stdout, an error on stderr and exit status 127 (fail).
// skiff runs it when its program cache misses (internal/seccomp:
// Compile); the Go tests of internal/seccomp compile through it
// too, so that they test this compiler and the linked libseccomp.
int seccomp_compile_main(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			fail(errno, "read encoded filter: allocate");
		ssize_t n = read(0, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(errno, "read encoded filter");
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	size_t n;
	const struct sock_filter *prog = seccomp_compile("config.json", buf, len, &n);
	if (write_all(1, prog, n * sizeof(*prog)) < 0)
		fail(errno, "write program");
	return 0;
}

// seccomp_arches_main is the architectures mode (_SKIFF_SECCOMP_ARCHES) for
// `skiff features`: it prints those of the libseccomp architecture names
// in argv for which this libseccomp can build a filter, which is to say
// one it knows that may share a filter with the native architecture
// (libseccomp refuses to mix byte orders).
int seccomp_arches_main(int argc, char **argv)
{
	uint32_t native = seccomp_arch_native();
	for (int i = 1; i < argc; i++) {
		uint32_t token = seccomp_arch_resolve_name(argv[i]);
		if (token == 0)
			continue;
		scmp_filter_ctx sc = seccomp_init(SCMP_ACT_ALLOW);
		if (sc == NULL)
			fail(0, "seccomp_init failed");
		int rc = seccomp_arch_add(sc, token);
		seccomp_release(sc);
		if (token == native || rc == 0)
			printf("%s\n", argv[i]);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
