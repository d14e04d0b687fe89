#!/usr/bin/env bats
# Hooks: order, state on stdin, failures.

load helpers

# A hook that appends its name, the status it was given on stdin and
# whether it sees the container's hostname (run in the container's uts
# namespace) to a log on the host.
make_hook() {
	cat >"$TEST_DIR/hook" <<-EOS
	#!/bin/sh
	read -r state
	status=\$(echo "\$state" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
	echo "\$1 \$status" >>"$TEST_DIR/hooks.log"
	EOS
	chmod +x "$TEST_DIR/hook"
}

@test "hooks run in the spec's order with the state on stdin" {
	make_hook
	h() { echo "{\"path\": \"$TEST_DIR/hook\", \"args\": [\"hook\", \"$1\"]}"; }
	update_config ".hooks = {
		\"prestart\": [$(h prestart)],
		\"createRuntime\": [$(h createRuntime)],
		\"createContainer\": [$(h createContainer)],
		\"startContainer\": [$(h startContainer)],
		\"poststart\": [$(h poststart)],
		\"poststop\": [$(h poststop)]}"
	# startContainer hooks resolve their path in the container: make the
	# test dir visible there at the same path.
	update_config ".mounts += [{\"destination\": \"$TEST_DIR\", \"type\": \"bind\", \"source\": \"$TEST_DIR\", \"options\": [\"bind\"]}]"
	update_config '.process.args = ["true"]'
	skiff run --bundle "$BUNDLE" "$ID"
	cat "$TEST_DIR/hooks.log"
	run cut -d' ' -f1 "$TEST_DIR/hooks.log"
	[ "$(echo $output)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
	# The create operation (lifecycle step 2) is over when hooks run.
	grep -q "^prestart created$" "$TEST_DIR/hooks.log"
	grep -q "^createRuntime created$" "$TEST_DIR/hooks.log"
	grep -q "^poststart running$" "$TEST_DIR/hooks.log"
	grep -q "^poststop stopped$" "$TEST_DIR/hooks.log"
}

@test "a hook that times out fails create and cleans up" {
	update_config '.hooks.prestart = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
	run skiff create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.prestart[0]"*"timed out"* ]]
	assert_clean "$ID"
}

@test "a failing poststart hook fails start and stops the container" {
	update_config '.hooks.poststart = [{"path": "/bin/false"}]'
	skiff create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	run skiff start "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.poststart[0]"*"stopped"* ]]
	wait_for_status "$ID" stopped
}

@test "a failing poststop hook is a warning, and the next one still runs" {
	update_config ".hooks.poststop = [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/touch\", \"args\": [\"touch\", \"$TEST_DIR/second\"]}]
		| .process.args = [\"true\"]"
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning"*"hooks.poststop[0]"* ]]
	[ -e "$TEST_DIR/second" ]
	assert_clean "$ID"
}

@test "start returns once the process runs, and reports errors up to execve" {
	skiff create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	skiff start "$ID"
	pid=$(state_field "$ID" pid)
	# Already the user's program, not skiff's init.
	[ "$(cat /proc/$pid/comm)" = sleep ]
	skiff delete --force "$ID"

	grep -q "^CapBnd:.*" /proc/self/status
	if [ $(( 0x$(sed -n 's/^CapBnd:\t//p' /proc/self/status) >> 24 & 1 )) -eq 1 ]; then
		skip "the host grants CAP_SYS_RESOURCE: no capset failure to provoke"
	fi
	update_config '.process.capabilities.permitted += ["CAP_SYS_RESOURCE"]'
	skiff create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	run skiff start "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.capabilities"* ]]
}

@test "a failing startContainer hook fails start and stops the container" {
	update_config '.hooks.startContainer = [{"path": "/bin/false"}]'
	skiff create --bundle "$BUNDLE" "$ID"
	run skiff start "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.startContainer[0]"* ]]
	wait_for_status "$ID" stopped
}
