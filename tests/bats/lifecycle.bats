#!/usr/bin/env bats
# create, start, state, kill, delete, run, list.

load helpers

@test "create parks init; start runs it; kill and delete remove everything" {
	skiff create --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = created ]
	pid=$(state_field "$ID" pid)
	[ "$pid" -gt 0 ]
	# Parked init has not exec'd yet: it is still skiff.
	grep -q skiff "/proc/$pid/cmdline"

	skiff start "$ID"
	[ "$(state_field "$ID" status)" = running ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 300 " ]

	skiff kill "$ID" KILL
	wait_for_status "$ID" stopped
	[ "$(state_field "$ID" pid)" = 0 ]
	skiff delete "$ID"
	assert_clean "$ID"
}

@test "state prints runc-compatible JSON" {
	skiff create --bundle "$BUNDLE" "$ID"
	run skiff state "$ID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$ID" --arg b "$BUNDLE" '
		.id == $id and .status == "created" and .bundle == $b and .pid > 0
		and (.ociVersion | startswith("1.")) and (.created | length > 0)
		and (.rootfs | endswith("/rootfs"))' >/dev/null
}

@test "run exits with the process's status" {
	run_container sh -c 'exit 3'
	[ "$status" -eq 3 ]
	assert_clean "$ID"
}

@test "run reports a signal as 128+N" {
	# Without a pid namespace sh is not pid 1, which ignores signals it has
	# no handler for.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run_container sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
}

@test "run passes stdout and stderr through" {
	run_container sh -c 'echo out; echo err >&2'
	[ "$status" -eq 0 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
}

@test "run --detach leaves the container running; --keep keeps it after exit" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = running ]
	skiff delete --force "$ID"
	assert_clean "$ID"

	update_config '.process.args = ["true"]'
	skiff run --keep --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = stopped ]
	skiff delete "$ID"
	assert_clean "$ID"
}

@test "kill accepts signal names and numbers" {
	update_config '.process.args = ["sh", "-c", "trap \"echo got-usr1 > /tmp/sig\" USR1; while true; do sleep 0.1; done"]'
	update_config '.root.readonly = false'
	skiff run -d --bundle "$BUNDLE" "$ID"
	sleep 0.3
	skiff kill "$ID" USR1
	for i in $(seq 30); do [ -e "$BUNDLE/rootfs/tmp/sig" ] && break; sleep 0.1; done
	[ -e "$BUNDLE/rootfs/tmp/sig" ]
	skiff kill "$ID" SIGKILL
	wait_for_status "$ID" stopped
	skiff delete "$ID"
	skiff run -d --bundle "$BUNDLE" "$ID"
	skiff kill "$ID" 9
	wait_for_status "$ID" stopped
	run skiff kill "$ID" 9
	[ "$status" -ne 0 ]
	[[ "$output" == *"not running"* ]]
	run skiff kill "$ID" NOSUCHSIG
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid signal"* ]]
}

@test "start of a running container fails clearly" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot start container \"$ID\": it is running"* ]]
}

@test "delete of a running container needs --force" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff delete "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not stopped"* ]]
	[ "$(state_field "$ID" status)" = running ]
	skiff delete --force "$ID"
	assert_clean "$ID"
}

@test "delete --force of a created container kills init" {
	skiff create --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	skiff delete --force "$ID"
	! kill -0 "$pid" 2>/dev/null
	assert_clean "$ID"
}

@test "list shows containers in table, json and quiet form" {
	skiff create --bundle "$BUNDLE" "$ID-a"
	skiff run -d --bundle "$BUNDLE" "$ID-b"
	run skiff list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER ]]
	[[ "$output" == *"$ID-a"*created* ]]
	[[ "$output" == *"$ID-b"*running* ]]
	run skiff list -q
	[ "${lines[0]}" = "$ID-a" ]
	[ "${lines[1]}" = "$ID-b" ]
	skiff list --format json | jq -e 'length == 2 and .[1].status == "running"' >/dev/null
}

@test "pid-file holds the container's host pid" {
	skiff create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
	[ "$(cat "$TEST_DIR/pid")" = "$(state_field "$ID" pid)" ]
}

@test "unknown container id: clear error, non-zero exit" {
	for verb in start state kill delete; do
		run skiff $verb nosuch
		[ "$status" -ne 0 ]
		[[ "$output" == *'"nosuch"'*"does not exist"* ]]
	done
	skiff delete --force nosuch
}

@test "a second create with the same id fails and leaves the first intact" {
	skiff create --bundle "$BUNDLE" "$ID"
	run skiff create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	[ "$(state_field "$ID" status)" = created ]
}

@test "invalid container ids are rejected without creating anything" {
	for bad in "a/b" ".." "$(printf 'x%.0s' $(seq 1000))"; do
		run skiff create --bundle "$BUNDLE" "$bad"
		[ "$status" -ne 0 ]
	done
	[ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ]
}

@test "run forwards signals to the container's process, a real-time one too" {
	for sig in USR1 37; do
		update_config ".process.args = [\"sh\", \"-c\", \"trap 'echo got-$sig; exit 7' $sig; echo ready; sleep 100 & wait\"]"
		# The binary itself, not the skiff() wrapper: $! must be its pid.
		"$SKIFF" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 &
		runpid=$!
		for i in $(seq 50); do grep -q ready "$TEST_DIR/out" && break; sleep 0.1; done
		kill -s "$sig" "$runpid"
		st=0
		wait "$runpid" || st=$?
		cat "$TEST_DIR/out"
		[ "$st" -eq 7 ]
		grep -q "got-$sig" "$TEST_DIR/out"
		assert_clean "$ID"
	done
}
