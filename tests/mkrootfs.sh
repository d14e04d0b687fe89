#!/bin/sh
# mkrootfs.sh DIR: a minimal root filesystem from Debian's busybox-static,
# enough for the demo and the test suite. Installs busybox-static if missing.
set -eu
dir=$1
if ! dpkg -s busybox-static >/dev/null 2>&1; then
	echo "mkrootfs: installing busybox-static" >&2
	apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/bin" "$dir.tmp/etc" "$dir.tmp/proc" "$dir.tmp/sys" "$dir.tmp/dev" "$dir.tmp/tmp" "$dir.tmp/root" "$dir.tmp/var"
cp /bin/busybox "$dir.tmp/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$dir.tmp/bin/$applet"
done
ln -s bin "$dir.tmp/sbin"
mkdir -p "$dir.tmp/usr"
ln -s ../bin "$dir.tmp/usr/bin"
ln -s ../bin "$dir.tmp/usr/sbin"
chmod 1777 "$dir.tmp/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir.tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir.tmp/etc/group"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
