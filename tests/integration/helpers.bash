# Shared by the integration scenarios. run.sh has started the daemons and
# exported where they are; each helper below is one client pointed at them
# with skiff (through its logging wrapper) as the runtime.

: "${IT_DIR:?run the scenarios through tests/integration/run.sh}"

# A unique name per test: the machine is shared, and a failed test's
# leftovers must never collide with the next one's.
setup() {
	NAME=skiff-it-$$-$BATS_TEST_NUMBER
}

# ctr: containerd's client on our socket, in our namespace.
ctr() {
	command ctr --address "$CONTAINERD_SOCK" -n "$CTR_NS" "$@"
}

# ctr_run ARGS...: `ctr run` with skiff as the runc binary and its state
# root under $IT_DIR (the default, /run/containerd/runc, is host-wide).
ctr_run() {
	ctr run --runc-binary "$IT_DIR/bin/skiff-ctr" --runc-root "$IT_DIR/runc-root" "$@"
}

# docker: Debian's client (not any other docker on PATH) on our dockerd.
docker() {
	/usr/bin/docker -H "unix://$DOCKER_SOCK" "$@"
}

# podman with private config and storage, skiff as the runtime.
podman() {
	CONTAINERS_CONF=$IT_DIR/podman/containers.conf \
		CONTAINERS_STORAGE_CONF=$IT_DIR/podman/storage.conf \
		command podman --runtime "$IT_DIR/bin/skiff-podman" "$@"
}

# in_pty CMD: run the shell command line CMD with a pty as its terminal
# (util-linux script), so that clients asked for -t/-it get one. Input
# comes from this function's stdin, through a FIFO held open until CMD is
# done: script passes EOF on its stdin to the pty at once, and a client
# that reads it (podman run -it) may stop relaying before the container
# wrote anything. A user at a terminal sends no EOF.
in_pty() {
	local dir keeper rc=0
	dir=$(mktemp -d)
	mkfifo "$dir/in"
	(cat; exec sleep 120) >"$dir/in" 2>/dev/null &
	keeper=$!
	script -qefc "$1" /dev/null <"$dir/in" || rc=$?
	kill "$keeper" 2>/dev/null
	wait "$keeper" 2>/dev/null
	rm -rf "$dir"
	return "$rc"
}

# cgroup_file PID CONTROLLER FILE: contents of FILE in PID's cgroup for
# CONTROLLER, on v1 or v2.
cgroup_file() {
	local pid=$1 ctrl=$2 file=$3 line path mnt
	line=$(grep -E "^[0-9]+:([^:]*,)?$ctrl(,[^:]*)?:" "/proc/$pid/cgroup" | head -n 1)
	if [ -n "$line" ]; then
		path=${line#*:*:}
		mnt=$(awk -v c="$ctrl" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	else
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		mnt=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	fi
	cat "$mnt$path/$file"
}

# retry SECS CMD...: run CMD every 0.2 s until it succeeds or SECS pass.
retry() {
	local secs=$1 i
	shift
	for i in $(seq $((secs * 5))); do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}

# expect_eq WHAT GOT WANT: compare, and say what differed on failure.
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "$1: got '$2', want '$3'" >&2
		return 1
	fi
}

# expect_match WHAT GOT REGEX
expect_match() {
	if ! [[ $2 =~ $3 ]]; then
		echo "$1: got '$2', want a match of /$3/" >&2
		return 1
	fi
}
