#!/usr/bin/env bash
# run.sh [BATS-FILE...]: skiff under the real clients. Installs containerd,
# docker.io and podman from Debian if missing, starts a private containerd
# and dockerd (everything under one temp dir), imports a busybox image into
# each client, runs the bats scenarios, then stops everything by PID,
# whatever happened.
#
#   SKIFF, ROOTFS   the skiff binary and a busybox rootfs (make does this)
#   IT_OUT          where the TAP output and the wrapper log are kept
#                   (default _build/integration)
#   IT_WRAPPER      exec (default) or capture: see make_wrapper in lib.sh
#   IT_STRICT=1     count the entries of known-failures as failures
#   IT_KEEP=1       keep the temp dir (daemons are stopped anyway)
#
# A scenario listed in known-failures ("test name | reason") that fails is
# reported as known failing and does not fail the run; one that passes is
# reported so that its entry can go.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SKIFF=${SKIFF:?set SKIFF to the skiff binary}
export ROOTFS=${ROOTFS:?set ROOTFS to a busybox rootfs}
IT_OUT=${IT_OUT:-_build/integration}
. "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "integration: needs root" >&2; exit 1; }
install_clients || exit 1

IT_DIR=$(mktemp -d /tmp/skiff-it.XXXXXX)
chmod 755 "$IT_DIR"
export IT_DIR
# podman passes skiff no --root, so its containers use skiff's default
# root; stop_all removes that root again if this run made it.
IT_DEFAULT_ROOT_MADE=
[ -e /run/skiff ] || IT_DEFAULT_ROOT_MADE=1
export IT_DEFAULT_ROOT_MADE
export IT_LOG=$IT_DIR/wrapper.log
export CONTAINERD_SOCK=$IT_DIR/containerd.sock
export DOCKER_SOCK=$IT_DIR/docker.sock
export CTR_NS=skifftest
export IT_IMAGE=skiff-busybox:latest
export IT_WRAPPER=${IT_WRAPPER:-exec}
: >"$IT_LOG"

finish() {
	local rc=$?
	# Cleanup runs to the end: a second INT or TERM does not cut it short.
	trap - EXIT
	trap "" INT TERM
	if [ -n "${bats_pid:-}" ]; then
		echo "integration: interrupted; stopping bats (pid $bats_pid)" >&2
		kill "$bats_pid" 2>/dev/null
		wait "$bats_pid" 2>/dev/null
	fi
	mkdir -p "$IT_OUT"
	cp "$IT_LOG" "$IT_OUT/wrapper.log" 2>/dev/null
	[ -e "$IT_LOG.errors" ] && cp "$IT_LOG.errors" "$IT_OUT/wrapper.log.errors"
	cp "$IT_DIR/containerd.log" "$IT_DIR/dockerd.log" "$IT_OUT/" 2>/dev/null
	stop_all
	check_nothing_left || rc=1
	exit $rc
}
bats_pid=""
trap finish EXIT
trap 'exit 130' INT TERM

for c in ctr docker podman; do make_wrapper $c; done
setup_podman
echo "integration: starting containerd and dockerd in $IT_DIR" >&2
start_containerd || exit 1
start_dockerd || exit 1
import_images || { echo "integration: image import failed" >&2; exit 1; }

mkdir -p "$IT_OUT"
tap=$IT_OUT/results.tap
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/containerd.bats "$here"/docker.bats "$here"/podman.bats)
# In the background, so that a TERM to this script runs the trap at once
# rather than after bats.
bats --tap "${files[@]}" > >(tee "$tap") 2>&1 &
bats_pid=$!
wait $bats_pid
bats_pid=""

# Known failures: "name | reason" lines; '#' starts a comment.
declare -A known=()
while IFS= read -r line; do
	line=${line%%#*}
	[[ $line == *'|'* ]] || continue
	name=${line%%|*}
	name=$(echo "$name" | sed 's/[[:space:]]*$//')
	known[$name]=$(echo "${line#*|}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
done <"$here/known-failures"

passed=0 failed=0 skipped=0 kfail=0
fails=() kfails=() kpasses=()
while IFS= read -r line; do
	case $line in
	'ok '*' # skip'*) skipped=$((skipped + 1)) ;;
	'ok '*)
		passed=$((passed + 1))
		name=$(echo "$line" | sed -E 's/^ok [0-9]+ //')
		[ -n "${known[$name]+x}" ] && kpasses+=("$name")
		;;
	'not ok '*)
		name=$(echo "$line" | sed -E 's/^not ok [0-9]+ //; s/ in [0-9]+ms$//')
		if [ -n "${known[$name]+x}" ] && [ -z "${IT_STRICT:-}" ]; then
			kfail=$((kfail + 1))
			kfails+=("$name: ${known[$name]}")
		else
			failed=$((failed + 1))
			fails+=("$name")
		fi
		;;
	esac
done <"$tap"

echo
echo "== what the clients called (client, global flags, verb, its flags; values dropped) =="
"$here/summarize-log.sh" "$IT_LOG"
echo
for n in "${fails[@]}"; do echo "FAILED: $n"; done
for n in "${kfails[@]}"; do echo "known failing: $n"; done
for n in "${kpasses[@]}"; do echo "known failure now passes (remove it from known-failures): $n"; done
total=$((passed + failed + skipped + kfail))
echo "integration: $passed passed, $failed failed, $kfail known failing, $skipped skipped (of $total)"
[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
