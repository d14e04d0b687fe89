#!/usr/bin/env bats
# The root filesystem: mounts, symlink safety, read-only root, masks, devices.

load helpers

@test "bind mounts, read-only and read-write, seen inside" {
	mkdir -p "$TEST_DIR/data"
	echo hello >"$TEST_DIR/data/file"
	update_config ".mounts += [
		{\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"rbind\", \"ro\"]},
		{\"destination\": \"/rw\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"rw\"]},
		{\"destination\": \"/etc/one-file\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data/file\", \"options\": [\"bind\", \"ro\"]}]"
	update_config '.process.args = ["sh", "-c", "cat /ro/file /etc/one-file; touch /ro/x && echo ro-writable; touch /rw/y && echo rw-ok"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = hello ]
	[[ "$output" != *ro-writable* ]]
	[[ "$output" == *rw-ok* ]]
	[ -e "$TEST_DIR/data/y" ]
	# Nothing of the container's mounts reached the host.
	! grep -q "$TEST_DIR" /proc/self/mountinfo
}

@test "tmpfs with options" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "noexec", "size=1m", "mode=755"]}]'
	update_config '.process.args = ["grep", " /scratch ", "/proc/self/mounts"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *tmpfs*nosuid*noexec*size=1024k*mode=755* ]]
}

@test "a symlink in the rootfs cannot point a mount destination at the host" {
	mkdir -p "$TEST_DIR/src" "$TEST_DIR/victim"
	echo secret >"$TEST_DIR/src/payload"
	# Absolute and relative escapes: both must resolve inside the rootfs.
	ln -s "$TEST_DIR/victim" "$BUNDLE/rootfs/abs-escape"
	ln -s ../../../../../../../../"$TEST_DIR/victim" "$BUNDLE/rootfs/rel-escape"
	update_config '.root.readonly = false'
	update_config ".mounts += [
		{\"destination\": \"/abs-escape\", \"type\": \"bind\", \"source\": \"$TEST_DIR/src\", \"options\": [\"bind\"]},
		{\"destination\": \"/rel-escape/sub\", \"type\": \"bind\", \"source\": \"$TEST_DIR/src\", \"options\": [\"bind\"]}]"
	update_config '.process.args = ["true"]'
	skiff run --bundle "$BUNDLE" "$ID"
	# The host directory was never touched.
	[ -z "$(ls -A "$TEST_DIR/victim")" ]
	# The mounts landed inside the rootfs instead.
	[ -d "$BUNDLE/rootfs$TEST_DIR/victim" ]
}

@test "root.readonly makes / read-only" {
	update_config '.root.readonly = true | .process.args = ["sh", "-c", "touch /x 2>&1; grep \" / \" /proc/self/mounts"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *" / "*ro,* ]]
}

@test "masked paths are empty and read-only paths refuse writes" {
	update_config '.linux.maskedPaths = ["/proc/version", "/proc/acpi", "/etc/hidden"] | .linux.readonlyPaths = ["/proc/sys"]'
	echo secret >"$BUNDLE/rootfs/etc/hidden"
	update_config '.process.args = ["sh", "-c", "wc -c < /proc/version; cat /etc/hidden; ls /proc/acpi | wc -l; echo 1 > /proc/sys/kernel/shmmni && echo writable"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" != *secret* ]]
	[[ "$output" != *writable* ]]
}

@test "default devices and linux.devices" {
	update_config '.linux.devices = [{"path": "/dev/kmsg-copy", "type": "c", "major": 1, "minor": 11, "fileMode": 384, "uid": 0, "gid": 0}, {"path": "/dev/sub/fifo", "type": "p"}]'
	update_config '.process.args = ["sh", "-c", "ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/kmsg-copy /dev/sub/fifo; for l in /dev/ptmx /dev/fd /dev/stdin; do readlink $l; done"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"crw-rw-rw-"*"1,   3"*/dev/null* ]]
	[[ "$output" == *"crw-------"*"1,  11"*/dev/kmsg-copy* ]]
	[[ "$output" == *"prw-rw-rw-"*/dev/sub/fifo* ]]
	[[ "$output" == *pts/ptmx* ]]
	[[ "$output" == */proc/self/fd* ]]
}

@test "cgroup filesystem is mounted read-only at /sys/fs/cgroup" {
	update_config '.process.args = ["sh", "-c", "ls /sys/fs/cgroup; mkdir /sys/fs/cgroup/x 2>&1 || true"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ -n "${lines[0]}" ]
	[[ "$output" == *"Read-only file system"* ]] || [[ "$output" == *"Permission denied"* ]]
}

@test "without a cgroup namespace, the container's own cgroups are bound at /sys/fs/cgroup (as Docker and podman ask)" {
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))
		| .mounts |= map(if .destination == "/sys/fs/cgroup" then .options += ["ro"] else . end)
		| .process.args = ["sh", "-c", "cat /proc/self/cgroup | head -3; ls /sys/fs/cgroup; touch /sys/fs/cgroup/x 2>&1 || true"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	# Each hierarchy shows the container's cgroup as its root: no
	# sibling of the container's own directory is visible.
	if cgroup_v1 memory; then
		update_config '.process.args = ["sh", "-c", "ls /sys/fs/cgroup/memory/ | grep -c ^memory.limit_in_bytes"]'
		run skiff run --bundle "$BUNDLE" "$ID-2"
		echo "$output"
		[ "$output" = 1 ]
	fi
}

@test "rootfsPropagation shared shows on the container's root" {
	update_config '.linux.rootfsPropagation = "shared" | .process.args = ["awk", "$5 == \"/\"", "/proc/self/mountinfo"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *shared:* ]]
}

@test "--no-pivot runs the container too" {
	update_config '.process.args = ["sh", "-c", "ls / | wc -l"]'
	run skiff run --no-pivot --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
}

@test "rro makes a bind mount read-only in its submounts too; ro only at the top" {
	mkdir -p "$TEST_DIR/src/sub"
	mount -t tmpfs none "$TEST_DIR/src/sub"
	update_config ".mounts += [
		{\"destination\":\"/rro\",\"type\":\"bind\",\"source\":\"$TEST_DIR/src\",\"options\":[\"rbind\",\"rro\"]},
		{\"destination\":\"/ro\",\"type\":\"bind\",\"source\":\"$TEST_DIR/src\",\"options\":[\"rbind\",\"ro\"]}]
		| .process.args = [\"sh\", \"-c\", \"touch /rro/sub/x 2>&1; touch /rro/x 2>&1; touch /ro/sub/y && echo ro-sub-writable\"]"
	run skiff run --bundle "$BUNDLE" "$ID"
	umount -R "$TEST_DIR/src/sub"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[ "${lines[2]}" = ro-sub-writable ]
}
