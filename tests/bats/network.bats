#!/usr/bin/env bats
# Networking: linux.netDevices (host devices moved into the container) and
# the opt-in bridge network of `skiff spec --network bridge`.

load helpers

# The shared setup and teardown, kept to be called around this file's.
eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup_file() {
	export NET_TAG=$(printf '%x' $$)
}

# Names unique to this test: interfaces (at most 15 bytes), a namespace,
# a bridge and a /24 for it.
setup() {
	helpers_setup
	T=${NET_TAG}n$BATS_TEST_NUMBER
	VA=skva$T
	VB=skvb$T
	NETNS=sknet$T
	BRIDGE=skt$T
	SUBNET=10.199.$((($$ + BATS_TEST_NUMBER) % 200)).0/24  # the Go tests use 10.199.25x
	NET_STATE=/run/skiff-network/$BRIDGE
}

teardown() {
	helpers_teardown
	ip link del "$VA" 2>/dev/null || true
	ip link del "$VB" 2>/dev/null || true
	ip link del "$BRIDGE" 2>/dev/null || true
	ip netns del "$NETNS" 2>/dev/null || true
	rm -rf "$NET_STATE"
	rmdir /run/skiff-network 2>/dev/null || true
}

# gone NAME: the interface disappears from the host within 5 s (a dying
# network namespace is cleaned up by a kernel worker, not at once).
gone() {
	local i
	for i in $(seq 50); do
		ip link show "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	echo "$1 is still on the host" >&2
	return 1
}

@test "netDevices: a host device moves in, renamed, with its address, up" {
	ip link add "$VA" type veth peer name "$VB"
	ip addr add 10.198.7.1/24 dev "$VA"
	update_config ".linux.netDevices = {\"$VA\": {\"name\": \"eth1\"}}"
	skiff run -d --bundle "$BUNDLE" "$ID"
	run skiff exec "$ID" ip addr show eth1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.198.7.1/24"* ]]
	[[ "$output" == *"<"*",UP"* ]]
	# It left the host; its peer did not.
	run ip link show "$VA"
	[ "$status" -ne 0 ]
	ip link show "$VB"
	skiff delete --force "$ID"
	# Never moved back (config-linux.md): the kernel destroys a virtual
	# device with its namespace, and a veth takes its peer along. Only
	# physical devices return to the host.
	gone "$VA"
	gone "$VB"
	assert_clean "$ID"
}

@test "netDevices: %d lets the kernel pick free names" {
	ip link add "$VA" type veth peer name "$VB"
	update_config ".linux.netDevices = {\"$VA\": {\"name\": \"eth%d\"}, \"$VB\": {\"name\": \"eth%d\"}}"
	update_config '.process.args = ["sh", "-c", "ip -o link show up | cut -d: -f2 | sort | tr -d \" \\n\""]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "eth0@eth1eth1@eth0lo" ]
}

@test "netDevices: into a namespace joined by path, where it stays after delete" {
	ip netns add "$NETNS"
	ip link add "$VA" type veth peer name "$VB"
	update_config ".linux.netDevices = {\"$VA\": {\"name\": \"eth1\"}}
		| (.linux.namespaces[] | select(.type == \"network\")) .path = \"/run/netns/$NETNS\""
	update_config '.process.args = ["true"]'
	skiff run --bundle "$BUNDLE" "$ID"
	ip netns exec "$NETNS" ip link show eth1
	run ip link show "$VA"
	[ "$status" -ne 0 ]
	assert_clean "$ID"
}

@test "netDevices: a missing device fails create, names it, and moves nothing" {
	ip link add "$VA" type veth peer name "$VB"
	update_config ".linux.netDevices = {\"$VA\": {\"name\": \"eth1\"}, \"sknomissing\": {}}"
	run skiff create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"create \"$ID\": config.json: linux.netDevices.sknomissing: no such network device on the host"* ]]
	ip link show "$VA"
	assert_clean "$ID"
}

@test "netDevices: a name taken in the container fails without %d" {
	ip link add "$VA" type veth peer name "$VB"
	update_config ".linux.netDevices = {\"$VA\": {\"name\": \"lo\"}}"
	run skiff create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"config.json: linux.netDevices.$VA: \"lo\" already exists in the container's network namespace"* ]]
	ip link show "$VA"
	assert_clean "$ID"
}

@test "features: netDevices enabled" {
	run "$SKIFF" features
	[ "$(echo "$output" | jq -r .linux.netDevices.enabled)" = true ]
}

