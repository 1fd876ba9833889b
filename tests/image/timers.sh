#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# Timer units end to end (issue 11): the image in tests/image/timers/ is
# converted by `klein-porter convert --enabled` alone. Debian's
# logrotate.timer (a drop-in makes it fire 5 s after start) runs logrotate,
# which rotates nginx's access.log; a certbot.timer-shaped unit runs its
# oneshot job every 5 s. The drop-in comes in a layer after a first
# conversion: the second one must replace logrotate's directory across
# overlayfs layers. Checked from outside with docker exec.
# shellcheck disable=SC2016 # the single-quoted scripts run in the container
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
img=$KLEIN_TIMERS_IMAGE
log "building $img FROM $KLEIN_IMAGE"
docker build -q --network=host --build-arg KLEIN="$KLEIN_IMAGE" \
	-t "$img" "$(dirname "$0")/timers" >/dev/null
new_name timers
c=$NAME
docker run -d --name "$c" "$img" >/dev/null

# --- the timers are runit services ---------------------------------------
# A loaded machine can take many seconds in /etc/init before runsvdir starts.
for t in logrotate.timer certjob.timer; do
	wait_until 90 "sv status $t to say run" sh -c "docker exec $c sv status /etc/service/$t | grep -q '^run:'"
done
ok "logrotate.timer and certjob.timer run as runit services"

# --- logrotate.timer ------------------------------------------------------
logs() { docker logs "$c" 2>&1; }
wait_until 60 "logrotate.timer to start logrotate and see it finish" \
	sh -c "docker logs $c 2>&1 | grep -q \"'/etc/service/logrotate' finished: \""
res=$(logs | grep "'/etc/service/logrotate' finished: ")
grep -q 'finished: success exited 0$' <<<"$res" || fail "logrotate did not succeed: $res"
ok "logrotate.timer fired and logrotate exited 0"
# The image seeded access.log with one line; logrotate moved it aside and
# nginx's `create` made a new, empty access.log.
in_c "$c" grep -q klein-seed /var/log/nginx/access.log.1 || fail "access.log.1 lacks the seeded line"
if in_c "$c" grep -q klein-seed /var/log/nginx/access.log; then fail "access.log was not rotated"; fi
ok "nginx's access.log was rotated to access.log.1"

# After a request nginx must write to the new access.log: Debian's postrotate
# reopens the logs with `invoke-rc.d nginx rotate`, which the image's
# policy-rc.d allows at run time and which reaches nginx through runit.
request() { # $1: path
	in_c "$c" bash -c "exec 3<>/dev/tcp/127.0.0.1/80 && printf 'GET $1 HTTP/1.0\r\n\r\n' >&3 && cat <&3" >/dev/null
}
# nginx reopens asynchronously (the master tells its workers): ask until a
# request lands in the new file.
request_logged() {
	request /klein-after-rotate && in_c "$c" grep -q klein-after-rotate /var/log/nginx/access.log
}
wait_until 15 "nginx to write to the new access.log (postrotate's invoke-rc.d nginx rotate)" request_logged
ok "logrotate's postrotate (invoke-rc.d nginx rotate) made nginx reopen its logs"

# --- certbot.timer-shaped: OnCalendar=*:*:0/5 ----------------------------
runs() { in_c "$c" sh -c 'cat /var/lib/certjob-runs 2>/dev/null | wc -l'; }
wait_until 40 "the certjob to run twice" sh -c "[ \$(docker exec $c sh -c 'wc -l </var/lib/certjob-runs' 2>/dev/null || echo 0) -ge 2 ]"
n=$(runs)
# Whole output first: grep -q would end the pipe early, and pipefail fail it.
grep -q "'/etc/service/certjob' finished: success exited 0" <<<"$(logs)" || fail "no successful certjob run in the log"
# Runs 5 s apart (plus RandomizedDelaySec=1), never two at once.
gaps=$(in_c "$c" awk 'NR > 1 && $1 - p < 4 { print p " " $1 } { p = $1 }' /var/lib/certjob-runs)
[ -z "$gaps" ] || fail "certjob ran closer than its period: $gaps"
# The job is not a daemon: runsvdir does not keep it up between elapses.
wait_until 6 "certjob to be down between runs" sh -c "docker exec $c sv status /etc/service/certjob | grep -q '^down:'"
ok "certjob ran $n times from its timer, 5 s apart, and is down between runs"
