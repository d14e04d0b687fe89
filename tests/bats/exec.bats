#!/usr/bin/env bats
# exec: a second process in a running container.

load helpers

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "exec joins every namespace and the cgroup, and returns the exit status" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":300000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":300000,"size":65536}]'
	chown -R 300000:300000 "$BUNDLE/rootfs"
	skiff run -d --bundle "$BUNDLE" "$ID"
	init=$(state_field "$ID" pid)
	skiff exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100
	pid=$(cat "$TEST_DIR/exec.pid")
	for ns in pid net ipc uts mnt cgroup user; do
		[ "$(ns_of "$init" $ns)" = "$(ns_of "$pid" $ns)" ]
	done
	[ "$(cgroup_dir "$init" pids)" = "$(cgroup_dir "$pid" pids)" ]
	run skiff exec "$ID" sh -c 'hostname; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = skiff ]
}

@test "exec flags: user, groups, env, cwd, caps, no-new-privs" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff exec -u 1000:1001 -g 1002 -e FOO=bar --cwd /tmp --no-new-privs "$ID" sh -c 'id; echo $FOO; pwd; grep NoNewPrivs /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "uid=1000 gid=1001 groups=1002" ]]
	[ "${lines[1]}" = bar ]
	[ "${lines[2]}" = /tmp ]
	[[ "${lines[3]}" == *1 ]]
	run skiff exec --cap CAP_SYS_ADMIN "$ID" grep CapEff /proc/self/status
	# CAP_SYS_ADMIN is bit 21.
	[ "$(( 0x${output##*:	} & 0x200000 ))" -ne 0 ]
}

@test "exec --process runs a process.json" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	cat >"$TEST_DIR/process.json" <<-EOS
	{"args": ["sh", "-c", "echo from-json \$X"], "env": ["X=1", "PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
	EOS
	run skiff exec --process "$TEST_DIR/process.json" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "from-json 1" ]
}

@test "exec of a missing binary names it; into a stopped or paused container fails" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff exec "$ID" no-such-tool
	[ "$status" -ne 0 ]
	[[ "$output" == *'"no-such-tool": executable file not found'* ]]
	skiff pause "$ID"
	run skiff exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *paused* ]]
	skiff resume "$ID"
	skiff kill "$ID" KILL
	wait_for_status "$ID" stopped
	run skiff exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *stopped* ]]
}

@test "exec signals: a signal to skiff reaches the process, 128+N reported" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	skiff exec "$ID" sleep 100 &
	execpid=$!
	sleep 0.5
	kill -TERM "$execpid"
	wait "$execpid" || st=$?
	[ "$st" -eq 143 ]
}

@test "exec --tty through a console socket and through skiff itself" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff exec -t "$ID" tty </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == /dev/pts/* ]]
	[ -n "$RECVTTY" ] || skip "RECVTTY not set"
	"$RECVTTY" "$TEST_DIR/console.sock" "$TEST_DIR/tty.out" &
	RECVTTY_PID=$!
	for i in $(seq 50); do [ -S "$TEST_DIR/console.sock" ] && break; sleep 0.05; done
	skiff exec -d -t --console-socket "$TEST_DIR/console.sock" "$ID" sh -c 'tty; echo done'
	wait "$RECVTTY_PID"
	grep -q done "$TEST_DIR/tty.out"
}
