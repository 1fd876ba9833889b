#!/bin/sh
# SPDX-License-Identifier: MIT
# Converting again in a later Docker layer: overlayfs without redirect_dir
# (how Docker mounts image layers) cannot rename a directory a lower layer
# holds (EXDEV), so the atomic exchange fails there. The unit changed in the
# upper layer must still be converted, and nothing else be touched.
#   overlay_reconvert.sh PORTER
set -u
porter=$1
t=$(mktemp -d "${TMPDIR:-/tmp}/klein-ovl.XXXXXX")
cleanup() {
	umount "$t/merged" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
fail() {
	echo "overlay_reconvert: FAIL: $*"
	exit 1
}
unit=lib/systemd/system
mkdir -p "$t/lower/$unit" "$t/upper" "$t/work" "$t/merged"
for n in a b; do
	printf '[Service]\nExecStart=/bin/sleep 100\n[Install]\nWantedBy=multi-user.target\n' >"$t/lower/$unit/$n.service"
done
"$porter" convert --root "$t/lower" a.service b.service >/dev/null 2>&1 || fail "first convert"
if ! mount -t overlay overlay -o "lowerdir=$t/lower,upperdir=$t/upper,workdir=$t/work,redirect_dir=off" \
	"$t/merged" 2>/dev/null; then
	echo "overlay_reconvert: SKIP: cannot mount overlayfs with redirect_dir=off here"
	exit 77
fi
# The later layer's own proof that the kernel refuses: rename(2) of a lower directory.
# (mv would copy instead.)
if python3 -c 'import os, sys; os.rename(sys.argv[1], sys.argv[1] + ".moved")' "$t/merged/etc/sv/b" 2>/dev/null; then
	python3 -c 'import os, sys; os.rename(sys.argv[1] + ".moved", sys.argv[1])' "$t/merged/etc/sv/b"
	echo "overlay_reconvert: SKIP: this overlayfs renames lower directories (no EXDEV to test)"
	exit 77
fi
sed -i 's/sleep 100/sleep 200/' "$t/merged/$unit/a.service"
out=$("$porter" convert --root "$t/merged" a.service b.service 2>&1) || fail "re-convert in the upper layer: $out"
grep -q "'/bin/sleep' '200'" "$t/merged/etc/sv/a/run" || fail "a/run was not rewritten: $(cat "$t/merged/etc/sv/a/run")"
grep -q "'/bin/sleep' '100'" "$t/merged/etc/sv/b/run" || fail "b/run changed"
[ -z "$(ls -A "$t/upper/etc/sv" | grep -v '^a$')" ] || fail "the upper layer holds more than a: $(ls -A "$t/upper/etc/sv")"
[ -L "$t/merged/etc/sv/a/supervise" ] || fail "a/supervise is not a link"
# Idempotent afterwards, like everywhere else.
out=$("$porter" convert --root "$t/merged" a.service 2>&1) || fail "third convert: $out"
echo "overlay_reconvert: ok"
