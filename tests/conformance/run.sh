#!/usr/bin/env bash
# Runs the OCI runtime-tools validation suite against one runtime.
#
#   tests/conformance/run.sh [RUNTIME]     (or RUNTIME=/usr/sbin/runc ...)
#
# RUNTIME defaults to ./skiff. Environment knobs:
#   CONFORMANCE_ONLY="kill start"   run only these validation programs
#   CONFORMANCE_TIMEOUT=60          seconds per program (then SIGTERM, +5 s SIGKILL)
#   EXPECTED=path                   expected-failures list (default: next to this script)
#   GO=go                           Go toolchain
#
# The suite (github.com/opencontainers/runtime-tools, pinned in go.mod here)
# is built into _build/conformance/bin: cmd/runtimetest statically, and every
# main package under validation/ as its own program. Each program runs alone
# (several share the fixed cgroup paths /cgrouptest and
# testdir/cgrouptest/container), from a directory holding ./runtimetest and
# rootfs-amd64.tar.gz, which is where validation/util looks for them.
#
# The suite calls "$RUNTIME create|start|state|kill|delete ..." without
# --root, so it would share the runtime's default root (/run/skiff) with
# whoever else runs containers on the machine. RUNTIME is therefore a
# two-line wrapper that adds a private --root; TMPDIR is private too, so the
# bundles the suite leaves (os.MkdirTemp("", "ocitest")) are ours to remove.
#
# A file passes when it exits 0 within the timeout, has no `not ok`, no YAML
# `error:` outside an `ok` line's block, and every TAP stream's plan matches
# its test lines; and it has at least one ok, or only empty 1..0 streams
# (the hook tests assert nothing when all is well). All-SKIP is "skip".
# Details, and the two exceptions, at count_tap below.
#
# Results: _build/conformance/out/<name>.tap (stdout, the TAP), <name>.err
# (stderr), <name>.rc (exit status; 124 = timeout). Exit status: 1 when a
# program not listed in the expected-failures file fails, else 0.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/_build/conformance
GO=${GO:-go}
timeout_s=${CONFORMANCE_TIMEOUT:-60}
expected_file=${EXPECTED:-$here/expected-failures}

runtime=${1:-${RUNTIME:-$repo/skiff}}
if ! runtime_abs=$(command -v "$runtime"); then
	echo "conformance: runtime $runtime not found" >&2
	exit 2
fi
runtime_abs=$(readlink -f "$runtime_abs")
if [ "$(id -u)" != 0 ]; then
	echo "conformance: must run as root" >&2
	exit 2
fi

# --- build ------------------------------------------------------------------
mkdir -p "$build/bin"
pkgs=$(cd "$here" && $GO list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' \
	github.com/opencontainers/runtime-tools/validation/...) || exit 2
if [ -z "$pkgs" ]; then
	echo "conformance: no validation programs found" >&2
	exit 2
fi
echo "conformance: building runtimetest and $(wc -w <<<"$pkgs") validation programs"
(cd "$here" && CGO_ENABLED=0 $GO build -trimpath -o "$build/bin/" \
	github.com/opencontainers/runtime-tools/cmd/runtimetest $pkgs) || exit 2
moddir=$(cd "$here" && $GO list -m -f '{{.Dir}}' github.com/opencontainers/runtime-tools) || exit 2

names=${CONFORMANCE_ONLY:-$(for p in $pkgs; do basename "$p"; done)}

# --- private work area --------------------------------------------------------
work=$(mktemp -d /tmp/skiff-conformance.XXXXXX)
state_root=$(mktemp -d /run/skiff-conformance.XXXXXX)
tmp=$work/tmp
mkdir -p "$tmp" "$work/run"
# Only the suite's own bundle directories (0700, os.MkdirTemp) should stand
# between a user-namespaced container and its rootfs, not ours.
chmod 755 "$work"
cp "$build/bin/runtimetest" "$work/run/runtimetest"
cp "$moddir/rootfs-amd64.tar.gz" "$work/run/"
chmod u+w "$work/run/rootfs-amd64.tar.gz"
wrapper=$work/runtime
printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$runtime_abs" "$state_root" >"$wrapper"
chmod +x "$wrapper"

out=$build/out
rm -rf "$out"
mkdir -p "$out"

# Unmounts everything at or below $1, deepest first.
unmount_below() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
}

