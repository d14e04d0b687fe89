#!/usr/bin/env bats
# linux.seccomp: filters loaded into the container's processes.

load helpers

DOCKER_PROFILE=$BATS_TEST_DIRNAME/../../internal/seccomp/testdata/docker-default.json

@test "a profile that blocks mkdir with EPERM, and with its own errno" {
	update_config '.root.readonly = false
		| .linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
			{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"},
			{"names":["rmdir"],"action":"SCMP_ACT_ERRNO","errnoRet":18}]}
		| .process.args = ["sh", "-c", "mkdir /a; rmdir /tmp; echo done"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"can't create directory '/a': Operation not permitted"* ]]
	[[ "$output" == *"Invalid cross-device link"* ]]
	[[ "$output" == *done* ]]
}

@test "a rule with an argument condition blocks only the matching calls" {
	update_config '.root.readonly = false
		| .linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
			{"names":["chmod"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":511,"op":"SCMP_CMP_EQ"}]},
			{"names":["fchmodat"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"value":511,"op":"SCMP_CMP_EQ"}]}]}
		| .process.args = ["sh", "-c", "touch /f; chmod 755 /f && echo 755-ok; chmod 777 /f || echo 777-refused"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *755-ok* ]]
	[[ "$output" == *777-refused* ]]
}

@test "the Docker default profile runs busybox and refuses unshare, in run and exec" {
	update_config ".linux.seccomp = $(cat "$DOCKER_PROFILE")"
	update_config '.process.args = ["sh", "-c", "ls / >/dev/null && echo listed; unshare -m true || echo unshare-refused; sleep 300"]'
	skiff run -d --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	for i in $(seq 50); do grep -q unshare-refused "$TEST_DIR/out" && break; sleep 0.1; done
	cat "$TEST_DIR/out"
	grep -q listed "$TEST_DIR/out"
	grep -q unshare-refused "$TEST_DIR/out"
	pid=$(state_field "$ID" pid)
	grep -q "^Seccomp:.*2" "/proc/$pid/status"
	run skiff exec "$ID" sh -c 'grep ^Seccomp: /proc/self/status; unshare -m true'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Seccomp:"*2* ]]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "noNewPrivileges, a non-root user and a filter together" {
	update_config '.process.noNewPrivileges = true
		| .process.user = {"uid":1000,"gid":1000}
		| .linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO"}]}
		| .process.args = ["sh", "-c", "id -u; grep -E \"^(NoNewPrivs|Seccomp):\" /proc/self/status"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[[ "$output" == *"NoNewPrivs:"*1* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
}

@test "a notify listener receives the fd and the state, and answers" {
	[ -n "$SECCOMPAGENT" ] || skip "SECCOMPAGENT not set"
	"$SECCOMPAGENT" "$TEST_DIR/agent.sock" "$TEST_DIR/agent.state" 18 &
	AGENT_PID=$!
	for i in $(seq 50); do [ -S "$TEST_DIR/agent.sock" ] && break; sleep 0.1; done
	update_config ".root.readonly = false
		| .linux.seccomp = {\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"$TEST_DIR/agent.sock\",\"listenerMetadata\":\"meta-1\",
			\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}
		| .process.args = [\"sh\", \"-c\", \"mkdir /nope; echo rc=\$?\"]"
	run skiff run --bundle "$BUNDLE" "$ID"
	kill "$AGENT_PID"
	echo "$output"
	cat "$TEST_DIR/agent.state"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Invalid cross-device link"* ]]
	[[ "$output" == *rc=1* ]]
	jq -e '.fds == ["seccompFd"] and .metadata == "meta-1" and .pid > 0 and .state.id != null and .ociVersion != null' "$TEST_DIR/agent.state"
}

@test "bad seccomp entries are errors naming the field; nothing is left" {
	for bad in \
		'{"defaultAction":"SCMP_ACT_NOPE"}|linux.seccomp.defaultAction' \
		'{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]}|linux.seccomp.architectures[0]' \
		'{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_BOGUS"}]}|linux.seccomp.syscalls[0].action' \
		'{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}|linux.seccomp.syscalls[0].args[0].op' \
		'{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}|linux.seccomp' \
		'{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_BOGUS"]}|linux.seccomp.flags[0]'; do
		profile=${bad%|*}
		field=${bad##*|}
		update_config ".linux.seccomp = $profile"
		run skiff run --bundle "$BUNDLE" "$ID"
		echo "$field: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"$field"* ]]
		assert_clean "$ID"
	done
}

@test "a compiled program is cached for the next create and exec; a damaged entry is compiled again" {
	update_config ".linux.seccomp = $(cat "$DOCKER_PROFILE") | .process.args = [\"true\"]"
	skiff --debug run --bundle "$BUNDLE" "$ID" 2>"$TEST_DIR/debug1"
	grep -q "create $ID: seccomp (compiled)" "$TEST_DIR/debug1"
	entries=("$STATE_ROOT"/~seccomp/*)
	[ "${#entries[@]}" -eq 1 ] && [ -f "${entries[0]}" ]
	entry=${entries[0]}
	[ "$(stat -c %a "$STATE_ROOT/~seccomp")" = 700 ]

	skiff --debug run --bundle "$BUNDLE" "$ID" 2>"$TEST_DIR/debug2"
	grep -q "create $ID: seccomp (cached)" "$TEST_DIR/debug2"

	# One flipped byte in the program: the checksum catches it, and the
	# profile is compiled again rather than loaded.
	printf '\x55' | dd of="$entry" bs=1 seek=200 conv=notrunc 2>/dev/null
	update_config '.process.args = ["sh", "-c", "grep ^Seccomp: /proc/self/status; unshare -m true || echo unshare-refused"]'
	run skiff --debug run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"create $ID: seccomp (compiled)"* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	[[ "$output" == *unshare-refused* ]]

	# exec takes the program from the cache too.
	update_config '.process.args = ["sleep", "300"]'
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff --debug exec "$ID" sh -c 'grep ^Seccomp: /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp (cached)"* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	[ "$(ls "$STATE_ROOT/~seccomp" | wc -l)" -eq 1 ]
}

@test "a profile libseccomp refuses fails create naming the field, in one line; nothing is left" {
	update_config '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PPC64"]}'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"linux.seccomp.architectures[0]: add SCMP_ARCH_PPC64"* ]]
	assert_clean "$ID"
	[ -z "$(ls -A "$STATE_ROOT/~seccomp")" ]
}

@test "the first create in a fresh state root, with a profile to compile, starts init" {
	# The compile forks while skiff-init is first written to the root: a
	# child holding that file open for writing made executing it fail
	# with ETXTBSY (about 1 create in 30 before the fix; 40 of them here).
	update_config ".linux.seccomp = $(cat "$DOCKER_PROFILE") | .process.args = [\"true\"]"
	for i in $(seq 40); do
		run "$SKIFF" --root "$TEST_DIR/fresh$i" run --bundle "$BUNDLE" "$ID-$i"
		[ "$status" -eq 0 ] || { echo "run $i: $output"; false; }
		rm -rf "$TEST_DIR/fresh$i"
	done
}
