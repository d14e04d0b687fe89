#!/usr/bin/env bats
# skiff run by an unprivileged user: user namespace first, ids mapped by
# skiff or by newuidmap/newgidmap, cgroups only where the user may write.

load helpers

ROOTLESS_USER=skiff-rootless

setup() {
	if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
		useradd -m "$ROOTLESS_USER"
	fi
	TEST_DIR=$(mktemp -d /tmp/skiff-bats.XXXXXX)
	chmod 755 "$TEST_DIR"
	STATE_ROOT=$TEST_DIR/state
	BUNDLE=$TEST_DIR/bundle
	mkdir -p "$BUNDLE" "$STATE_ROOT"
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	chown -R "$ROOTLESS_USER:" "$STATE_ROOT" "$BUNDLE"
	# The user's skiff writes a config mapping the user to root.
	as_user "$SKIFF" spec --rootless --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["sleep", "300"]'
	chown "$ROOTLESS_USER:" "$BUNDLE/config.json"
	ID=r$$-$BATS_TEST_NUMBER
	UID_OF_USER=$(id -u "$ROOTLESS_USER")
}

teardown() {
	for id in $(as_user "$SKIFF" --root "$STATE_ROOT" list -q 2>/dev/null); do
		as_user "$SKIFF" --root "$STATE_ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$TEST_DIR"
	local v2
	v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -z "$v2" ] || find "$v2" -maxdepth 2 -depth -type d -path "*/skiff-deleg-*" -exec rmdir {} + 2>/dev/null || true
}

as_user() {
	runuser -u "$ROOTLESS_USER" -- "$@"
}

rskiff() {
	as_user "$SKIFF" --root "$STATE_ROOT" "$@"
}

@test "rootless: run maps the user to root in a new user namespace" {
	update_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]'
	run rskiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 0
	[[ "$output" == *"0"*"$UID_OF_USER"*"1"* ]]
	[ ! -e "$STATE_ROOT/$ID" ]
}

@test "rootless: create, exec, kill and delete" {
	rskiff run -d --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	[ "$(rskiff state "$ID" | jq -r .status)" = running ]
	run rskiff exec "$ID" id -u
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	rskiff kill "$ID" KILL
	for i in $(seq 50); do [ "$(rskiff state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	rskiff delete "$ID"
	[ ! -e "$STATE_ROOT/$ID" ]
}

@test "rootless: several id ranges go through newuidmap and /etc/subuid" {
	command -v newuidmap >/dev/null || skip "newuidmap not installed"
	start=$(awk -F: -v u="$ROOTLESS_USER" '$1 == u { print $2 }' /etc/subuid)
	[ -n "$start" ] || skip "no /etc/subuid entry for $ROOTLESS_USER"
	update_config ".linux.uidMappings = [{\"containerID\":0,\"hostID\":$UID_OF_USER,\"size\":1},{\"containerID\":1,\"hostID\":$start,\"size\":1000}]
		| .linux.gidMappings = [{\"containerID\":0,\"hostID\":$(id -g "$ROOTLESS_USER"),\"size\":1},{\"containerID\":1,\"hostID\":$start,\"size\":1000}]
		| .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map | wc -l; touch /m/by-root /m/by-one; chown 1:1 /m/by-one\"]
		| .process.capabilities[] += [\"CAP_CHOWN\"]
		| .mounts += [{\"destination\":\"/m\",\"type\":\"bind\",\"source\":\"$TEST_DIR/m\",\"options\":[\"rbind\"]}]"
	mkdir "$TEST_DIR/m"
	chown "$ROOTLESS_USER:" "$TEST_DIR/m"
	run rskiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 2
	# Files made in the container carry the mapped ids on the host.
	[ "$(stat -c %u "$TEST_DIR/m/by-root")" = "$UID_OF_USER" ]
	[ "$(stat -c %u "$TEST_DIR/m/by-one")" = "$start" ]
}

@test "rootless: a range outside /etc/subuid is refused with the helper's reason" {
	command -v newuidmap >/dev/null || skip "newuidmap not installed"
	update_config '.linux.uidMappings = [{"containerID":0,"hostID":0,"size":10}]
		| .linux.gidMappings = [{"containerID":0,"hostID":0,"size":10}]'
	run rskiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.uidMappings"*"newuidmap"* ]]
	[ ! -e "$STATE_ROOT/$ID" ]
}

@test "rootless: limits without a writable cgroup are an error naming linux.resources" {
	as_user test -w /sys/fs/cgroup/memory 2>/dev/null && skip "the user may write cgroups here"
	update_config '.linux.resources = {"pids":{"limit":10}}'
	run rskiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources"*"rootless"* ]]
	[ ! -e "$STATE_ROOT/$ID" ]
}

@test "rootless: a delegated cgroup v2 subtree is used, and pause works there" {
	v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$v2" ] || skip "no cgroup2 mount"
	deleg=$v2/skiff-deleg-$$
	mkdir "$deleg"
	chown "$ROOTLESS_USER:" "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.subtree_control" "$deleg/cgroup.threads"
	# The user's commands run inside the subtree, as under systemd's
	# user@.service.
	in_deleg() {
		sh -c 'echo $$ >"$0/cgroup.procs" && shift && exec "$@"' "$deleg" x runuser -u "$ROOTLESS_USER" -- "$SKIFF" --root "$STATE_ROOT" "$@"
	}
	in_deleg run -d --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 || { cat "$TEST_DIR/out"; rmdir "$deleg"; false; }
	cat "$TEST_DIR/out"
	pid=$(rskiff state "$ID" | jq -r .pid)
	grep -q "^0::/skiff-deleg-$$/$ID\$" /proc/$pid/cgroup
	in_deleg pause "$ID"
	[ "$(rskiff state "$ID" | jq -r .status)" = paused ]
	in_deleg resume "$ID"
	[ "$(rskiff state "$ID" | jq -r .status)" = running ]
	in_deleg delete --force "$ID"
	[ ! -e "$deleg/$ID" ]
	rmdir "$deleg"
}

@test "rootless: a terminal through --console-socket, and hooks" {
	[ -n "$RECVTTY" ] || skip "RECVTTY not set"
	chmod 777 "$TEST_DIR"
	# The receiver runs as the user too, as podman's conmon would.
	runuser -u "$ROOTLESS_USER" -- "$RECVTTY" "$TEST_DIR/console.sock" "$TEST_DIR/tty.out" &
	RECVTTY_PID=$!
	for i in $(seq 50); do [ -S "$TEST_DIR/console.sock" ] && break; sleep 0.05; done
	update_config ".process.terminal = true | .process.args = [\"sh\", \"-c\", \"tty; id -u\"]
		| .hooks = {\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"id -u > $TEST_DIR/hook.out\"]}]}"
	rskiff create --console-socket "$TEST_DIR/console.sock" --bundle "$BUNDLE" "$ID" >"$TEST_DIR/create.out" 2>&1 || { cat "$TEST_DIR/create.out"; false; }
	rskiff start "$ID"
	wait "$RECVTTY_PID"
	cat "$TEST_DIR/tty.out"
	grep -q "/dev/pts/0" "$TEST_DIR/tty.out"
	grep -q "^0" "$TEST_DIR/tty.out"
	# The hook ran as the user, on the host side.
	[ "$(cat "$TEST_DIR/hook.out")" = "$UID_OF_USER" ]
}