# Removes what a validation program left behind: containers in our root,
# mounts, bundles, and the fixed test cgroups once they are empty.
cleanup() {
	local id
	for d in "$state_root"/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		"$runtime_abs" --root "$state_root" kill "$id" KILL >/dev/null 2>&1
		if ! "$runtime_abs" --root "$state_root" delete --force "$id" >/dev/null 2>&1; then
			echo "cleanup: delete --force $id failed" >>"$out/$1.err"
		fi
		if [ -e "$d" ]; then
			echo "cleanup: $id still in the state root after delete --force" >>"$out/$1.err"
			unmount_below "${d%/}"
			rm -rf "$d"
		fi
	done
	unmount_below "$tmp"
	unmount_below "$state_root"
	rm -rf "${tmp:?}"/* "${tmp:?}"/.[!.]* 2>/dev/null
	# The suite's fixed cgroups: /cgrouptest and <own>/testdir/cgrouptest/container.
	find /sys/fs/cgroup -maxdepth 8 -depth -type d \
		\( -name cgrouptest -o -path '*/testdir/cgrouptest/container' \) 2>/dev/null |
		while read -r cg; do
			rmdir "$cg" 2>/dev/null
			case $cg in */testdir/cgrouptest) rmdir "${cg%/cgrouptest}" 2>/dev/null ;; esac
		done
}

# On an interrupt, leave nothing behind either.
child=
finish() {
	if [ -n "$child" ]; then
		kill "$child" 2>/dev/null
		wait "$child"
	fi
	cleanup interrupted
	rm -rf "$work"
	rm -f "$state_root"/.skiff-init-*
	rmdir "$state_root" 2>/dev/null
}
trap 'finish; exit 130' INT TERM

