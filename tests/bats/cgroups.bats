#!/usr/bin/env bats
# cgroups: limits in the files and in effect, the verbs that use them.

load helpers

@test "memory, pids and cpu limits land in the cgroup files" {
	update_config '.linux.resources = {
		"memory": {"limit": 67108864},
		"pids": {"limit": 42},
		"cpu": {"quota": 50000, "period": 100000, "shares": 512}}'
	skiff run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	if cgroup_v1 memory; then
		[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes")" = 67108864 ]
	else
		[ "$(cat "$(cgroup_dir "$pid" memory)/memory.max")" = 67108864 ]
	fi
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 42 ]
	if cgroup_v1 cpu; then
		[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us")" = 50000 ]
		[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.shares")" = 512 ]
	else
		[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.max")" = "50000 100000" ]
	fi
	# The container's cgroup is its own, named after it by default.
	[[ "$(cgroup_dir "$pid" pids)" == */"$ID" ]]
	skiff delete --force "$ID"
	assert_clean "$ID"
}

@test "a pids limit stops a fork bomb" {
	update_config '.linux.resources.pids = {"limit": 8}'
	# The shell forks until the kernel refuses; busybox sh then gives up.
	run_container sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 30 & done; echo all-forked'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"can't fork"* ]]
	[[ "$output" != *all-forked* ]]
}

@test "an explicit cgroupsPath is used and removed on delete" {
	update_config ".linux.cgroupsPath = \"/skiff-test-$ID/inner\""
	skiff run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	[[ "$(cgroup_dir "$pid" pids)" == */skiff-test-$ID/inner ]]
	dir=$(cgroup_dir "$pid" pids)
	skiff delete --force "$ID"
	[ ! -d "$dir" ]
	# The parent is ours to remove, in every hierarchy: skiff leaves the
	# directories above the container's own alone.
	find /sys/fs/cgroup -maxdepth 3 -type d -name "skiff-test-$ID" -exec rmdir {} +
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "skiff-test-$ID")" ]
}

@test "pause and resume freeze and thaw the container" {
	skiff run -d --bundle "$BUNDLE" "$ID"
	skiff pause "$ID"
	[ "$(state_field "$ID" status)" = paused ]
	pid=$(state_field "$ID" pid)
	grep -q '^State:.*(stopped)\|^State:.*D\|^State:.*S' "/proc/$pid/status"
	run skiff pause "$ID"
	[ "$status" -ne 0 ]
	skiff resume "$ID"
	[ "$(state_field "$ID" status)" = running ]
	run skiff resume "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"it is running"* ]]
	# A paused container can be deleted with --force.
	skiff pause "$ID"
	skiff delete --force "$ID"
	assert_clean "$ID"
}

@test "ps lists the container's processes" {
	update_config '.process.args = ["sh", "-c", "sleep 300 & exec sleep 301"]'
	skiff run -d --bundle "$BUNDLE" "$ID"
	sleep 0.3
	pid=$(state_field "$ID" pid)
	skiff ps --format json "$ID" | jq -e --argjson p "$pid" 'length == 2 and (index($p) != null)' >/dev/null
	run skiff ps "$ID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[[ "$output" == *"sleep 301"* ]]
}

@test "kill --all signals every process in the cgroup" {
	update_config '.process.args = ["sh", "-c", "sleep 300 & sleep 301 & wait"]'
	skiff run -d --bundle "$BUNDLE" "$ID"
	sleep 0.3
	skiff kill --all "$ID" KILL
	wait_for_status "$ID" stopped
	for i in $(seq 20); do [ "$(skiff ps --format json "$ID" | jq length)" = 0 ] && break; sleep 0.1; done
	[ "$(skiff ps --format json "$ID" | jq length)" = 0 ]
}

