#!/usr/bin/env bats
# dockerd 20.10 on our containerd, skiff added with --add-runtime and
# chosen per container with --runtime skiff.

load helpers

teardown() {
	local c
	for c in "$NAME" "$NAME-a" "$NAME-b"; do
		docker rm -f "$c" >/dev/null 2>&1 || true
	done
}

# drun ARGS...: docker run with skiff and this test's name.
drun() {
	docker run --runtime skiff --name "$NAME" "$@"
}

# ddetach NAME ARGS...: a detached container running ARGS' options and
# command; waits until it runs.
ddetach() {
	local n=$1
	shift
	docker run -d --runtime skiff --name "$n" "$@" >/dev/null
	retry 5 test "$(inspect "$n" .State.Status)" = running
}

inspect() {
	docker inspect -f "{{$2}}" "$1"
}

# A container that exits 0 on SIGTERM at once (pid 1 has no default
# action for it).
TERMABLE=(sh -c 'trap "exit 0" TERM; sleep 300 & wait')

@test "docker: run --rm prints the container's output" {
	run drun --rm --hostname skiffhost "$IT_IMAGE" sh -c 'echo hello from $(hostname); id -u'
	[ "$status" -eq 0 ]
	expect_eq "line 1" "${lines[0]}" "hello from skiffhost"
	expect_eq "uid" "${lines[1]}" 0
	run docker inspect "$NAME"
	[ "$status" -ne 0 ]
}

@test "docker: exit status 3 is reported as 3" {
	run drun "$IT_IMAGE" sh -c 'exit 3'
	expect_eq "status" "$status" 3
	expect_eq "ExitCode" "$(inspect "$NAME" .State.ExitCode)" 3
}

@test "docker: run -i passes stdin" {
	run sh -c "printf 'line one\nline two\n' | /usr/bin/docker -H unix://$DOCKER_SOCK run -i --rm --runtime skiff --name $NAME $IT_IMAGE sh -c 'wc -l; echo done'"
	[ "$status" -eq 0 ]
	expect_eq "output" "$output" "$(printf '2\ndone')"
}

@test "docker: run -d, exec -u -e -w, stop, rm" {
	ddetach "$NAME" "$IT_IMAGE" "${TERMABLE[@]}"
	run docker exec -u 65534:65534 -e FOO=bar -w /tmp "$NAME" sh -c 'echo $(id -u):$(id -g) $FOO $(pwd)'
	[ "$status" -eq 0 ]
	expect_eq "exec" "$output" "65534:65534 bar /tmp"
	run docker exec "$NAME" sh -c 'exit 6'
	expect_eq "exec status" "$status" 6
	docker stop -t 10 "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" exited
	expect_eq "ExitCode" "$(inspect "$NAME" .State.ExitCode)" 0
	docker rm "$NAME"
	run docker inspect "$NAME"
	[ "$status" -ne 0 ]
}

@test "docker: run -it gets a terminal" {
	run in_pty "/usr/bin/docker -H unix://$DOCKER_SOCK run -it --rm --runtime skiff --name $NAME $IT_IMAGE sh -c 'tty; [ -t 0 ] && echo stdin-tty; exit 4'" </dev/null
	expect_eq "status" "$status" 4
	expect_match "output" "$output" "/dev/pts/0"
	expect_match "output" "$output" "stdin-tty"
}

@test "docker: exec -it gets a terminal" {
	ddetach "$NAME" "$IT_IMAGE" sleep 300
	run in_pty "/usr/bin/docker -H unix://$DOCKER_SOCK exec -it $NAME sh -c 'tty; [ -t 0 ] && echo stdin-tty; exit 5'" </dev/null
	expect_eq "status" "$status" 5
	expect_match "output" "$output" "/dev/pts/[0-9]"
	expect_match "output" "$output" "stdin-tty"
}