# --- TAP accounting -----------------------------------------------------------
# Prints "ok notok skip badplan yamlerr streams" for a TAP file.
#
# A file may hold several TAP streams (linux_cgroups_cpus runs two suites,
# each with its own "TAP version 13" and AutoPlan), so plans are checked per
# stream: a stream whose plan is missing or does not match its test lines
# stopped part way. Plan 1..0 with no test lines is what tap-go's AutoPlan
# prints when nothing was asserted: the hook tests pass that way.
#
# A YAML block's `error:` is benign only when the block belongs to an `ok`
# line (negative tests such as create's report the expected failure that
# way); a block after a `not ok`, before any test line, or a second block
# after the same line is a failure: the hook tests report failure only as
# a free-standing YAML error under plan 1..0.
count_tap() {
	awk '
	function endstream() {
		if (!instream) return
		if (plan == "" || plan != "1.." (sok + snotok)) badplan++
		instream = 0
	}
	BEGIN { ok = notok = skip = badplan = yerr = streams = 0; instream = 0; inyaml = 0 }
	inyaml {
		if ($0 ~ /^[ \t]+\.\.\.[ \t]*$/) {
			inyaml = 0
			if (haserr && last != "ok" && last != "notok") yerr++
			last = "yaml"
		} else if ($0 ~ /^[ \t]+"?error"?[ \t]*:/) {
			haserr = 1
		}
		next
	}
	/^TAP version/ { endstream(); instream = 1; streams++; sok = snotok = 0; plan = ""; last = "none"; next }
	/^[ \t]+---[ \t]*$/ { inyaml = 1; haserr = 0; next }
	/^ok([ \t]|$)/ {
		ok++; sok++; last = "ok"
		if (tolower($0) ~ /#[ \t]*skip/) skip++
		next
	}
	/^not ok([ \t]|$)/ {
		if (tolower($0) ~ /#[ \t]*todo/) { sok++; last = "ok"; next }
		notok++; snotok++; last = "notok"; next
	}
	/^1\.\.[0-9]+/ { plan = $1; next }
	END {
		if (inyaml && haserr && last != "ok" && last != "notok") yerr++
		endstream()
		print ok, notok, skip, badplan, yerr, streams
	}' "$1"
}

# runtimetest reports some failures of the runtime as a SKIP: with seccomp
# not applied, getcwd succeeds and it prints "# SKIP getcwd did not return
# an error", so linux_seccomp would pass. Such a SKIP counts as not ok here.
skip_means_fail='# SKIP getcwd did not return an error'

# Negative tests that print no TAP at all: they exit 0 when the runtime
# refused the config and call util.Fatal (exit 1) when it accepted it.
exit_status_only="process_capabilities_fail process_rlimits_fail"

# --- expected failures ---------------------------------------------------------
declare -A expected=()
if [ -f "$expected_file" ]; then
	while read -r name reason; do
		case $name in '' | '#'*) continue ;; esac
		expected[$name]=$reason
	done <"$expected_file"
fi

# --- run ------------------------------------------------------------------------
echo "conformance: runtime $runtime_abs (state root $state_root), ${timeout_s}s per program"
total=0 passed=0 unexpected_fail=() unexpected_pass=()
started=$(date +%s)
printf '%-36s %-8s %4s %6s %4s  %s\n' FILE RESULT OK NOT-OK SKIP NOTE
for name in $names; do
	bin=$build/bin/$name
	if [ ! -x "$bin" ]; then
		echo "conformance: no such validation program: $name" >&2
		exit 2
	fi
	total=$((total + 1))
	# In the background, so that an interrupt reaches the trap at once;
	# timeout passes the TERM from finish on to the program.
	(cd "$work/run" && RUNTIME=$wrapper TMPDIR=$tmp \
		exec timeout -k 5 "$timeout_s" "$bin" >"$out/$name.tap" 2>"$out/$name.err" </dev/null) &
	child=$!
	wait "$child"
	rc=$?
	child=
	echo "$rc" >"$out/$name.rc"
	cleanup "$name"

	read -r ok notok skip badplan yerr streams < <(count_tap "$out/$name.tap")
	note=()
	falseskip=$(grep -cF "$skip_means_fail" "$out/$name.tap")
	if [ "$falseskip" != 0 ]; then
		notok=$((notok + falseskip))
		note+=("${skip_means_fail#\# }")
	fi
	[ "$rc" != 0 ] && note+=("exit $rc")
	[ "$yerr" != 0 ] && note+=("yaml error")
	[ "$badplan" != 0 ] && note+=("plan mismatch")
	silent=false
	case " $exit_status_only " in *" $name "*) silent=true ;; esac
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		result=timeout
	elif [ $streams = 0 ] && $silent; then
		# Judged by exit status alone (see exit_status_only).
		if [ "$rc" = 0 ]; then result=pass; else result=fail; fi
		note+=("exit status only")
	elif [ $streams = 0 ]; then
		result=fail
		note+=("no TAP")
	elif [ "$rc" != 0 ] || [ "$notok" != 0 ] || [ "$yerr" != 0 ] || [ "$badplan" != 0 ]; then
		result=fail
	elif [ "$ok" != 0 ] && [ "$skip" = "$ok" ]; then
		result=skip
	else
		# Some ok and nothing failed, or only empty 1..0 streams (hooks).
		result=pass
	fi

	if [ "$result" = pass ]; then
		passed=$((passed + 1))
		# A listed race ("flaky: ...") may pass; anything else listed should not.
		case ${expected[$name]-} in
		'' | flaky*) ;;
		*) unexpected_pass+=("$name") && note+=("UNEXPECTED PASS") ;;
		esac
	elif [ "$result" != skip ]; then
		if [ -n "${expected[$name]+x}" ]; then
			note+=("expected: ${expected[$name]}")
		else
			unexpected_fail+=("$name")
			note+=("UNEXPECTED")
		fi
	fi
	printf '%-36s %-8s %4s %6s %4s  %s\n' "$name" "$result" "$ok" "$notok" "$skip" "$(
		IFS=';'
		echo "${note[*]:-}"
	)"
done

trap - INT TERM
rm -rf "$work"
# skiff caches its init binary in the state root (internal/initbin).
rm -f "$state_root"/.skiff-init-*
rmdir "$state_root" 2>/dev/null || echo "conformance: $state_root not empty, left in place" >&2

echo "conformance: $passed of $total files passed ($(($(date +%s) - started)) s); TAP in ${out#"$repo"/}/"
if [ ${#unexpected_pass[@]} != 0 ]; then
	echo "conformance: unexpected passes (remove from ${expected_file#"$repo"/}): ${unexpected_pass[*]}"
fi
if [ ${#unexpected_fail[@]} != 0 ]; then
	echo "conformance: unexpected failures: ${unexpected_fail[*]}"
	exit 1
fi
exit 0
