#!/usr/bin/env bats
# Hostile and broken input: every rejection is one clear line, and nothing
# is made outside --root or left behind.

load helpers

@test "a mount destination with .. stays inside the rootfs" {
	mkdir -p "$TEST_DIR/src"
	update_config ".mounts += [{\"destination\": \"/../../../../tmp/dotdot-$ID\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]
		| .root.readonly = false | .process.args = [\"true\"]"
	skiff run --bundle "$BUNDLE" "$ID"
	[ ! -e "/tmp/dotdot-$ID" ]
	[ -d "$BUNDLE/rootfs/tmp/dotdot-$ID" ]
	assert_clean "$ID"
}

@test "a rootfs that is a symlink is resolved once and used" {
	mv "$BUNDLE/rootfs" "$TEST_DIR/realroot"
	ln -s "$TEST_DIR/realroot" "$BUNDLE/rootfs"
	skiff run -d --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	[ "$(state_field "$ID" rootfs)" = "$TEST_DIR/realroot" ]
	[ -e "/proc/$(state_field "$ID" pid)/root/bin/busybox" ]
}

@test "/proc and /dev replaced by symlinks to host paths: the mounts land inside" {
	rm -rf "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev"
	mkdir -p "$TEST_DIR/hostproc" "$TEST_DIR/hostdev"
	ln -s "$TEST_DIR/hostproc" "$BUNDLE/rootfs/proc"
	ln -s "$TEST_DIR/hostdev" "$BUNDLE/rootfs/dev"
	update_config '.root.readonly = false | .process.args = ["sh", "-c", "ls /proc/self/status && ls /dev/null"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	# Whatever the outcome, the host paths the links name stay untouched.
	[ -z "$(ls -A "$TEST_DIR/hostproc")" ]
	[ -z "$(ls -A "$TEST_DIR/hostdev")" ]
	! grep -q " $TEST_DIR/host" /proc/self/mountinfo
	assert_clean "$ID"
}

@test "a huge config is loaded or refused cleanly" {
	# 20,000 environment entries and 5,000 annotations: about 1.5 MB.
	jq '.process.env += [range(20000) | "VAR\(.)=\("x" * 40)"]
		| .annotations = ([range(5000) | {key: "k\(.)", value: "v"}] | from_entries)
		| .process.args = ["sh", "-c", "env | wc -l"]' "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	[ "$(stat -c %s "$BUNDLE/config.json")" -gt 1000000 ]
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "${output:0:300}"
	[ "$status" -eq 0 ]
	[ "$output" -ge 20000 ]
	assert_clean "$ID"
}

@test "invalid UTF-8 in config.json is refused with its position" {
	printf '{"ociVersion": "1.0.2", "process": {"args": ["\xff\xfe"]}}' >"$BUNDLE/config.json"
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"config.json"*"invalid UTF-8"* ]]
	[ "${#lines[@]}" -eq 1 ]
	assert_clean "$ID"
}

@test "duplicate namespace entries and duplicate keys are refused by field" {
	update_config '.linux.namespaces += [{"type": "pid"}]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.namespaces"* ]]
	assert_clean "$ID"
	update_config '.linux.namespaces |= unique_by(.type)'
	sed -i '0,/"terminal"/s/"terminal"/"cwd": "\/", "terminal"/' "$BUNDLE/config.json"
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.cwd"*"duplicate key"* ]]
	assert_clean "$ID"
}

@test "ids with /, .. or 1000 characters are refused; nothing is made outside --root" {
	long=$(printf 'a%.0s' $(seq 1000))
	before=$(ls -A "$TEST_DIR")
	for id in "a/b" ".." "../escape" "$long" "" "a b" "~x"; do
		run skiff create --bundle "$BUNDLE" "$id"
		echo "[$id] ${output:0:120}"
		[ "$status" -ne 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"container id"* ]]
	done
	[ ! -e "$TEST_DIR/escape" ]
	[ -z "$(ls -A "$STATE_ROOT" 2>/dev/null | grep -v '^\.skiff-init-')" ]
	[ "$(ls -A "$TEST_DIR")" = "$before" ]
}
