#!/usr/bin/env bash
# run-bats.sh: run the bats suite as TAP and close with one summary line
# ("bats: N passed, N failed, N skipped"); exit non-zero on any failure.
set -uo pipefail
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
bats --tap "$@" | tee "$tap"
rc=${PIPESTATUS[0]}
passed=$(grep -c '^ok .* # skip' "$tap")
skipped=$passed
passed=$(( $(grep -c '^ok ' "$tap") - skipped ))
failed=$(grep -c '^not ok ' "$tap")
echo "bats: $passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
