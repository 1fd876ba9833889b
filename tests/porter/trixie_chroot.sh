#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest fixture of the live systemd 257 oracle tests: makes the Debian 13
# chroot that ../shared/tools/systemd257-oracle runs systemd 257 in, when it is
# missing and can be built here (root, debootstrap, the Debian mirror this
# host's apt uses: cmake/make-base-image finds it, skipping the commented
# snapshot lines that the oracle's own lookup would take). Exit 0 when the
# chroot is there, 77 when it cannot be built (the live tests then skip).
#   trixie_chroot.sh SOURCE_DIR
set -u
src=$1
root=${TRIXIE_ROOT:-/var/tmp/klein-trixie-root}
[ -x "$root/usr/lib/systemd/systemd" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; then
	echo "trixie_chroot: needs root and debootstrap; the live 257 oracle is skipped"
	exit 77
fi
mirror=$("$src/cmake/make-base-image" --dry-run --suite trixie | sed -n 's/^mirror //p')
echo "trixie_chroot: debootstrap trixie into $root from $mirror (once per machine)"
rm -rf "$root.new"
if ! debootstrap --variant=minbase --include=systemd trixie "$root.new" "$mirror" >"$root.log" 2>&1; then
	tail -5 "$root.log"
	rm -rf "$root.new"
	echo "trixie_chroot: debootstrap failed; the live 257 oracle is skipped"
	exit 77
fi
# A partial chroot of an earlier attempt is replaced, unless something is
# mounted in it (never rm -rf through a mount).
if grep -q " ${root}[/ ]" /proc/mounts; then
	echo "trixie_chroot: $root is incomplete and has mounts; the live 257 oracle is skipped"
	rm -rf "$root.new"
	exit 77
fi
rm -rf "$root" && mv "$root.new" "$root"
