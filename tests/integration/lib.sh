# lib.sh: the clients' daemons for the integration run, sourced by run.sh.
# Everything lives under $IT_DIR (a fresh temp dir): containerd's root,
# state and sockets, dockerd's data/exec roots, podman's storage, the
# skiff wrappers and their log. stop_all undoes all of it by PID.

# The Debian packages the run needs (containerd 1.6, docker.io 20.10,
# podman 4.3 with conmon). docker.io pulls in tini, whose docker-init
# backs `docker run --init`.
install_clients() {
	local missing="" p
	for p in containerd docker.io podman conmon tini jq bats busybox-static; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "integration: installing:$missing" >&2
	# Package scripts try to start dockerd and containerd. There is no
	# systemd here, but a SysV script would start them against the host's
	# default paths; a policy-rc.d that says "no" (exit 101, invoke-rc.d's
	# convention) keeps them stopped. Ours only if the host has none.
	local policy=/usr/sbin/policy-rc.d ours=""
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && ours=1
	fi
	apt-get update -qq >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	local rc=$?
	[ -n "$ours" ] && rm -f "$policy"
	[ $rc -eq 0 ] || { echo "integration: apt-get install failed" >&2; return 1; }
	stop_package_daemons
}

# stop_package_daemons: if a package script started the host-wide daemons
# anyway (default pidfiles), stop them: they are not ours to keep.
stop_package_daemons() {
	local f pid
	for f in /var/run/docker.pid /run/docker.pid /run/containerd/containerd.pid; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			echo "integration: stopping $(tr '\0' ' ' </proc/"$pid"/cmdline) (pid $pid) started by the package" >&2
			kill "$pid"
		fi
	done
}

# make_wrapper CLIENT: a script that logs its command line, tagged with the
# client, to $IT_LOG and then runs skiff. IT_WRAPPER=capture keeps the
# wrapper as skiff's parent so that, when skiff fails, the last error record
# of its --log file is logged too (the client deletes the bundle soon
# after); the default execs skiff, so the client talks to skiff alone.
make_wrapper() {
	local client=$1 w=$IT_DIR/bin/skiff-$1
	mkdir -p "$IT_DIR/bin"
	cat >"$w" <<EOF
#!/bin/sh
# skiff wrapper for $client: log the command line, then run skiff.
line="$client"
for a in "\$@"; do
	case \$a in *[[:space:]]*|'') a="'\$a'" ;; esac
	line="\$line \$a"
done
echo "\$line" >>"$IT_LOG"
if [ "${IT_WRAPPER:-exec}" != capture ]; then
	exec "$SKIFF" "\$@"
fi
log=""
prev=""
for a in "\$@"; do
	[ "\$prev" = --log ] && log=\$a
	prev=\$a
done
"$SKIFF" "\$@"
rc=\$?
if [ \$rc -ne 0 ]; then
	err=""
	[ -n "\$log" ] && err=\$(grep '"level":"error"' "\$log" 2>/dev/null | tail -n 1)
	echo "$client ERROR rc=\$rc: \$line :: \$err" >>"$IT_LOG.errors"
fi
exit \$rc
EOF
	chmod 755 "$w"
}

