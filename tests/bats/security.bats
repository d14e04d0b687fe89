#!/usr/bin/env bats
# The boundary between the container and the host: the runtime's binary,
# its fds and directories, masked paths, process attributes, LSM labels.

load helpers

# share_pid_ns_with ID: make the bundle's config join ID's pid namespace.
share_pid_ns_with() {
	local pid
	pid=$(state_field "$1" pid)
	update_config ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end)"
}

# parked_init_pid: in container $ID-a, the pid of the skiff init parked in
# its pid namespace (a created container that joined it).
parked_init_pid() {
	skiff exec "$ID-a" sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = skiff:init ] && echo ${p#/proc/}; done; true'
}

@test "the runtime binary cannot be overwritten through /proc/<pid>/exe (CVE-2019-5736)" {
	# Run a copy of skiff, so a failure of this test cannot damage the
	# binary the rest of the suite uses.
	cp "$SKIFF" "$TEST_DIR/skiff-copy"
	SKIFF=$TEST_DIR/skiff-copy
	sum=$(sha256sum "$SKIFF" | cut -d' ' -f1)

	# Container a may ptrace: it can open a non-dumpable process's exe.
	update_config '.process.capabilities.bounding += ["CAP_SYS_PTRACE"]
		| .process.capabilities.effective += ["CAP_SYS_PTRACE"]
		| .process.capabilities.permitted += ["CAP_SYS_PTRACE"]
		| .root.readonly = false'
	skiff run -d --bundle "$BUNDLE" "$ID-a" >/dev/null 2>&1
	# b is created into a's pid namespace and left parked: its init,
	# running skiff, is visible to a's processes.
	share_pid_ns_with "$ID-a"
	skiff create --bundle "$BUNDLE" "$ID-b" >"$TEST_DIR/b.out" 2>&1
	p=$(parked_init_pid)
	[ -n "$p" ]

	# The attack: hold the runtime's exe open, wait for it to stop
	# running (no more ETXTBSY), reopen it for writing.
	skiff exec -d "$ID-a" sh -c "exec 3</proc/$p/exe; echo held >/attack; while [ -e /proc/$p ]; do usleep 20000; done; if echo pwned >>/proc/self/fd/3; then echo WROTE; else echo REFUSED; fi >/attack" \
		>/dev/null 2>&1
	for i in $(seq 50); do [ -s "$BUNDLE/rootfs/attack" ] && break; sleep 0.1; done
	[ "$(cat "$BUNDLE/rootfs/attack")" = held ]
	skiff delete --force "$ID-b"
	for i in $(seq 50); do [ "$(cat "$BUNDLE/rootfs/attack")" != held ] && break; sleep 0.1; done
	cat "$BUNDLE/rootfs/attack"
	[ "$(cat "$BUNDLE/rootfs/attack")" = REFUSED ]
	[ "$(sha256sum "$SKIFF" | cut -d' ' -f1)" = "$sum" ]
}

@test "a parked init's fds, cwd and root are closed to the container" {
	skiff run -d --bundle "$BUNDLE" "$ID-a" >/dev/null 2>&1
	share_pid_ns_with "$ID-a"
	skiff create --bundle "$BUNDLE" "$ID-b" >"$TEST_DIR/b.out" 2>&1
	p=$(parked_init_pid)
	[ -n "$p" ]
	# Listing the numbers is allowed; following any of them is not.
	fds=$(skiff exec "$ID-a" ls "/proc/$p/fd")
	[ -n "$fds" ]
	for fd in $fds; do
		run skiff exec "$ID-a" ls "/proc/$p/fd/$fd/"
		echo "$fd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"ermission denied"* ]]
	done
	for link in cwd root exe; do
		run skiff exec "$ID-a" readlink "/proc/$p/$link"
		[ "$status" -ne 0 ]
	done
}

