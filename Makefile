# skiff: build, demo, tests. Targets that run containers need root.
GO        ?= go
# encoding/json runs on the encoding/json/v2 engine (the default from Go
# 1.27): it builds a type's codec when the data first reaches the type,
# where the old engine built encoder and decoder for every type a
# specs.Spec can reach on the first decode (cold config.json decode 2.0 ->
# 1.3 ms; page faults of `skiff state` 398 -> 324, of `skiff run` 751 -> 657).
export GOEXPERIMENT ?= jsonv2
BUILD     := _build
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: all skiff deps demo test unit bats rootfs conformance test-integration clean bench bench-go stress stress-ci fuzz

all: skiff

# No cgo: skiff is pure Go and static, so no dynamic loader runs on each of
# the several executions a container costs, and no command pays glibc's
# static start-up either (1.3-2 ms on the CI VM: cpuid instructions that
# trap, a pthread). netgo and osusergo keep net and os/user pure Go;
# urfave_cli_no_docs drops the markdown/man generators whose package init
# alone took 4.4 ms per start (GODEBUG=inittrace=1).
TAGS      := urfave_cli_no_docs,netgo,osusergo
# skiff embeds skiff-init (libinit/*.c), which runs as every container's
# init: a static C program that executes the plan skiff computes
# (internal/initplan), with no language runtime to start. It also
# compiles linux.seccomp with libseccomp (libinit/seccompcompile.c),
# linked statically from libseccomp-dev. Its SHA-256 names the cached copy
# in the state root.
CC        ?= cc
INITBIN   := internal/initbin/bin/skiff-init
INIT_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -static -s -fno-asynchronous-unwind-tables
INIT_LIBS := $(shell pkg-config --static --libs libseccomp 2>/dev/null || echo -lseccomp)
skiff:
	$(CC) $(INIT_CFLAGS) -o $(INITBIN) libinit/*.c $(INIT_LIBS)
	CGO_ENABLED=0 $(GO) build -tags $(TAGS) -trimpath \
		-ldflags '$(LDFLAGS) -X github.com/skiffrt/skiff/internal/initbin.id='"$$(sha256sum $(INITBIN) | cut -c1-64)" -o skiff .

$(BUILD)/recvtty: tests/recvtty/main.go
	$(GO) build -o $@ ./tests/recvtty

$(BUILD)/seccompagent: tests/seccompagent/main.go
	$(GO) build -o $@ ./tests/seccompagent

# Packages the build and tests use, from Debian: libseccomp-dev (with
# pkg-config to find it) for skiff-init's seccomp compiler, linked
# statically.
deps:
	@missing=""; \
	for p in busybox-static bats jq gcc libseccomp-dev pkg-config uidmap; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

rootfs: $(BUILD)/rootfs/bin/busybox
$(BUILD)/rootfs/bin/busybox:
	tests/mkrootfs.sh $(BUILD)/rootfs

# Builds skiff and a busybox bundle, then runs one container.
demo: deps skiff rootfs
	tests/demo.sh $(BUILD)

# skiff first: the seccomp tests compile with the skiff-init it builds.
unit: skiff
	$(GO) vet ./...
	$(GO) test ./...

bats: deps skiff rootfs $(BUILD)/recvtty $(BUILD)/seccompagent
	SKIFF=$(CURDIR)/skiff ROOTFS=$(CURDIR)/$(BUILD)/rootfs RECVTTY=$(CURDIR)/$(BUILD)/recvtty \
		SECCOMPAGENT=$(CURDIR)/$(BUILD)/seccompagent tests/run-bats.sh tests/bats

test: deps unit bats conformance test-integration stress-ci fuzz

# Concurrency, same-id races, skiff SIGKILLed midway through create,
# start, exec and delete, and stale state (pid reuse), against ./skiff
# with a private --root; fails on a panic, an unclear error, a state or
# list that lies, or anything left on the host. Full size by default
# (`$(BUILD)/stress -h` lists the knobs), e.g. STRESS_ARGS='-n 500 -c 32';
# stress-ci is the size `make test` runs (about 2 minutes on 2 cores).
STRESS_ARGS    ?=
STRESS_CI_ARGS := -n 60 -c 8 -rounds 2 -races 3 -fault-reps 1 -fault-step 6ms
stress: skiff rootfs
	$(GO) build -o $(BUILD)/stress ./tests/stress
	$(BUILD)/stress -skiff ./skiff -rootfs $(BUILD)/rootfs $(STRESS_ARGS)
stress-ci: skiff rootfs
	$(GO) build -o $(BUILD)/stress ./tests/stress
	$(BUILD)/stress -skiff ./skiff -rootfs $(BUILD)/rootfs $(STRESS_CI_ARGS) $(STRESS_ARGS)

# Every Fuzz target of the module, FUZZTIME each (one go test per target).
FUZZTIME ?= 20s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) tests/fuzz.sh

# Side-by-side benchmarks against runc and crun (whichever are installed),
# interleaved, as a markdown table on stdout. Flags in BENCH_ARGS, e.g.
# BENCH_ARGS='-n 20' for a quick run, '-fix-crun' to let Debian's crun 1.8
# run on a hybrid host; `$(BUILD)/bench -h` lists them all.
BENCH_ARGS ?=
bench: skiff rootfs
	$(GO) build -o $(BUILD)/bench ./tests/bench
	$(BUILD)/bench -skiff ./skiff -rootfs $(BUILD)/rootfs $(BENCH_ARGS)

# In-process hot paths: config load, state files, cgroup translation.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/spec ./internal/container ./cgroups

# The OCI runtime-tools validation suite, pinned in tests/conformance/go.mod
# (a module of its own, so its dependencies stay out of skiff's go.mod).
# Another runtime: RUNTIME=/usr/sbin/runc make conformance. Fails only on a
# file not listed in tests/conformance/expected-failures; TAP of each file
# in _build/conformance/out/.
RUNTIME ?= $(CURDIR)/skiff
conformance: skiff
	GO=$(GO) RUNTIME=$(RUNTIME) tests/conformance/run.sh

# skiff under containerd 1.6, dockerd 20.10 and podman 4.3 (installed from
# Debian if missing), each with private state under one temp dir; see
# tests/integration/run.sh. Not part of `test`.
test-integration: skiff rootfs
	SKIFF=$(CURDIR)/skiff ROOTFS=$(CURDIR)/$(BUILD)/rootfs IT_OUT=$(CURDIR)/$(BUILD)/integration tests/integration/run.sh

clean:
	rm -rf $(BUILD) skiff