# wait_for DESC SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local desc=$1 secs=$2 i
	shift 2
	for i in $(seq $((secs * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "integration: $desc not ready after ${secs}s" >&2
	return 1
}

start_containerd() {
	local d=$IT_DIR/containerd
	mkdir -p "$d/root" "$d/state"
	# The CRI plugin is off: nothing here speaks CRI, and it would load
	# CNI configs from the host. (With it on, restrict_oom_score_adj = true
	# is needed here: root lacks CAP_SYS_RESOURCE, so negative
	# oom_score_adj fails.)
	cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
	containerd --config "$d/config.toml" >"$IT_DIR/containerd.log" 2>&1 &
	echo $! >"$IT_DIR/containerd.pid"
	wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version || {
		tail -20 "$IT_DIR/containerd.log" >&2
		return 1
	}
}

start_dockerd() {
	local d=$IT_DIR/docker
	mkdir -p "$d/data" "$d/exec"
	echo '{}' >"$d/daemon.json"
	dockerd --config-file "$d/daemon.json" \
		--containerd "$CONTAINERD_SOCK" \
		--data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
		-H "unix://$DOCKER_SOCK" \
		--iptables=false --ip6tables=false --ip-masq=false --bridge=none \
		--oom-score-adjust=0 --exec-opt native.cgroupdriver=cgroupfs \
		--add-runtime "skiff=$IT_DIR/bin/skiff-docker" \
		>"$IT_DIR/dockerd.log" 2>&1 &
	echo $! >"$IT_DIR/dockerd.pid"
	wait_for dockerd 60 /usr/bin/docker -H "unix://$DOCKER_SOCK" version || {
		tail -20 "$IT_DIR/dockerd.log" >&2
		return 1
	}
}

# setup_podman: private containers.conf and storage.conf; podman itself
# has no daemon.
setup_podman() {
	local d=$IT_DIR/podman
	mkdir -p "$d/root" "$d/runroot" "$d/tmp" "$d/net" "$d/volumes"
	# lock_type "file": the default shm lock segment (/libpod_lock) is one
	# per host, shared with any other podman here. default_ulimits: as
	# root, podman asks for nofile and nproc limits of about a million;
	# raising a hard limit needs CAP_SYS_RESOURCE, which root lacks here,
	# so every runtime fails ("setting rlimit type 7: operation not
	# permitted" from runc). Ask for limits below any hard limit seen here
	# (the runtime under conmon had nproc 32768, nofile 20000).
	cat >"$d/containers.conf" <<EOF
[containers]
netns = "none"
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$d/tmp"
static_dir = "$d/root/libpod"
volume_path = "$d/volumes"
lock_type = "file"
runtime = "skiff"
[engine.runtimes]
skiff = ["$IT_DIR/bin/skiff-podman"]
[network]
network_config_dir = "$d/net"
EOF
	cat >"$d/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$d/root"
runroot = "$d/runroot"
EOF
}

# import_images: the busybox rootfs as skiff-busybox:latest in Docker, in
# containerd's skifftest namespace (docker save | ctr import) and in podman.
import_images() {
	local tar=$IT_DIR/rootfs.tar
	tar -C "$ROOTFS" -cf "$tar" .
	/usr/bin/docker -H "unix://$DOCKER_SOCK" import \
		-c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]' \
		"$tar" "$IT_IMAGE" >/dev/null
	/usr/bin/docker -H "unix://$DOCKER_SOCK" save -o "$IT_DIR/image.tar" "$IT_IMAGE"
	ctr --address "$CONTAINERD_SOCK" -n "$CTR_NS" image import "$IT_DIR/image.tar" >/dev/null
	CONTAINERS_CONF=$IT_DIR/podman/containers.conf CONTAINERS_STORAGE_CONF=$IT_DIR/podman/storage.conf \
		podman load -q -i "$IT_DIR/image.tar" >/dev/null
}

# kill_pidfile FILE SECS: SIGTERM the pid in FILE, SIGKILL after SECS.
kill_pidfile() {
	local f=$1 secs=$2 pid i
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq $((secs * 5))); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	echo "integration: pid $pid ($f) ignored SIGTERM for ${secs}s; killing" >&2
	kill -9 "$pid" 2>/dev/null
}

# our_pids NAME: pids of processes whose argv[0] is NAME (any directory)
# and whose command line names $IT_DIR (shims carry our socket, conmons our
# storage paths). Not pgrep: comm is cut at 15 characters.
our_pids() {
	local f p argv0
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" = "$$" ] && continue
		argv0=$(tr '\0' '\n' 2>/dev/null <"$f" | head -n 1)
		[ "${argv0##*/}" = "$1" ] || continue
		tr '\0' ' ' 2>/dev/null <"$f" | grep -qF "$IT_DIR" && echo "$p"
	done
}

