#!/usr/bin/env bats
# containerd 1.6 with skiff as the runc v2 shim's runtime (ctr run
# --runc-binary).

load helpers

IMG=docker.io/library/$IT_IMAGE

teardown() {
	ctr task kill -s KILL "$NAME" >/dev/null 2>&1 || true
	ctr task delete -f "$NAME" >/dev/null 2>&1 || true
	ctr container delete "$NAME" >/dev/null 2>&1 || true
}

# task_status NAME: RUNNING, PAUSED, STOPPED, ... from `ctr task ls`.
task_status() {
	ctr task ls | awk -v n="$1" '$1 == n { print $3 }'
}

task_pid() {
	ctr task ls | awk -v n="$1" '$1 == n { print $2 }'
}

@test "ctr: run --rm prints the container's output" {
	run ctr_run --rm "$IMG" "$NAME" sh -c 'echo hello from skiff; id -u'
	[ "$status" -eq 0 ]
	expect_eq "line 1" "${lines[0]}" "hello from skiff"
	expect_eq "uid" "${lines[1]}" 0
	# --rm removed the container.
	run ctr container info "$NAME"
	[ "$status" -ne 0 ]
}

@test "ctr: exit status 3 is reported as 3" {
	run ctr_run --rm "$IMG" "$NAME" sh -c 'exit 3'
	expect_eq "status" "$status" 3
}

@test "ctr: detached run, task exec, kill, task delete, container delete" {
	ctr_run -d "$IMG" "$NAME" sh -c 'trap "exit 7" TERM; sleep 300 & wait'
	retry 5 test "$(task_status "$NAME")" = RUNNING

	run ctr task exec --exec-id "x-$NAME" --cwd /tmp --user 65534 "$NAME" sh -c 'echo $(id -u) $(pwd)'
	[ "$status" -eq 0 ]
	expect_eq "exec output" "$output" "65534 /tmp"

	run ctr task exec --exec-id "y-$NAME" "$NAME" sh -c 'exit 5'
	expect_eq "exec status" "$status" 5

	ctr task kill "$NAME" # SIGTERM
	retry 5 test "$(task_status "$NAME")" = STOPPED
	run ctr task delete "$NAME"
	[ "$status" -eq 0 ]
	expect_match "delete output" "$output" "exit code 7"
	ctr container delete "$NAME"
	run ctr container info "$NAME"
	[ "$status" -ne 0 ]
	[ ! -e "$IT_DIR/runc-root/$CTR_NS/$NAME" ]
}

@test "ctr: task pause and resume" {
	ctr_run -d "$IMG" "$NAME" sleep 300
	retry 5 test "$(task_status "$NAME")" = RUNNING
	ctr task pause "$NAME"
	expect_eq "status after pause" "$(task_status "$NAME")" PAUSED
	expect_eq "freezer" "$(cgroup_file "$(task_pid "$NAME")" freezer freezer.state)" FROZEN
	ctr task resume "$NAME"
	expect_eq "status after resume" "$(task_status "$NAME")" RUNNING
	run ctr task exec --exec-id "x-$NAME" "$NAME" echo alive
	expect_eq "exec after resume" "$output" alive
}

@test "ctr: run --tty gives the process a terminal" {
	run in_pty "ctr --address $CONTAINERD_SOCK -n $CTR_NS run --runc-binary $IT_DIR/bin/skiff-ctr --runc-root $IT_DIR/runc-root --tty --rm $IMG $NAME sh -c 'tty; [ -t 0 ] && echo stdin-tty; exit 4'" </dev/null
	expect_eq "status" "$status" 4
	expect_match "output" "$output" "/dev/pts/0"
	expect_match "output" "$output" "stdin-tty"
}

@test "ctr: --memory-limit and --cpus reach the cgroup and task metrics" {
	ctr_run -d --memory-limit 67108864 --cpus 0.5 "$IMG" "$NAME" sleep 300
	retry 5 test "$(task_status "$NAME")" = RUNNING
	pid=$(task_pid "$NAME")
	expect_eq "memory.limit_in_bytes" "$(cgroup_file "$pid" memory memory.limit_in_bytes)" 67108864
	expect_eq "cpu.cfs_quota_us" "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)" 50000
	expect_eq "cpu.cfs_period_us" "$(cgroup_file "$pid" cpu cpu.cfs_period_us)" 100000
	run ctr task metrics "$NAME"
	[ "$status" -eq 0 ]
	expect_match "metrics" "$output" "memory.limit_in_bytes[[:space:]]+67108864"
	expect_match "metrics" "$output" "memory.usage_in_bytes[[:space:]]+[1-9]"
	expect_match "metrics" "$output" "pids.current[[:space:]]+1"
}

@test "ctr: task ps lists the container's processes" {
	ctr_run -d "$IMG" "$NAME" sh -c 'sleep 300 & sleep 301 & wait'
	retry 5 test "$(task_status "$NAME")" = RUNNING
	pid=$(task_pid "$NAME")
	retry 5 test "$(ctr task ps "$NAME" | tail -n +2 | wc -l)" -eq 3
	run ctr task ps "$NAME"
	[ "$status" -eq 0 ]
	expect_match "task ps" "$output" "(^|[[:space:]])$pid[[:space:]]"
}
