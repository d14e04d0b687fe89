#!/usr/bin/env bats
# The three cgroup layouts. This machine is hybrid; a private mount
# namespace gives skiff the view of a pure v2 host (cgroup2 mounted at
# /sys/fs/cgroup) or of a pure v1 host (the cgroup2 mount hidden), so every
# layout's code runs against the real kernel in CI, whatever the host.

load helpers

# in_layout LAYOUT CMD...: run CMD with the cgroup view of LAYOUT.
in_layout() {
	local layout=$1
	shift
	case $layout in
	v2)
		# Unmounted, not covered: covered mounts still show in mountinfo.
		unshare -m --propagation private sh -c 'umount -R /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' sh "$@"
		;;
	v1)
		local v2mnt
		v2mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
		[ -n "$v2mnt" ] || { "$@"; return; }
		unshare -m --propagation private sh -c 'umount "$0" && exec "$@"' "$v2mnt" "$@"
		;;
	esac
}

lskiff() {
	local layout=$1
	shift
	in_layout "$layout" "$SKIFF" --root "$STATE_ROOT" "$@"
}

lifecycle_in() {
	local layout=$1 id=$ID-$1
	update_config ".linux.cgroupsPath = \"/skiff-layout-test/$id\""
	lskiff "$layout" run -d --bundle "$BUNDLE" "$id" >"$TEST_DIR/out" 2>&1 || { cat "$TEST_DIR/out"; return 1; }
	pid=$(state_field "$id" pid)
	# The container's cgroup as the layout sees it.
	run in_layout "$layout" cat "/proc/$pid/cgroup"
	echo "$output"
	[[ "$output" == *"/skiff-layout-test/$id"* ]]
	# Inside, a cgroup namespace shows the container's cgroup as its root.
	run lskiff "$layout" exec "$id" cat /proc/self/cgroup
	echo "$output"
	[[ "$output" != *skiff-layout-test* ]]
	lskiff "$layout" pause "$id"
	[ "$(lskiff "$layout" state "$id" | jq -r .status)" = paused ]
	lskiff "$layout" resume "$id"
	[ "$(lskiff "$layout" state "$id" | jq -r .status)" = running ]
	run lskiff "$layout" ps "$id"
	[[ "$output" == *"$pid"* ]]
	lskiff "$layout" exec -d "$id" sleep 300
	lskiff "$layout" kill --all "$id" KILL
	for i in $(seq 50); do [ "$(lskiff "$layout" state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	lskiff "$layout" delete "$id"
	assert_clean "$id"
	! find /sys/fs/cgroup -maxdepth 5 -path "*skiff-layout-test/$id" 2>/dev/null | grep -q .
}

@test "pure cgroup v2 view: lifecycle, freeze, kill --all, ps, delete" {
	lifecycle_in v2
}

@test "pure cgroup v1 view: lifecycle, freezer, kill --all, ps, delete" {
	lifecycle_in v1
}

@test "pure cgroup v2 view: a limit whose controller this v2 tree lacks names the field" {
	have=$(in_layout v2 cat /sys/fs/cgroup/cgroup.controllers)
	[[ " $have " != *" pids "* ]] || skip "pids is on cgroup2 here"
	update_config ".linux.cgroupsPath = \"/skiff-layout-test/$ID\" | .linux.resources.pids = {\"limit\": 10}"
	run lskiff v2 run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.pids"* ]]
	assert_clean "$ID"
}

@test "pure cgroup v1 view: limits land in the v1 files" {
	update_config ".linux.cgroupsPath = \"/skiff-layout-test/$ID\"
		| .linux.resources.memory = {\"limit\": 67108864} | .linux.resources.pids = {\"limit\": 50}"
	lskiff v1 run -d --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	[ "$(cat /sys/fs/cgroup/memory/skiff-layout-test/$ID/memory.limit_in_bytes)" = 67108864 ]
	[ "$(cat /sys/fs/cgroup/pids/skiff-layout-test/$ID/pids.max)" = 50 ]
	lskiff v1 delete --force "$ID"
	assert_clean "$ID"
}

@test "pure cgroup v2 view: the device allowlist is enforced by an eBPF program" {
	# /dev/kmsg is bound in as a file, not listed in linux.devices: the
	# node is there, the cgroup must refuse it. /dev/zero is a default.
	update_config ".linux.cgroupsPath = \"/skiff-layout-test/$ID\"
		| .mounts += [{\"destination\": \"/dev/kmsg\", \"type\": \"bind\", \"source\": \"/dev/kmsg\", \"options\": [\"bind\"]}]
		| .process.args = [\"sh\", \"-c\", \"head -c1 /dev/zero | wc -c; head -c1 /dev/kmsg 2>&1 >/dev/null; true\"]"
	for layout in v2 v1; do
		run lskiff $layout run --bundle "$BUNDLE" "$ID"
		echo "$layout: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = 1 ]
		[[ "${lines[1]}" == *"Operation not permitted"* ]]
		assert_clean "$ID"
	done
}

teardown_file() {
	find /sys/fs/cgroup -maxdepth 2 -type d -name skiff-layout-test -exec rmdir {} + 2>/dev/null || true
}