# stop_all: remove every container the clients made, stop the daemons and
# what they left (shims, conmons), unmount and remove $IT_DIR. Runs from
# run.sh's EXIT trap, whatever happened before.
stop_all() {
	[ -n "${IT_DIR:-}" ] && [ -d "$IT_DIR" ] || return 0
	local dk="/usr/bin/docker -H unix://$DOCKER_SOCK" ids p
	export CONTAINERS_CONF=$IT_DIR/podman/containers.conf CONTAINERS_STORAGE_CONF=$IT_DIR/podman/storage.conf
	if [ -s "$IT_DIR/podman/containers.conf" ]; then
		timeout 60 podman --runtime "$IT_DIR/bin/skiff-podman" rm -af -t 0 >/dev/null 2>&1
	fi
	if [ -s "$IT_DIR/dockerd.pid" ] && kill -0 "$(cat "$IT_DIR/dockerd.pid")" 2>/dev/null; then
		ids=$($dk ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 60 $dk rm -f $ids >/dev/null 2>&1
	fi
	if [ -S "$CONTAINERD_SOCK" ]; then
		for ids in $(ctr --address "$CONTAINERD_SOCK" -n "$CTR_NS" task ls -q 2>/dev/null); do
			timeout 10 ctr --address "$CONTAINERD_SOCK" -n "$CTR_NS" task kill -s KILL "$ids" >/dev/null 2>&1
			timeout 10 ctr --address "$CONTAINERD_SOCK" -n "$CTR_NS" task delete -f "$ids" >/dev/null 2>&1
		done
	fi
	kill_pidfile "$IT_DIR/dockerd.pid" 20
	kill_pidfile "$IT_DIR/containerd.pid" 20
	# Containers a client lost track of, in the state roots under $IT_DIR.
	local root
	for root in $(find "$IT_DIR" -name state.json -path '*/runtime-skiff/*' -o -name state.json -path '*/runc-root/*' 2>/dev/null | xargs -r -n1 dirname | xargs -r -n1 dirname | sort -u); do
		for ids in $("$SKIFF" --root "$root" list -q 2>/dev/null); do
			echo "integration: deleting leftover skiff container $ids in $root" >&2
			"$SKIFF" --root "$root" delete --force "$ids" >/dev/null 2>&1
		done
	done
	# skiff's default root, where podman's containers live: it also holds
	# skiff's caches (the skiff-init copy, ~seccomp). Removed if this run
	# made it and no container is left in it.
	if [ -n "${IT_DEFAULT_ROOT_MADE:-}" ] && [ -d /run/skiff ] && [ -z "$("$SKIFF" list -q 2>/dev/null)" ]; then
		rm -rf --one-file-system /run/skiff
	fi
	# Shims and conmons outlive their daemons by design.
	for p in $(our_pids containerd-shim-runc-v2) $(our_pids conmon); do
		echo "integration: stopping leftover $(cat /proc/"$p"/comm 2>/dev/null) (pid $p)" >&2
		kill -9 "$p" 2>/dev/null
	done
	# Mounts under $IT_DIR (overlays, shm, netns), deepest first.
	local m
	for m in $(awk -v d="$IT_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	# The parent cgroups the clients made for their containers (containerd
	# names one after its namespace; docker and podman use these), once
	# empty: skiff removes each container's own cgroup, not its parents.
	local cg
	for cg in $(find /sys/fs/cgroup -maxdepth 3 -type d \( -name "$CTR_NS" -o -name docker -o -name libpod_parent \) 2>/dev/null); do
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	if [ -z "${IT_KEEP:-}" ]; then
		rm -rf --one-file-system "$IT_DIR"
	else
		echo "integration: IT_KEEP set, leaving $IT_DIR" >&2
	fi
}

# check_nothing_left: after stop_all, report any process of ours still alive.
check_nothing_left() {
	local left="" p f
	for f in dockerd containerd containerd-shim-runc-v2 conmon; do
		for p in $(our_pids "$f"); do left="$left $f:$p"; done
	done
	if [ -n "$left" ]; then
		echo "integration: still running after teardown:$left" >&2
		return 1
	fi
}
