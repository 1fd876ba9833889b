#!/bin/sh
# The README's samples/init-demo/run, as a newcomer runs it: the sample
# /etc/init scripts and /etc/service tree boot under klein-init, the services
# see what the scripts exported, SIGHUP reloads through control/h, SIGTERM
# stops all with status 0, and the host's /run is left alone.
# usage: init_demo.sh KLEIN_INIT_BIN
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare)"; exit 77; }
command -v runsvdir >/dev/null || { echo "SKIP: needs runit"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
marker_before=no
[ -e /run/klein/stopping ] && marker_before=yes
out=$("$top/samples/init-demo/run" "$1" 2>&1)
rc=$?
printf '%s\n' "$out"
fail=0
check() {
	if printf '%s\n' "$out" | grep -qF -- "$1"; then
		echo "ok: $1"
	else
		echo "FAIL: missing: $1"
		fail=1
	fi
}
[ "$rc" = 0 ] || { echo "FAIL: the demo exited with $rc"; fail=1; }
check "20-check: GREETING is 'Hello from 10-greeting"
check "hello: GREETING=Hello from 10-greeting"
check "export GREETING='Hello from 10-greeting"
check "SIGHUP: relayed to 2 services as control 'h'"
check "hello: reload by control/h"
check "ticker: got SIGHUP, reloading"
check "ticker: got SIGTERM, bye"
check "== klein-init exited with status 0"
[ "$(printf '%s\n' "$out" | grep -c '^run: ')" = 2 ] || { echo "FAIL: not 2 services up"; fail=1; }
if [ "$marker_before" = no ] && [ -e /run/klein/stopping ]; then
	echo "FAIL: the demo left /run/klein/stopping on the host"
	fail=1
fi
exit "$fail"
