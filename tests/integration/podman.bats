#!/usr/bin/env bats
# podman 4.3 + conmon with skiff as --runtime, private storage and config
# (cgroupfs, file events, no network).

load helpers

teardown() {
	podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
}

inspect() {
	podman inspect -f "{{$2}}" "$1"
}

# pdetach ARGS...: a detached container with this test's name; waits
# until it runs.
pdetach() {
	podman run -d --name "$NAME" "$@" >/dev/null
	retry 5 test "$(inspect "$NAME" .State.Status)" = running
}

@test "podman: run --rm prints the container's output" {
	run podman run --rm --name "$NAME" --hostname skiffhost "$IT_IMAGE" sh -c 'echo hello from $(hostname); id -u'
	[ "$status" -eq 0 ]
	expect_eq "line 1" "${lines[0]}" "hello from skiffhost"
	expect_eq "uid" "${lines[1]}" 0
	run podman container exists "$NAME"
	[ "$status" -ne 0 ]
}

@test "podman: exit status 3 is reported as 3" {
	run podman run --name "$NAME" "$IT_IMAGE" sh -c 'exit 3'
	expect_eq "status" "$status" 3
	expect_eq "ExitCode" "$(inspect "$NAME" .State.ExitCode)" 3
}

@test "podman: run -d, exec, stop, rm" {
	pdetach "$IT_IMAGE" sh -c 'trap "exit 0" TERM; sleep 300 & wait'
	run podman exec -u 65534 -e FOO=bar -w /tmp "$NAME" sh -c 'echo $(id -u) $FOO $(pwd)'
	[ "$status" -eq 0 ]
	expect_eq "exec" "$output" "65534 bar /tmp"
	run podman exec "$NAME" sh -c 'exit 6'
	expect_eq "exec status" "$status" 6
	podman stop -t 10 "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" exited
	expect_eq "ExitCode" "$(inspect "$NAME" .State.ExitCode)" 0
	podman rm "$NAME"
	run podman container exists "$NAME"
	[ "$status" -ne 0 ]
}

@test "podman: pause and unpause" {
	pdetach "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	podman pause "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" paused
	expect_eq "freezer" "$(cgroup_file "$pid" freezer freezer.state)" FROZEN
	podman unpause "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" running
	expect_eq "freezer" "$(cgroup_file "$pid" freezer freezer.state)" THAWED
}

@test "podman: update --memory and --cpus" {
	pdetach --memory 64m "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	expect_eq "memory.limit_in_bytes" "$(cgroup_file "$pid" memory memory.limit_in_bytes)" 67108864
	podman update --memory 96m --cpus 0.5 "$NAME"
	expect_eq "memory.limit_in_bytes" "$(cgroup_file "$pid" memory memory.limit_in_bytes)" 100663296
	expect_eq "cpu.cfs_quota_us" "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)" 50000
}

@test "podman: run -it gets a terminal" {
	run in_pty "CONTAINERS_CONF=$IT_DIR/podman/containers.conf CONTAINERS_STORAGE_CONF=$IT_DIR/podman/storage.conf podman --runtime $IT_DIR/bin/skiff-podman run -it --rm --name $NAME $IT_IMAGE sh -c 'tty; [ -t 0 ] && echo stdin-tty; exit 4'" </dev/null
	expect_eq "status" "$status" 4
	expect_match "output" "$output" "/dev/pts/0"
	expect_match "output" "$output" "stdin-tty"
}
