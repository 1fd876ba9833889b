#!/bin/sh
# SPDX-License-Identifier: MIT
# Which systemd klein-porter reads units as: --systemd, else porter.conf's
# `systemd =`, else the root's os-release (Debian 12 252, Ubuntu 24.04 255,
# Debian 13 257, unknown or missing: 257); inspect says which and why.
#   systemd_version.sh PORTER
set -u
porter=$1
t=$(mktemp -d "${TMPDIR:-/tmp}/klein-sdver.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail=0
bad() {
	echo "systemd_version: FAIL: $*"
	fail=1
}
root() { # NAME OS-RELEASE-TEXT (empty: none): a root with one unit
	mkdir -p "$t/$1/etc" "$t/$1/usr/lib/systemd/system"
	printf '[Service]\nType=notify-reload\nExecStart=/bin/true\n' >"$t/$1/usr/lib/systemd/system/x.service"
	[ -z "$2" ] || printf '%s\n' "$2" >"$t/$1/etc/os-release"
}
expect() { # ROOT VERSION FROM [ARGS...]: inspect reads x.service as VERSION because FROM
	r=$1 v=$2 from=$3
	shift 3
	out=$("$porter" inspect --root "$t/$r" "$@" x.service 2>/dev/null)
	got=$(printf '%s' "$out" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["systemd"], j["systemd_from"], j["settings"].get("Service", {}).get("Type"))')
	want="$v $from $([ "$v" = 252 ] && echo None || echo notify-reload)"
	[ "$got" = "$want" ] || bad "$r $*: got '$got', want '$want'"
}
root deb12 'ID=debian
VERSION_ID="12"'
root deb13 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
ID=debian
VERSION_ID="13"'
root noble 'ID=ubuntu
ID_LIKE=debian
VERSION_ID="24.04"'
root fedora 'ID=fedora
VERSION_ID=40'
root none ''
mkdir -p "$t/usrlib/usr/lib" && root usrlib '' && printf 'ID=debian\nVERSION_ID=12\n' >"$t/usrlib/usr/lib/os-release"

expect deb12 252 "Debian 12 (os-release)"
expect deb13 257 "Debian 13 (os-release)"
expect noble 255 "Ubuntu 24.04 (os-release)"
expect usrlib 252 "Debian 12 (os-release)"
expect fedora 257 "os-release says fedora 40, not a known release: the newest known"
expect none 257 "no os-release: the newest known"
expect deb13 252 "--systemd" --systemd 252
expect deb12 255 "--systemd" --systemd 255

mkdir -p "$t/deb13/etc/klein" && echo 'systemd = 252' >"$t/deb13/etc/klein/porter.conf"
expect deb13 252 "porter.conf"
expect deb13 257 "--systemd" --systemd 257

# os-release is read inside the root (issue 14 item 2): an absolute link
# /etc/os-release -> /usr/lib/os-release is the root's file, not the host's;
# a FIFO is passed over (not waited on).
root linked '' && mkdir -p "$t/linked/usr/lib" &&
	printf 'ID=ubuntu\nVERSION_ID="24.04"\n' >"$t/linked/usr/lib/os-release" &&
	ln -s /usr/lib/os-release "$t/linked/etc/os-release"
expect linked 255 "Ubuntu 24.04 (os-release)"
root fifo '' && mkfifo "$t/fifo/etc/os-release"
timeout 20 "$porter" inspect --root "$t/fifo" x.service >/dev/null 2>&1
[ $? -eq 0 ] || bad "an os-release FIFO hangs or fails inspect"
expect fifo 257 "no os-release: the newest known"

for v in 254 258 abc ""; do
	"$porter" inspect --root "$t/deb12" --systemd "$v" x.service >/dev/null 2>&1
	[ $? -eq 2 ] || bad "inspect --systemd '$v' is not a usage error"
done
echo 'systemd = 253' >"$t/deb13/etc/klein/porter.conf"
"$porter" convert --root "$t/deb13" --dry-run x.service >/dev/null 2>"$t/err"
[ $? -eq 2 ] || bad "porter.conf systemd = 253 is not a usage error for convert"
grep -q 'porter.conf:1: error: systemd = "253": not a systemd version' "$t/err" ||
	bad "no path:line error for porter.conf systemd = 253: $(cat "$t/err")"
"$porter" convert --root "$t/deb12" --systemd 257 --dry-run x.service >/dev/null 2>"$t/err" ||
	bad "convert --systemd 257 failed: $(cat "$t/err")"
grep -q "Type=notify-reload" "$t/err" || bad "convert --systemd 257 did not read Type=notify-reload: $(cat "$t/err")"
[ $fail = 0 ] && echo "systemd_version: ok"
exit $fail
