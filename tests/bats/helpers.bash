# Shared setup for skiff's bats suite. Each test gets its own state root and
# bundle (a copy of the busybox rootfs), and teardown checks that nothing of
# the test's containers is left on the host.

SKIFF=${SKIFF:?set SKIFF to the skiff binary}
ROOTFS=${ROOTFS:?set ROOTFS to a busybox rootfs}
RECVTTY=${RECVTTY:-}
SECCOMPAGENT=${SECCOMPAGENT:-}

setup() {
	TEST_DIR=$(mktemp -d /tmp/skiff-bats.XXXXXX)
	chmod 755 "$TEST_DIR"
	STATE_ROOT=$TEST_DIR/state
	BUNDLE=$TEST_DIR/bundle
	mkdir -p "$BUNDLE"
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	"$SKIFF" spec --bundle "$BUNDLE"
	# Tests run without a terminal; give each container a unique cgroup
	# so that parallel runs never collide.
	update_config '.process.terminal = false | .process.args = ["sleep", "300"]'
	ID=t$$-$BATS_TEST_NUMBER
}

teardown() {
	for id in $("$SKIFF" --root "$STATE_ROOT" list -q 2>/dev/null); do
		"$SKIFF" --root "$STATE_ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	if [ -n "${RECVTTY_PID:-}" ]; then kill "$RECVTTY_PID" 2>/dev/null || true; fi
	if [ -n "${AGENT_PID:-}" ]; then kill "$AGENT_PID" 2>/dev/null || true; fi
	rm -rf "$TEST_DIR"
}

# skiff runs the binary against this test's state root.
skiff() {
	"$SKIFF" --root "$STATE_ROOT" "$@"
}

# update_config applies a jq filter to the bundle's config.json.
update_config() {
	local bundle=${2:-$BUNDLE}
	jq "$1" "$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
}

# run_in ARGS...: run a container to completion with these args; sets
# $status and $output like bats' run.
run_container() {
	update_config ".process.args = $(jq -cn '$ARGS.positional' --args -- "$@")"
	run skiff run --bundle "$BUNDLE" "$ID"
}

# state_field ID FIELD
state_field() {
	skiff state "$1" | jq -r ".$2"
}

# wait_for_status ID STATUS: poll until the container reaches STATUS (5 s).
wait_for_status() {
	local i
	for i in $(seq 50); do
		[ "$(state_field "$1" status 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 never reached $2 (now: $(state_field "$1" status 2>&1))" >&2
	return 1
}

# assert_clean ID: nothing of the container is left: state dir, cgroup
# directories under every hierarchy, processes.
assert_clean() {
	local id=$1
	[ ! -e "$STATE_ROOT/$id" ] || { echo "state dir left: $STATE_ROOT/$id" >&2; return 1; }
	local left
	left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null)
	[ -z "$left" ] || { echo "cgroup dirs left: $left" >&2; return 1; }
	if pgrep -f "skiff init" >/dev/null 2>&1; then
		local p
		for p in $(pgrep -f "skiff init"); do
			if grep -q "$TEST_DIR" "/proc/$p/environ" 2>/dev/null; then
				echo "init process left: $p" >&2; return 1
			fi
		done
	fi
}

# cgroup_dir PID CONTROLLER: the directory of PID's cgroup for CONTROLLER,
# on whatever layout this host has (v1 hierarchy if the controller is bound
# there, else the v2 hierarchy).
cgroup_dir() {
	local pid=$1 ctrl=$2 line path mnt
	line=$(grep -E "^[0-9]+:([^:]*,)?$ctrl(,[^:]*)?:" "/proc/$pid/cgroup" | head -1)
	if [ -n "$line" ]; then
		path=${line#*:*:}
		mnt=$(awk -v c="$ctrl" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	else
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		mnt=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	fi
	echo "$mnt$path"
}

# cgroup_v1 CONTROLLER: is the controller bound to a v1 hierarchy here?
cgroup_v1() {
	grep -qE "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup
}
