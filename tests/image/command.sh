#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The Klein image itself: its layout, command mode (`docker run klein CMD`)
# with exit codes and signals, --init and --read-only, and the service-mode
# stop of an empty image.
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
img=$KLEIN_IMAGE

# --- layout --------------------------------------------------------------
docker run --rm --entrypoint /bin/sh "$img" -c '
	set -e
	test -x /usr/sbin/klein-init && test /sbin/klein-init -ef /usr/sbin/klein-init
	test -x /usr/sbin/klein-svc && test -x /usr/bin/klein-porter
	klein-porter --version >/dev/null
	for p in runsvdir runsv sv chpst svlogd; do command -v $p >/dev/null; done
	test -d /etc/service && ! test -L /etc/service && test -d /etc/sv && test -d /etc/init
' || fail "the image lacks a program or directory Klein needs"
ok "layout: klein-init, klein-svc, klein-porter, runit, /etc/{init,service,sv}"
# runit-helper (which would enable packaged runit scripts) is diverted to a
# no-op wherever the base's dpkg has it (/lib in Debian 12, /usr/lib in 13).
docker run --rm --entrypoint /bin/sh "$img" -c '
	set -e
	rh=$(dpkg-query -L runit-helper | grep "/runit-helper/runit-helper$")
	dpkg-divert --list "$rh" | grep -q "diversion of $rh to $rh.distrib"
	grep -q "^exit 0" "$rh"
	test -x /usr/sbin/policy-rc.d
' || fail "runit-helper is not diverted to a no-op (or policy-rc.d is missing)"
ok "runit-helper diverted at dpkg's path; policy-rc.d"
[ "$(docker inspect -f '{{json .Config.Entrypoint}}' "$img")" = '["/usr/sbin/klein-init"]' ] ||
	fail "ENTRYPOINT is not klein-init"
docker inspect -f '{{json .Config.Healthcheck.Test}}' "$img" | grep '"klein-svc","health"' >/dev/null ||
	fail "HEALTHCHECK is not klein-svc health"
ok "ENTRYPOINT klein-init, HEALTHCHECK klein-svc health"

# --- command mode --------------------------------------------------------
expect_rc() { # WANT DESCRIPTION docker-run-args...
	local want=$1 what=$2 rc=0
	shift 2
	docker run --rm "$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want"
	ok "$what: exit $want"
}
expect_rc 3 "docker run klein sh -c 'exit 3'" "$img" sh -c 'exit 3'
expect_rc 0 "docker run klein true" "$img" true
expect_rc 137 "a command killed by SIGKILL" "$img" sh -c 'kill -KILL $$'
expect_rc 5 "docker run --init klein sh -c 'exit 5'" --init "$img" sh -c 'exit 5'
expect_rc 4 "docker run --read-only --tmpfs /run klein sh -c 'exit 4'" --read-only --tmpfs /run "$img" sh -c 'exit 4'
expect_rc 127 "a command that does not exist" "$img" /no/such/program
out=$(docker run --rm "$img" echo "hello  there" 2>/dev/null)
[ "$out" = "hello  there" ] || fail "command mode changed the arguments: '$out'"
comm=$(docker run --rm "$img" cat /proc/1/comm 2>/dev/null)
[ "$comm" = klein-init ] || fail "PID 1 in command mode is '$comm', not klein-init"
ok "command mode: arguments intact, klein-init is PID 1"

# /etc/init/00-klein-tmpfiles applies tmpfiles.d before anything runs, as
# systemd-tmpfiles-setup does at boot (packages' /run directories).
d=$(mktemp -d)
cleanup_path "$d"
printf 'd /run/klein-probe 0750 nobody nogroup -\n' >"$d/probe.conf"
out=$(docker run --rm -v "$d/probe.conf:/etc/tmpfiles.d/probe.conf:ro" "$img" stat -c '%a %U' /run/klein-probe 2>/dev/null) ||
	fail "tmpfiles.d entries are not applied at start"
[ "$out" = "750 nobody" ] || fail "tmpfiles.d directory has mode/owner '$out', expected '750 nobody'"
ok "tmpfiles.d entries applied at start (00-klein-tmpfiles)"

# docker kill -s HUP reaches the command.
new_name hup
c=$NAME
docker run -d --name "$c" "$img" sh -c 'trap "echo got-HUP; exit 7" HUP; echo ready; while :; do sleep 0.1; done' >/dev/null
wait_until 10 "the command to start" sh -c "docker logs '$c' 2>&1 | grep -q ready"
docker kill -s HUP "$c" >/dev/null
rc=$(timeout 10 docker wait "$c") || fail "the command did not exit after HUP"
[ "$rc" = 7 ] || fail "after docker kill -s HUP the command exited $rc, expected its HUP trap's 7"
docker logs "$c" 2>&1 | grep got-HUP >/dev/null || fail "the command's HUP trap did not run"
ok "docker kill -s HUP reaches the command"

# docker stop in command mode: the command gets TERM.
new_name term
c=$NAME
docker run -d --name "$c" "$img" sh -c 'trap "exit 0" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
wait_until 10 "the command to start" sh -c "docker logs '$c' 2>&1 | grep -q ready"
stop_timed "$c"
{ [ "$STOP_RC" -eq 0 ] && [ "$STOP_SECS" -lt 50 ]; } || fail "docker stop of a command: exit $STOP_RC"
ok "docker stop: the command got TERM and its exit code 0 came back"

# --- service mode, nothing enabled ---------------------------------------
new_name idle
c=$NAME
docker run -d --name "$c" "$img" >/dev/null
has_runsvdir() { [ -n "$(c_pids "$c" runsvdir)" ]; }
wait_until 10 "runsvdir to run" has_runsvdir
in_c "$c" klein-svc health || fail "klein-svc health fails with no services"
stop_timed "$c" -t 3
{ [ "$STOP_RC" -eq 0 ] && [ "$STOP_SECS" -lt 30 ]; } || fail "an idle Klein container did not stop cleanly (exit $STOP_RC)"
ok "service mode with no services: healthy, stops with exit 0"
