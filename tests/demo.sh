#!/bin/sh
# demo.sh BUILD: make a bundle from the busybox rootfs and run one container.
set -eu
build=$1
bundle=$build/demo
rm -rf "$bundle"
mkdir -p "$bundle"
ln -s ../rootfs "$bundle/rootfs"
./skiff spec --bundle "$bundle"
jq '.process.terminal = false
  | .process.args = ["sh", "-c", "echo \"hello from $(hostname): pid $$, uid $(id -u)\"; echo mounts: $(wc -l < /proc/self/mounts); ls /"]' \
	"$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
./skiff --root "$build/state" run --bundle "$bundle" demo-$$