@test "update changes limits live and keeps them in state" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
	skiff run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	skiff update --memory 96m --pids-limit 30 "$ID"
	if cgroup_v1 memory; then
		[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes")" = 100663296 ]
	else
		[ "$(cat "$(cgroup_dir "$pid" memory)/memory.max")" = 100663296 ]
	fi
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 30 ]
	echo '{"pids": {"limit": 25}}' | skiff update --resources - "$ID"
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 25 ]
	run skiff update --memory lots "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--memory"* ]]
}

@test "events --stats prints the container's statistics" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}}'
	skiff run -d --bundle "$BUNDLE" "$ID"
	skiff events --stats "$ID" | jq -e --arg id "$ID" '.type == "stats" and .id == $id and .data.memory.usage.usage > 0 and .data.pids.current >= 1' >/dev/null
}

@test "a resource value the kernel rejects names the field; nothing is left" {
	update_config '.linux.resources.cpu = {"cpus": "999"}'
	run skiff create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.cpu.cpus"* ]]
	assert_clean "$ID"
}

@test "a memory limit OOM-kills a process that exceeds it" {
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	update_config '.process.args = ["sh", "-c", "x=$(head -c 64000000 /dev/zero | tr \"\\\\0\" a); echo survived"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[[ "$output" != *survived* ]]
}

@test "a memory limit too low for setup says so and names the field; nothing is left" {
	update_config '.linux.resources.memory = {"limit": 65536} | .process.args = ["true"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"OOM killer"*"linux.resources.memory.limit"* ]]
	assert_clean "$ID"
}

@test "true runs under a 320 KiB memory limit: the runtime's setup costs the container little" {
	# The namespaces are made before init joins the cgroup (as crun's
	# clone does); init itself is a small static C program. 208 KiB
	# suffice on the development machine, 400 KiB did when init joined the
	# cgroup before making them; runc needs about 2.2 MiB.
	update_config '.linux.resources.memory = {"limit": 327680} | .process.args = ["true"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_clean "$ID"
}

@test "--systemd-cgroup and slice:prefix:name paths are refused with the reason; nothing is left" {
	run skiff --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--systemd-cgroup"* ]]
	[ -d /run/systemd/system ] || [[ "$output" == *"systemd is not running"* ]]
	assert_clean "$ID"
	update_config '.linux.cgroupsPath = "system.slice:skiff:x"'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.cgroupsPath"*"systemd"* ]]
	assert_clean "$ID"
}

@test "a write bps limit on a loop device slows direct writes to it" {
	truncate -s 16M "$TEST_DIR/disk"
	loop=$(losetup -f --show "$TEST_DIR/disk")
	mm=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
	update_config "(\"$mm\" | split(\":\") | map(tonumber)) as \$m
		| .linux.devices = [{\"path\":\"/dev/xloop\",\"type\":\"b\",\"major\":\$m[0],\"minor\":\$m[1]}]
		| .process.args = [\"sh\", \"-c\", \"time dd if=/dev/zero of=/dev/xloop bs=64k count=16 oflag=direct 2>&1 | grep real\"]"
	run skiff run --bundle "$BUNDLE" "$ID-free"
	free=$output
	update_config "(\"$mm\" | split(\":\") | map(tonumber)) as \$m
		| .linux.resources.blockIO = {\"throttleWriteBpsDevice\":[{\"major\":\$m[0],\"minor\":\$m[1],\"rate\":1048576}]}"
	run skiff run --bundle "$BUNDLE" "$ID-slow"
	slow=$output
	losetup -d "$loop"
	echo "free: $free; 1 MiB/s: $slow"
	# 1 MiB at 1 MiB/s takes about a second; unthrottled, far less.
	[[ "$slow" =~ real.0m\ ([0-9]+)\.([0-9]+)s ]]
	[ "${BASH_REMATCH[1]}${BASH_REMATCH[2]}" -ge 60 ]
	[[ "$free" =~ real.0m\ 0\.([0-9]+)s ]]
	[ "${BASH_REMATCH[1]}" -lt 50 ]
}
