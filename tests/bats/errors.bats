#!/usr/bin/env bats
# Bad input: one clear line naming the field, non-zero exit, nothing left.

load helpers

# expect_create_error SUBSTRING: create must fail with SUBSTRING in its one
# line of output, and leave no state, cgroup or process behind.
expect_create_error() {
	run skiff create --bundle "$BUNDLE" "$ID"
	echo "output: $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$1"* ]]
	[[ "$output" == *"\"$ID\""* ]]
	[ "${#lines[@]}" -eq 1 ]
	assert_clean "$ID"
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	expect_create_error "config.json"
}

@test "config.json syntax error reports line and column" {
	printf '{\n  "ociVersion": "1.0.0",\n  "process": {,\n' >"$BUNDLE/config.json"
	expect_create_error "line 3"
}

@test "missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	expect_create_error "root.path"
}

@test "missing executable names the binary" {
	update_config '.process.args = ["/nonexistent-binary"]'
	expect_create_error "nonexistent-binary"
}

@test "executable not in PATH" {
	update_config '.process.args = ["nosuchcmd"]'
	expect_create_error 'executable file not found in $PATH'
}

@test "unknown capability" {
	update_config '.process.capabilities.bounding += ["CAP_NOPE"]'
	expect_create_error "CAP_NOPE"
}

@test "non-namespaced sysctl is refused" {
	update_config '.linux.sysctl = {"vm.swappiness": "10"}'
	expect_create_error "linux.sysctl"
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	expect_create_error "linux.namespaces"
}

@test "namespace path of the wrong type" {
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/self/ns/net" else . end)'
	expect_create_error "linux.namespaces"
}

@test "hostname without a uts namespace" {
	update_config '.linux.namespaces |= map(select(.type != "uts"))'
	expect_create_error "hostname"
}

@test "a failing mount names its index and destination, nothing left" {
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "/nonexistent-src", "options": ["bind"]}]'
	expect_create_error "/data"
}

@test "a failing createRuntime hook fails create and cleans up" {
	update_config '.hooks.createRuntime = [{"path": "/bin/false"}]'
	expect_create_error "hooks.createRuntime[0]"
}

@test "a failing cwd (a file, not a directory)" {
	update_config '.process.cwd = "/bin/busybox"'
	expect_create_error "process.cwd"
}