@test "docker: --memory sets the cgroup limit" {
	ddetach "$NAME" --memory 64m "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	expect_eq "memory.limit_in_bytes" "$(cgroup_file "$pid" memory memory.limit_in_bytes)" 67108864
}

@test "docker: a process over --memory is OOM-killed: 137 and OOMKilled" {
	run drun --memory 8m "$IT_IMAGE" sh -c 'x=0123456789abcdef; while :; do x=$x$x; done'
	expect_eq "status" "$status" 137
	expect_eq "OOMKilled" "$(inspect "$NAME" .State.OOMKilled)" true
}

@test "docker: --cpus sets the CFS quota" {
	ddetach "$NAME" --cpus 0.5 "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	expect_eq "cpu.cfs_quota_us" "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)" 50000
	expect_eq "cpu.cfs_period_us" "$(cgroup_file "$pid" cpu cpu.cfs_period_us)" 100000
}

@test "docker: --pids-limit caps the number of processes" {
	ddetach "$NAME" --pids-limit 10 "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	expect_eq "pids.max" "$(cgroup_file "$pid" pids pids.max)" 10
	run docker exec "$NAME" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done 2>&1; wait'
	expect_match "forks past the limit" "$output" "(can't fork|Resource temporarily unavailable)"
}

@test "docker: --device-write-bps throttles the device" {
	dev=$(cat /sys/block/vda/dev)
	ddetach "$NAME" --device-write-bps /dev/vda:1mb "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	expect_match "blkio.throttle.write_bps_device" "$(cgroup_file "$pid" blkio blkio.throttle.write_bps_device)" "^$dev 1048576$"
}

@test "docker: --read-only root with a --tmpfs" {
	run drun --rm --read-only --tmpfs /scratch:size=1m "$IT_IMAGE" sh -c 'touch /x 2>&1; touch /scratch/y && echo tmpfs-ok; grep " /scratch " /proc/mounts'
	[ "$status" -eq 0 ]
	expect_match "root" "$output" "Read-only file system"
	expect_match "tmpfs" "$output" "tmpfs-ok"
	expect_match "mount" "$output" "tmpfs /scratch tmpfs rw,.*size=1024k"
}

@test "docker: --cap-drop removes the capability" {
	run drun --rm --cap-drop CHOWN "$IT_IMAGE" sh -c 'grep CapBnd /proc/self/status; touch /f; chown 65534 /f 2>&1; echo rc=$?'
	expect_match "CapBnd" "${lines[0]}" "[02468ace]$"
	expect_match "chown" "$output" "Operation not permitted"
	expect_match "chown" "$output" "rc=1"
	run drun --rm --name "$NAME-b" "$IT_IMAGE" sh -c 'touch /f; chown 65534 /f 2>&1; echo rc=$?'
	expect_eq "chown with CHOWN" "$output" "rc=0"
}

@test "docker: --security-opt no-new-privileges" {
	run drun --rm --security-opt no-new-privileges "$IT_IMAGE" grep NoNewPrivs /proc/self/status
	expect_match "status" "$output" "NoNewPrivs:[[:space:]]+1"
}

@test "docker: bind mounts, read-write and read-only" {
	d=$IT_DIR/binds/$NAME
	mkdir -p "$d/rw" "$d/ro"
	echo from-host >"$d/ro/file"
	run drun --rm -v "$d/rw:/rw" -v "$d/ro:/ro:ro" "$IT_IMAGE" sh -c 'echo from-container >/rw/file && echo rw-ok; cat /ro/file; echo x >/ro/file 2>&1; grep -E " /(ro|rw) " /proc/mounts'
	[ "$status" -eq 0 ]
	expect_match "rw" "$output" "rw-ok"
	expect_eq "host sees the write" "$(cat "$d/rw/file")" from-container
	expect_match "ro read" "$output" "from-host"
	expect_match "ro write" "$output" "Read-only file system"
	expect_match "ro mount" "$output" " /ro [^ ]+ ro,"
	expect_match "rw mount" "$output" " /rw [^ ]+ rw,"
}

