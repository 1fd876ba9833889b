#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# Debian's daemons under Klein, converted from their packaged units, checked
# from outside the container (docker exec, and ssh on a 127.0.0.1 port).
#
# usage: services.sh MODE
#   full      every service works; health; sv hup / sv reload reach the
#             daemon; Restart= obeyed after a crash; docker stop is clean
#   readonly  --read-only with tmpfs /run and data on volumes
#   stop-t3   docker stop -t 3 ends cleanly inside 3 s
#   init      docker run --init: klein-init is not PID 1
. "$(dirname "$0")/lib.sh"
mode=${1:?usage: services.sh full|readonly|stop-t3|init}
TEST_NAME="services-$mode"
require_docker
require_image "$KLEIN_SERVICES_IMAGE"
key=$(test_key)
img=$KLEIN_SERVICES_IMAGE
new_name "$mode"
c=$NAME

run_args=(-d --name "$c" --health-interval=1s --health-start-period=60s -p 127.0.0.1::22)
case $mode in
full | stop-t3) ;;
readonly)
	# The documented read-only layout: / read-only, /run and /tmp tmpfs,
	# state on volumes (Docker seeds new volumes with the image's files).
	run_args+=(--read-only --tmpfs /run --tmpfs /tmp -v /var/lib/postgresql -v /var/lib/redis
		-v /var/log -v /var/spool/rsyslog)
	;;
init) run_args+=(--init) ;;
*) fail "unknown mode $mode" ;;
esac
docker run "${run_args[@]}" "$img" >/dev/null

# --- everything up -------------------------------------------------------
wait_until 90 "klein-svc health to pass (every enabled service up and ready)" \
	in_c "$c" klein-svc health
ok "klein-svc health: healthy"
health() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ]; }
wait_until 30 "docker to report the container healthy" health
ok "docker health status: healthy"

wait_until 20 "the @reboot cron job to run" in_c "$c" test -s /run/cron-reboot-ran
ok "cron ran a job"

marker="klein-logger-$RUN_ID"
in_c "$c" logger -t kleintest "$marker"
wait_until 10 "the logger line to land in /var/log/syslog" in_c "$c" grep -q "$marker" /var/log/syslog
ok "rsyslog: a logger line landed in /var/log/syslog"

[ "$(in_c "$c" redis-cli ping)" = PONG ] || fail "redis-cli ping did not answer PONG"
ok "redis: PONG"

