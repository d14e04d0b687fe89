#!/usr/bin/env bats
# The command line: version, usage errors, logging, spec.

load helpers

@test "--version prints runc-style lines" {
	run "$SKIFF" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "skiff version "* ]]
	[[ "${lines[1]}" == "commit: "* ]]
	[ "${lines[2]}" = "spec: 1.3.0" ]
	[[ "${lines[3]}" == "go: go"* ]]
}

@test "unknown verbs and flags are usage errors" {
	run "$SKIFF" frobnicate
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown command "frobnicate"'* ]]
	run "$SKIFF" --no-such-flag list
	[ "$status" -ne 0 ]
	[[ "$output" == *no-such-flag* ]]
	run skiff create
	[ "$status" -ne 0 ]
	[[ "$output" == *"missing <container-id>"* ]]
}

@test "--root works as --root X and --root=X" {
	skiff create --bundle "$BUNDLE" "$ID"
	"$SKIFF" --root="$STATE_ROOT" state "$ID" >/dev/null
	"$SKIFF" --root "$STATE_ROOT" state "$ID" >/dev/null
}

@test "--log-format json: the cause of a failure is the last error record" {
	update_config '.process.args = ["/no/such/binary"]'
	run "$SKIFF" --root "$STATE_ROOT" --log "$TEST_DIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	tail -1 "$TEST_DIR/log.json" | jq -e '.level == "error" and (.msg | contains("/no/such/binary")) and (.time | length > 0)' >/dev/null
	assert_clean "$ID"
}

@test "--debug prints a phase timeline of create" {
	skiff --debug create --bundle "$BUNDLE" "$ID" 2>"$TEST_DIR/debug" >/dev/null
	grep -q "create $ID: load config" "$TEST_DIR/debug"
	grep -q "create $ID: init ready" "$TEST_DIR/debug"
}

@test "spec writes a valid config and refuses to overwrite one" {
	mkdir "$TEST_DIR/b"
	"$SKIFF" spec --bundle "$TEST_DIR/b"
	jq -e '.ociVersion == "1.3.0" and .process.terminal == true and .root.path == "rootfs"' "$TEST_DIR/b/config.json" >/dev/null
	run "$SKIFF" spec --bundle "$TEST_DIR/b"
	[ "$status" -ne 0 ]
	[[ "$output" == *exists* ]]
	mkdir "$TEST_DIR/r"
	"$SKIFF" spec --rootless --bundle "$TEST_DIR/r"
	jq -e '[.linux.namespaces[].type] | index("user") != null' "$TEST_DIR/r/config.json" >/dev/null
}

@test "features describes this build" {
	run skiff features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ociVersionMax == "1.3.0" and (.hooks | length) == 6' >/dev/null
	echo "$output" | jq -e '.mountOptions | index("rro") and index("nosymfollow")' >/dev/null
	echo "$output" | jq -e '.linux.namespaces | length == 8' >/dev/null
	echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' >/dev/null
	# What skiff does not do is not claimed.
	echo "$output" | jq -e '.linux.intelRdt.enabled == false' >/dev/null
}

@test "linux.intelRdt is refused by name, nothing left" {
	update_config '.linux.intelRdt = {"closID":"x","l3CacheSchema":"L3:0=f"}'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt"* ]]
	assert_clean "$ID"
}