@test "a cwd through a /proc magic link is refused (CVE-2024-21626)" {
	for fd in 3 4 5 6 7 8; do
		update_config ".process.cwd = \"/proc/self/fd/$fd\" | .process.args = [\"pwd\"]"
		run skiff run --bundle "$BUNDLE" "$ID" 7<"$TEST_DIR"
		echo "$fd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"process.cwd"* ]]
		assert_clean "$ID"
	done
}

@test "exec: no fd of skiff or of its caller reaches the process" {
	skiff run -d --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	run skiff exec "$ID" ls /proc/self/fd 7<"$TEST_DIR" 8>"$TEST_DIR/x"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -le 4 ]
	run skiff exec --cwd /proc/self/fd/3 "$ID" pwd
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.cwd"* ]]
}

@test "masked and read-only paths hold against umount and remount" {
	update_config '.process.args = ["sh", "-c", "umount /proc/kcore && echo unmasked; mount -o remount,rw /proc/sys && echo rw; echo 1 >/proc/sys/kernel/ns_last_pid && echo wrote; cat /proc/kcore | wc -c; true"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *unmasked* ]]
	[[ "$output" != *rw* ]]
	[[ "$output" != *wrote* ]]
	[[ "${lines[-1]}" == 0 ]]
}

@test "bounding set is the config's, for init and for exec" {
	update_config '.process.capabilities = {"bounding":["CAP_CHOWN","CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}'
	skiff run -d --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	pid=$(state_field "$ID" pid)
	grep -q "^CapBnd:.*0000000000000021$" "/proc/$pid/status"
	run skiff exec "$ID" grep CapBnd /proc/self/status
	[[ "$output" == *0000000000000021 ]]
}

@test "personality, scheduler and ioPriority are applied" {
	update_config '.linux.personality = {"domain":"LINUX32"}
		| .process.scheduler = {"policy":"SCHED_BATCH","nice":7}
		| .process.ioPriority = {"class":"IOPRIO_CLASS_IDLE","priority":0}
		| .process.args = ["sh", "-c", "uname -m; grep ^policy /proc/self/sched; cut -d\" \" -f19 /proc/self/stat; ionice"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = i686 ]
	[[ "${lines[1]}" == *3 ]]   # SCHED_BATCH
	[ "${lines[2]}" = 7 ]       # nice
	[[ "${lines[3]}" == idle* ]]
}

@test "linux.memoryPolicy is applied" {
	update_config '.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0"}
		| .process.args = ["sh", "-c", "grep -c bind:0 /proc/self/numa_maps"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" -gt 0 ]
}

@test "a refused scheduler policy names the field; nothing is left" {
	update_config '.process.scheduler = {"policy":"SCHED_ISO"}'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.scheduler"* ]]
	assert_clean "$ID"
}

@test "CPU affinity: the caller's pinning does not leak; exec honours execCPUAffinity" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	all=$(grep Cpus_allowed_list /proc/self/status | cut -f2)
	update_config '.process.args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status | cut -f2"]'
	run taskset -c 1 "$SKIFF" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "$all" ]

	update_config '.process.args = ["sleep", "300"]'
	skiff run -d --bundle "$BUNDLE" "$ID-x" >/dev/null 2>&1
	cat >"$TEST_DIR/p.json" <<-EOF
	{"args":["sh","-c","grep Cpus_allowed_list /proc/self/status | cut -f2"],"cwd":"/","user":{"uid":0,"gid":0},
	 "execCPUAffinity":{"initial":"1","final":"0"}}
	EOF
	run skiff exec --process "$TEST_DIR/p.json" "$ID-x"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "an AppArmor or SELinux label on a host without it is an error naming the field" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "host runs SELinux"
	grep -qs Y /sys/module/apparmor/parameters/enabled && skip "host runs AppArmor"
	update_config '.process.apparmorProfile = "docker-default"'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.apparmorProfile"*"AppArmor is not enabled"* ]]
	assert_clean "$ID"
	update_config 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.selinuxLabel"*"SELinux is not enabled"* ]]
	assert_clean "$ID"
}
