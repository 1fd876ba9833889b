#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# A container whose startup script fails exits non-zero, the log names the
# script, and scripts after it do not run.
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
d=$(mktemp -d)
cleanup_path "$d"
printf '#!/bin/sh\necho first-script-ran\n' >"$d/10-first"
printf '#!/bin/sh\necho broken-script-ran\nexit 4\n' >"$d/20-broken"
printf '#!/bin/sh\necho later-script-ran\n' >"$d/30-later"
chmod 755 "$d"/*
new_name fail
c=$NAME
docker run -d --name "$c" -v "$d:/etc/init:ro" "$KLEIN_IMAGE" >/dev/null
rc=$(timeout 30 docker wait "$c") || fail "the container did not exit after its startup script failed"
logs=$(docker logs "$c" 2>&1)
[ "$rc" -ne 0 ] || fail "a failed startup script gave exit 0"
grep -q first-script-ran <<<"$logs" || fail "10-first did not run"
grep -q broken-script-ran <<<"$logs" || fail "20-broken did not run"
grep -v broken-script-ran <<<"$logs" | grep '20-broken' >/dev/null || fail "the log does not name 20-broken: $logs"
if grep -q later-script-ran <<<"$logs"; then fail "30-later ran after 20-broken failed"; fi
ok "a failing /etc/init script: exit $rc, named in the log, later scripts skipped"
