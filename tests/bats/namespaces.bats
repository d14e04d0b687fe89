#!/usr/bin/env bats
# Namespaces: new ones, joined ones, and what is seen from inside.

load helpers

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "each configured namespace is new" {
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"},{"type":"time"}]'
	skiff run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	for ns in pid net ipc uts mnt cgroup time; do
		[ "$(ns_of "$pid" $ns)" != "$(ns_of $$ $ns)" ]
	done
	# Not asked for: shared with the host.
	[ "$(ns_of "$pid" user)" = "$(ns_of $$ user)" ]
}

@test "a namespace missing from the config is the host's" {
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	skiff run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	[ "$(ns_of "$pid" net)" = "$(ns_of $$ net)" ]
}

@test "joining another container's namespaces by path" {
	skiff run -d --bundle "$BUNDLE" "$ID-a"
	apid=$(state_field "$ID-a" pid)
	update_config ".linux.namespaces |= map(if .type == \"network\" or .type == \"ipc\" or .type == \"uts\" or .type == \"pid\" then .path = \"/proc/$apid/ns/\" + (if .type == \"network\" then \"net\" else .type end) else . end)"
	update_config 'del(.hostname)'
	skiff run -d --bundle "$BUNDLE" "$ID-b"
	bpid=$(state_field "$ID-b" pid)
	for ns in net ipc uts pid; do
		[ "$(ns_of "$apid" $ns)" = "$(ns_of "$bpid" $ns)" ]
	done
	[ "$(ns_of "$apid" mnt)" != "$(ns_of "$bpid" mnt)" ]
}

@test "joining a mount namespace by path: the rootfs is set up inside it" {
	# A mount namespace with the host's view, held by a sleeping process.
	unshare -m --propagation private sleep 300 &
	holder=$!
	for i in $(seq 50); do [ "$(ns_of $holder mnt)" != "$(ns_of $$ mnt)" ] && break; sleep 0.1; done
	update_config ".linux.namespaces |= map(if .type == \"mount\" then .path = \"/proc/$holder/ns/mnt\" else . end)"
	skiff run -d --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 || { kill $holder; cat "$TEST_DIR/out"; false; }
	pid=$(state_field "$ID" pid)
	[ "$(ns_of "$pid" mnt)" = "$(ns_of $holder mnt)" ]
	# The container's mounts exist in that namespace, not in the host's.
	awk '$5 == "/proc" && $9 == "proc" { found = 1 } END { exit !found }' /proc/$pid/mountinfo
	! grep -q " $BUNDLE/rootfs" /proc/self/mountinfo
	[ -e "/proc/$pid/root/bin/busybox" ]
	kill $holder
}

@test "no mount namespace: the process is confined to root.path with chroot" {
	update_config '.linux.namespaces |= map(select(.type != "mount")) | .mounts = [] | .process.args = ["sh", "-c", "ls /bin/busybox && echo in-rootfs"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *in-rootfs* ]]
}

@test "a user namespace with mappings: root inside is an unprivileged id outside" {
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .root.readonly = false'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" == *"0"*"100000"*"65536"* ]]
}

@test "time namespace offsets are applied" {
	update_config '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400}, "monotonic": {"secs": 86400}}'
	update_config '.process.args = ["cat", "/proc/uptime"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	up=${output%%.*}
	[ "$up" -ge 86400 ]
}

@test "hostname and domainname are set in a new uts namespace" {
	update_config '.hostname = "boat" | .domainname = "harbour.example"'
	update_config '.process.args = ["sh", "-c", "hostname; cat /proc/sys/kernel/domainname"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = boat ]
	[ "${lines[1]}" = harbour.example ]
}

@test "loopback is up in a new network namespace" {
	update_config '.process.args = ["cat", "/sys/class/net/lo/operstate", "/sys/class/net/lo/flags"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = 0x9 ]
}

@test "namespaced sysctls are written" {
	update_config '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "80", "kernel.shmmni": "1234"}'
	update_config '.process.args = ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/shmmni"]'
	run skiff run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 80 ]
	[ "${lines[1]}" = 1234 ]
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
}

@test "joining another container's user and cgroup namespaces by path" {
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
	chown -R 200000:200000 "$BUNDLE/rootfs"
	skiff run -d --bundle "$BUNDLE" "$ID-a"
	apid=$(state_field "$ID-a" pid)
	update_config ".linux.namespaces |= map(if .type == \"user\" then .path = \"/proc/$apid/ns/user\" elif .type == \"cgroup\" then .path = \"/proc/$apid/ns/cgroup\" else . end)
		| del(.linux.uidMappings) | del(.linux.gidMappings)"
	skiff run -d --bundle "$BUNDLE" "$ID-b"
	bpid=$(state_field "$ID-b" pid)
	[ "$(ns_of "$apid" user)" = "$(ns_of "$bpid" user)" ]
	[ "$(ns_of "$apid" cgroup)" = "$(ns_of "$bpid" cgroup)" ]
	[ "$(ns_of "$apid" mnt)" != "$(ns_of "$bpid" mnt)" ]
	# Root inside is the mapped id outside.
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$bpid/status")" = 200000 ]
}

@test "idmapped mounts: the container's mapping, and a mapping of the mount's own" {
	mkdir -p "$TEST_DIR/data"
	echo hi >"$TEST_DIR/data/f"
	touch "$TEST_DIR/data/g"
	chown 0:0 "$TEST_DIR/data/f"
	chown 1000:1000 "$TEST_DIR/data/g"
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .process.args = ["sh", "-c", "stat -c %u /a/f /a/g /b/f /b/g; touch /b/x 2>&1 || true"]'
	update_config ".mounts += [
		{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"$TEST_DIR/data\",\"options\":[\"bind\",\"idmap\"]},
		{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"$TEST_DIR/data\",\"options\":[\"rbind\",\"ro\",\"ridmap\"],
		 \"uidMappings\":[{\"containerID\":0,\"hostID\":101000,\"size\":10}],
		 \"gidMappings\":[{\"containerID\":0,\"hostID\":101000,\"size\":10}]}]"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	# Through the container's own mapping, host root's file is root's.
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 1000 ]
	# 0 on disk -> 101000 on the host -> 1000 in the container; 1000 on
	# disk is outside the mount's mapping.
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 65534 ]
	[[ "${lines[4]}" == *"Read-only file system"* ]]
	! pgrep -f "skiff userns-holder"
}

@test "idmap without a user namespace or mappings is an error naming the mount" {
	update_config ".mounts += [{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"$TEST_DIR\",\"options\":[\"bind\",\"idmap\"]}]"
	run skiff run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts["*"idmap"* ]]
	assert_clean "$ID"
}
