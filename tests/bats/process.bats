#!/usr/bin/env bats
# The process: args, env, cwd, user, groups, umask, rlimits, capabilities.

load helpers

@test "env and cwd (created when missing)" {
	update_config '.root.readonly = false | .process.env = ["FOO=bar", "PATH=/bin"] | .process.cwd = "/made/here"'
	update_config '.process.args = ["sh", "-c", "echo $FOO; pwd"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /made/here ]
}

@test "user, group, additional groups and umask" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [1002, 1003], "umask": 63}'
	update_config '.process.args = ["sh", "-c", "id; umask"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"uid=1000 gid=1001 groups=1002,1003"* ]]
	[ "${lines[1]}" = 0077 ]
}

@test "rlimits are applied" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	update_config '.process.args = ["sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 321 ]
	[ "${lines[1]}" = 654 ]
	[ "${lines[2]}" = 0 ]
}

@test "an rlimit above the hard limit names the field" {
	hard=$(ulimit -Hn)
	update_config ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": $((hard * 2))}]"
	# Root may raise it where CAP_SYS_RESOURCE is held; where it is not,
	# the error must name the field. (Output to a file: a parked init holds
	# the stdio it was given.)
	if ! skiff create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1; then
		grep -q 'process.rlimits\[0\]' "$TEST_DIR/out"
		assert_clean "$ID"
	fi
}

@test "capabilities: all five sets as configured" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"effective": ["CAP_CHOWN", "CAP_KILL"],
		"permitted": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	update_config '.process.args = ["grep", "^Cap", "/proc/self/status"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	# chown=0, kill=5, net_bind_service=10. After execve with an ambient
	# cap, effective and permitted gain the ambient set.
	[[ "$output" == *"CapInh:	0000000000000400"* ]]
	[[ "$output" == *"CapPrm:	0000000000000421"* ]]
	[[ "$output" == *"CapEff:	0000000000000421"* ]]
	[[ "$output" == *"CapBnd:	0000000000000421"* ]]
	[[ "$output" == *"CapAmb:	0000000000000400"* ]]
}

@test "non-root user keeps only ambient capabilities" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_NET_RAW"], "effective": ["CAP_NET_RAW"], "permitted": ["CAP_NET_RAW"], "inheritable": ["CAP_NET_RAW"], "ambient": ["CAP_NET_RAW"]}'
	update_config '.process.args = ["grep", "^CapEff", "/proc/self/status"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000000000002000"* ]]
}

@test "noNewPrivileges is set" {
	update_config '.process.noNewPrivileges = true | .process.args = ["grep", "NoNewPrivs", "/proc/self/status"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "oomScoreAdj is applied" {
	update_config '.process.oomScoreAdj = 500 | .process.args = ["cat", "/proc/self/oom_score_adj"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$output" = 500 ]
}

@test "no fd of skiff reaches the container process" {
	update_config '.process.args = ["ls", "/proc/self/fd"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	# 0, 1, 2 and the fd ls itself opened on the directory.
	[ "${#lines[@]}" -le 4 ]
}

@test "--preserve-fds passes fds from 3 up" {
	echo passed >"$TEST_DIR/fd3"
	update_config '.process.args = ["cat", "/proc/self/fd/3"]'
	run skiff run --preserve-fds 1 --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/fd3"
	[ "$status" -eq 0 ]
	[ "$output" = passed ]
}

@test "terminal through --console-socket, with consoleSize" {
	[ -n "$RECVTTY" ] || skip "RECVTTY not set"
	"$RECVTTY" "$TEST_DIR/console.sock" "$TEST_DIR/tty.out" &
	RECVTTY_PID=$!
	for i in $(seq 50); do [ -S "$TEST_DIR/console.sock" ] && break; sleep 0.05; done
	update_config '.process.terminal = true | .process.consoleSize = {"height": 31, "width": 97}'
	update_config '.process.args = ["sh", "-c", "tty; stty size"]'
	skiff create --console-socket "$TEST_DIR/console.sock" --bundle "$BUNDLE" "$ID"
	skiff start "$ID"
	wait "$RECVTTY_PID"
	cat "$TEST_DIR/tty.out"
	grep -q "/dev/pts/0" "$TEST_DIR/tty.out"
	grep -q "31 97" "$TEST_DIR/tty.out"
}

@test "run relays a terminal itself when no --console-socket is given" {
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "tty; exit 7"]'
	run skiff run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -eq 7 ]
	[[ "${lines[0]}" == /dev/pts/0* ]]
	assert_clean "$ID"
}