# bridge_bundle DIR: a bundle from `skiff spec --network bridge`, on this
# test's bridge and subnet, with CAP_NET_RAW for busybox ping.
bridge_bundle() {
	local dir=$1
	mkdir -p "$dir"
	[ -d "$dir/rootfs" ] || cp -a "$ROOTFS" "$dir/rootfs"
	rm -f "$dir/config.json"
	"$SKIFF" spec --network bridge --bundle "$dir"
	update_config ".process.terminal = false | .process.args = [\"sleep\", \"300\"]
		| .process.capabilities[] += [\"CAP_NET_RAW\"]
		| .hooks[][].args |= map(if . == \"skiff0\" then \"$BRIDGE\" elif . == \"10.88.0.0/24\" then \"$SUBNET\" else . end)" "$dir"
}

# address ID: the container's eth0 address, without the prefix length.
address() {
	skiff exec "$1" ip -o -4 addr show eth0 | awk '{ print $4 }' | cut -d/ -f1
}

@test "spec --network bridge: hooks that call this skiff by absolute path" {
	bridge_bundle "$BUNDLE"
	run jq -c '[.hooks.createRuntime[0].path, .hooks.createRuntime[0].args[1:3], .hooks.poststop[0].args[1:3]]' "$BUNDLE/config.json"
	[ "$output" = "[\"$SKIFF\",[\"network-hook\",\"up\"],[\"network-hook\",\"down\"]]" ]
	run jq -r '.linux.namespaces[] | select(.type == "network") | .path // "new"' "$BUNDLE/config.json"
	[ "$output" = new ]
	run "$SKIFF" spec --network nat --bundle "$TEST_DIR"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--network: unknown network "nat" (want bridge)'* ]]
}

@test "bridge network: two containers reach each other and the bridge" {
	bridge_bundle "$BUNDLE"
	bridge_bundle "$TEST_DIR/bundle2"
	skiff run -d --bundle "$BUNDLE" "$ID-a"
	skiff run -d --bundle "$TEST_DIR/bundle2" "$ID-b"
	a=$(address "$ID-a")
	b=$(address "$ID-b")
	gw=${SUBNET%.0/24}.1
	echo "a=$a b=$b gw=$gw"
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
	skiff exec "$ID-a" ping -c1 -W1 "$b"
	skiff exec "$ID-b" ping -c1 -W1 "$a"
	skiff exec "$ID-a" ping -c1 -W1 "$gw"
	ip -4 addr show "$BRIDGE" | grep -q "inet $gw/24"
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 2 ]
	run "$SKIFF" network ls
	echo "$output"
	[[ "$output" == *"$ID-a"*"$a/24"*"$BRIDGE"* ]]
	[[ "$output" == *"$ID-b"*"$b/24"*"$BRIDGE"* ]]

	# Delete gives the address back; the veth pairs go with the namespaces.
	skiff delete --force "$ID-a"
	skiff delete --force "$ID-b"
	run "$SKIFF" network ls
	[[ "$output" != *"$ID-a"* && "$output" != *"$ID-b"* ]]
	for i in $(seq 50); do
		[ -z "$(ip -o link show master "$BRIDGE")" ] && break
		sleep 0.1
	done
	[ -z "$(ip -o link show master "$BRIDGE")" ]
	assert_clean "$ID-a"
	assert_clean "$ID-b"
}

@test "bridge network: a bridge name taken by another device fails create" {
	ip link add "$BRIDGE" type veth peer name "$VB"
	bridge_bundle "$BUNDLE"
	run skiff create --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createRuntime[0]"*"bridge $BRIDGE: the name is taken by a veth device, not a bridge"* ]]
	assert_clean "$ID"
	run "$SKIFF" network ls
	[[ "$output" != *"$ID"* ]]
}

@test "bridge network: an exhausted subnet fails create and leaves nothing" {
	SUBNET=${SUBNET%.0/24}.0/30
	bridge_bundle "$BUNDLE"
	bridge_bundle "$TEST_DIR/bundle2"
	skiff run -d --bundle "$BUNDLE" "$ID-a"
	[ "$(address "$ID-a")" = "${SUBNET%.0/30}.2" ]
	run skiff create --bundle "$TEST_DIR/bundle2" "$ID-b"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createRuntime[0]"*"subnet $SUBNET exhausted"* ]]
	assert_clean "$ID-b"
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 1 ]
	# Once the first is deleted, its address is free again.
	skiff delete --force "$ID-a"
	skiff run -d --bundle "$TEST_DIR/bundle2" "$ID-b"
	[ "$(address "$ID-b")" = "${SUBNET%.0/30}.2" ]
}

@test "bridge network: 20 containers created in parallel get 20 distinct addresses" {
	bridge_bundle "$BUNDLE"
	for i in $(seq 20); do
		skiff create --bundle "$BUNDLE" "$ID-p$i" >"$TEST_DIR/create$i.out" 2>&1 &
	done
	wait
	cat "$TEST_DIR"/create*.out
	run "$SKIFF" network ls
	echo "$output"
	[ "$(echo "$output" | grep -c "$ID-p")" -eq 20 ]
	[ "$(echo "$output" | grep "$ID-p" | awk '{ print $2 }' | sort -u | wc -l)" -eq 20 ]
	for i in $(seq 20); do skiff delete --force "$ID-p$i"; done
	run "$SKIFF" network ls
	[[ "$output" != *"$ID-p"* ]]
}