stats=$(in_c "$c" bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211 && printf "stats\r\nquit\r\n" >&3 && cat <&3')
grep -q '^STAT pid ' <<<"$stats" || fail "memcached answered no stats: $stats"
ok "memcached: stats"

pg=$(in_c "$c" ls /etc/postgresql) # the cluster's major version: 15 on Debian 12, 17 on 13
q=$(in_c "$c" runuser -u postgres -- psql -Atc 'select 40 + 2')
[ "$q" = 42 ] || fail "psql answered '$q', not 42"
ok "postgresql: the packaged cluster answers queries"

port=$(host_port "$c" 22)
mapfile -t so < <(ssh_opts "$port" "$key")
out=$(ssh "${so[@]}" root@127.0.0.1 'echo "ssh-$((6 * 7))"')
[ "$out" = ssh-42 ] || fail "ssh with a key did not run the command (got '$out')"
ok "openssh: a key login on 127.0.0.1:$port ran a command"

if [ "$mode" = init ]; then
	# tini (docker-init) is PID 1; klein-init runs below it.
	pid1=$(in_c "$c" cat /proc/1/comm)
	[ "$pid1" != klein-init ] || fail "--init: klein-init is PID 1; expected docker-init"
	[ -n "$(c_pids "$c" '/usr/sbin/klein-init|klein-init')" ] || fail "--init: no klein-init process"
	ok "--init: PID 1 is $pid1, klein-init runs below it"
fi
if [ "$mode" = readonly ]; then
	if in_c "$c" touch /etc/klein-rw-probe 2>/dev/null; then fail "--read-only: / is writable"; fi
	ok "--read-only: / is read-only and every service runs"
fi

# --- signals and restarts (full) -----------------------------------------
svpid() { # the main pid runsv reports for service $1
	in_c "$c" sv status "/etc/service/$1" | sed -n 's/^run: [^(]*(pid \([0-9]*\)).*/\1/p'
}
if [ "$mode" = full ]; then
	# docker kill -s HUP in service mode: klein-init relays it as runit's
	# 'h' to the services that have a reload (control/h: ssh's ExecReload=
	# HUPs sshd); the others (redis-server, crash-never: no ExecReload=) are
	# not signalled, so nothing dies or restarts.
	hups() { in_c "$c" sh -c "grep -c 'Received SIGHUP; restarting' /var/log/auth.log || true"; }
	before=$(svpid redis-server) never=$(svpid crash-never) h0=$(hups)
	docker kill -s HUP "$c" >/dev/null
	reloaded() { [ "$(hups)" -gt "$h0" ]; }
	wait_until 10 "sshd to get the HUP through its ExecReload" reloaded
	[ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || fail "docker kill -s HUP stopped the container"
	[ "$(svpid redis-server)" = "$before" ] || fail "docker kill -s HUP restarted redis-server"
	[ "$(svpid crash-never)" = "$never" ] || fail "docker kill -s HUP killed crash-never (no ExecReload=)"
	wait_until 10 "sshd to accept logins after the HUP" ssh "${so[@]}" root@127.0.0.1 true
	ok "docker kill -s HUP (service mode): ssh reloaded through ExecReload=, the rest untouched"

	# sv hup: runsv's HUP reaches rsyslogd, which logs it.
	in_c "$c" sv hup /etc/service/rsyslog >/dev/null
	wait_until 10 "rsyslogd to log that it was HUPed" in_c "$c" grep -q 'rsyslogd was HUPed' /var/log/syslog
	ok "sv hup rsyslog: rsyslogd got the HUP"

	# sv reload: ssh's ExecReload (sshd -t; kill -HUP $MAINPID) reaches sshd.
	h0=$(hups)
	in_c "$c" sv reload /etc/service/ssh >/dev/null
	wait_until 10 "sshd to log its SIGHUP restart" reloaded
	# sshd re-executes itself on HUP: a login right then may be refused.
	wait_until 10 "sshd to accept logins after sv reload" ssh "${so[@]}" root@127.0.0.1 true
	ok "sv reload ssh: sshd got the HUP and still serves"

	# Restart=always: killed, it comes back with a new pid.
	p=$(svpid crash-always)
	[ -n "$p" ] || fail "crash-always is not running"
	in_c "$c" kill -KILL "$p"
	restarted() { local n; n=$(svpid crash-always); [ -n "$n" ] && [ "$n" != "$p" ]; }
	wait_until 15 "crash-always (Restart=always) to be restarted" restarted
	n=$(in_c "$c" sh -c 'wc -l </run/crash-always.log')
	[ "$n" -ge 2 ] || fail "crash-always ran $n times, expected a restart"
	ok "Restart=always: a killed service is restarted"

	# Restart=no: killed, it stays down.
	p=$(svpid crash-never)
	[ -n "$p" ] || fail "crash-never is not running"
	in_c "$c" kill -KILL "$p"
	sleep 4
	st=$(in_c "$c" sv status /etc/service/crash-never || true)
	case $st in down:*) ;; *) fail "crash-never (Restart=no) is not down after a crash: $st" ;; esac
	n=$(in_c "$c" sh -c 'wc -l </run/crash-never.log')
	[ "$n" -eq 1 ] || fail "crash-never (Restart=no) started $n times"
	ok "Restart=no: a killed service stays down"
fi

# --- stop ----------------------------------------------------------------
case $mode in
stop-t3)
	stop_timed "$c" -t 3
	[ "$STOP_SECS" -lt 30 ] || fail "docker stop -t 3 took longer than 3 s (Docker had to kill)"
	;;
*)
	stop_timed "$c"
	[ "$STOP_SECS" -lt 80 ] || fail "docker stop took ${STOP_SECS}00 ms; the budget is well inside Docker's 10 s"
	;;
esac
[ "$STOP_RC" -eq 0 ] || fail "the container exited $STOP_RC after docker stop, not 0"
ok "docker stop: exit 0"

# Each daemon that logs its shutdown did so: it got its stop signal and
# finished cleanly, not killed by the kernel when PID 1 went away.
grep_log() { # FILE PATTERN WHAT
	docker cp "$c:$1" - 2>/dev/null | tar -xO | grep "$2" >/dev/null || fail "$3 (no '$2' in $1)"
}
grep_log "/var/log/postgresql/postgresql-$pg-main.log" 'database system is shut down' \
	"postgresql did not shut down cleanly"
grep_log /var/log/redis/redis-server.log 'ready to exit, bye bye' "redis did not shut down cleanly"
ok "postgresql and redis logged a clean shutdown"
# klein-init's stop log: phase 1 stops the services; "stop phase 2/3" would
# mean processes outlived their service, "did not stop" a service its budget.
if docker logs "$c" 2>&1 | grep -E 'stop phase [23]|did not stop within'; then
	fail "processes were left after the services stopped (klein-init log above)"
fi
docker logs "$c" 2>&1 | grep 'stop phase 1' >/dev/null || fail "klein-init logged no stop"
ok "every service stopped in phase 1; no process was left"