@test "docker: stats --no-stream" {
	ddetach "$NAME" --memory 64m "$IT_IMAGE" sleep 300
	run docker stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' "$NAME"
	[ "$status" -eq 0 ]
	expect_match "stats" "$output" "^$NAME [0-9.]+[KMG]?i?B / 64MiB 1$"
}

@test "docker: pause and unpause" {
	ddetach "$NAME" "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	docker pause "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" paused
	expect_eq "freezer" "$(cgroup_file "$pid" freezer freezer.state)" FROZEN
	docker unpause "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" running
	expect_eq "freezer" "$(cgroup_file "$pid" freezer freezer.state)" THAWED
}

@test "docker: update --memory changes the limit" {
	ddetach "$NAME" --memory 64m --memory-swap 256m "$IT_IMAGE" sleep 300
	pid=$(inspect "$NAME" .State.Pid)
	docker update --memory 96m --pids-limit 50 "$NAME"
	expect_eq "memory.limit_in_bytes" "$(cgroup_file "$pid" memory memory.limit_in_bytes)" 100663296
	expect_eq "pids.max" "$(cgroup_file "$pid" pids pids.max)" 50
	expect_eq "HostConfig.Memory" "$(inspect "$NAME" .HostConfig.Memory)" 100663296
}

@test "docker: restart" {
	ddetach "$NAME" "$IT_IMAGE" "${TERMABLE[@]}"
	pid1=$(inspect "$NAME" .State.Pid)
	docker restart -t 10 "$NAME"
	expect_eq "status" "$(inspect "$NAME" .State.Status)" running
	pid2=$(inspect "$NAME" .State.Pid)
	[ "$pid1" != "$pid2" ]
	run docker exec "$NAME" echo alive
	expect_eq "exec after restart" "$output" alive
}

@test "docker: --init runs docker-init as pid 1" {
	[ -x /usr/bin/docker-init ] || skip "no docker-init (Debian's tini) on this host"
	run drun --rm --init "$IT_IMAGE" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
	[ "$status" -eq 0 ]
	expect_match "pid 1" "${lines[0]}" "^/sbin/docker-init -- sh"
	[ "${lines[1]}" != 1 ]
}

@test "docker: top lists the container's processes" {
	ddetach "$NAME" "$IT_IMAGE" sh -c 'sleep 300 & sleep 301 & wait'
	retry 5 test "$(docker top "$NAME" | grep -cE '[0-9] +sleep 30[01]$')" -eq 2
}

@test "docker: kill -s USR1 reaches the process" {
	ddetach "$NAME" "$IT_IMAGE" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done'
	retry 5 sh -c "/usr/bin/docker -H unix://$DOCKER_SOCK logs $NAME | grep -q ready"
	docker kill -s USR1 "$NAME"
	retry 5 sh -c "/usr/bin/docker -H unix://$DOCKER_SOCK logs $NAME | grep -q got-usr1"
	expect_eq "still running" "$(inspect "$NAME" .State.Status)" running
}

@test "docker: --pid, --ipc and --network container:X join X's namespaces" {
	ddetach "$NAME-a" --ipc shareable "$IT_IMAGE" sh -c 'echo marker >/dev/shm/m; sleep 300'
	want=$(docker exec "$NAME-a" sh -c 'for n in pid ipc net; do readlink /proc/1/ns/$n; done' | tr '\n' ' ')
	run drun --rm --pid "container:$NAME-a" --ipc "container:$NAME-a" --network "container:$NAME-a" "$IT_IMAGE" \
		sh -c 'for n in pid ipc net; do readlink /proc/self/ns/$n; done | tr "\n" " "; echo; cat /dev/shm/m; ps -o comm,args'
	[ "$status" -eq 0 ]
	expect_eq "namespaces" "${lines[0]}" "$want"
	expect_eq "shared /dev/shm" "${lines[1]}" marker
	expect_match "sees X's processes" "$output" "sleep 300"
}
