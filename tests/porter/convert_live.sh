#!/bin/sh
# Converted services run for real under runsv (no namespace needed): the start
# limit, ExecStartPost= gating readiness and failing the start, User=/Group=
# through klein-svc --chpst-user (initgroups' list, numeric users),
# EnvironmentFile= globs, RuntimeDirectory=SRC:DST (symlink, $RUNTIME_DIRECTORY,
# removal). Needs root (chpst -u) and runit; skips (77) otherwise.
#   convert_live.sh PORTER KLEIN_SVC
set -u
porter=$1 svc=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in runsv sv chpst setpriv; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
if ! getent passwd nobody >/dev/null || ! getent group daemon >/dev/null; then
	echo "SKIP: no nobody user or daemon group"; exit 77
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/klein-live.XXXXXX")
chmod 755 "$root"
# RuntimeDirectory= lives in the real /run: names unique to this run.
l2=klein-live-l2-${root##*.}
pids=
cleanup() {
	for d in "$root"/sv/*/; do [ ! -p "$d/supervise/control" ] || sv exit "$d" >/dev/null 2>&1; done
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.5
	rm -rf "$root" "/run/$l2" "/run/$l2-link"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
out=$root/out
mkdir -p "$out" "$root/etc/systemd/system" "$root/etc/klein" "$root/env"
chmod 1777 "$out"
printf 'log = "inherit"\n' >"$root/etc/klein/porter.conf"
unit() { cat >"$root/etc/systemd/system/$1.service"; }

unit limit <<EOF
[Service]
ExecStart=/bin/sh -c 'echo x >>$out/limit; exit 1'
Restart=always
RestartSec=0
EOF
unit burst <<EOF
[Unit]
StartLimitBurst=2
StartLimitIntervalSec=1min
[Service]
ExecStart=/bin/sh -c 'echo x >>$out/burst; exit 1'
Restart=on-failure
RestartSec=0
EOF
unit nolimit <<EOF
[Unit]
StartLimitIntervalSec=0
[Service]
ExecStart=/bin/sh -c 'echo x >>$out/nolimit; exit 1'
Restart=always
RestartSec=0
EOF
unit group <<EOF
[Service]
Type=oneshot
User=nobody
Group=daemon
ExecStart=/bin/sh -c 'id -u >$out/group; id -g >>$out/group; id -G >>$out/group'
EOF
unit numeric <<EOF
[Service]
Type=oneshot
User=$(id -u nobody)
SupplementaryGroups=daemon
ExecStart=/bin/sh -c 'id -u >$out/numeric; id -G >>$out/numeric; echo \$USER >>$out/numeric'
EOF
unit post <<EOF
[Service]
ExecStartPre=/bin/sh -c 'echo "\$SYSTEMD_EXEC_PID \$\$\$\$" >$out/execpid'
ExecStart=/bin/sleep 60
ExecStartPost=/bin/sleep 3
ExecStartPost=/bin/sh -c 'echo \$MAINPID >$out/post'
EOF
# Each start dies before its ExecStartPost= is done: a previous start's job must
# never mark a later start ready (nor stop it).
unit stale <<EOF
[Unit]
StartLimitIntervalSec=0
[Service]
ExecStart=/bin/sh -c 'sleep 1; exit 1'
ExecStartPost=/bin/sleep 1.5
Restart=always
RestartSec=0
EOF
unit postfail <<EOF
[Service]
ExecStart=/bin/sleep 60
ExecStartPost=/bin/false
ExecStopPost=/bin/sh -c 'echo \$SERVICE_RESULT >$out/postfail'
EOF
if command -v systemd-notify >/dev/null; then
	unit notifypost <<EOF
[Service]
Type=notify
ExecStart=/bin/sh -c 'sleep 1; systemd-notify --ready; exec sleep 60'
ExecStartPost=/bin/sleep 2
EOF
fi
printf 'A=1\nB=1\n' >"$root/env/a.env"
printf 'B=2\n' >"$root/env/b.env"
unit envglob <<EOF
[Service]
Type=oneshot
EnvironmentFile=$root/env/*.env
ExecStart=/bin/sh -c 'echo "\$A \$B" >$out/envglob'
EOF
# L2: RuntimeDirectory=SRC:DST makes /run/SRC (owned by User=) and the symlink
# /run/DST -> SRC; $RUNTIME_DIRECTORY lists SRC only; both go when it stops.
cat >"$root/env/l2.sh" <<EOF
echo "\$RUNTIME_DIRECTORY \$(readlink /run/$l2-link) \$(stat -c %U /run/$l2-link/)" >$out/l2
EOF
unit dirlink <<EOF
[Service]
Type=oneshot
User=nobody
RuntimeDirectory=$l2:$l2-link
ExecStart=/bin/sh $root/env/l2.sh
EOF

names=
for f in "$root"/etc/systemd/system/*.service; do
	f=${f##*/}; names="$names ${f%.service}"
done
# shellcheck disable=SC2046,SC2086
"$porter" convert --root "$root" --sv-dir /sv --no-enable $(printf '%s.service ' $names) 2>"$root/convert.err" ||
	{ fail "convert"; cat "$root/convert.err"; exit 1; }
if grep -i "glob pattern" "$root/convert.err"; then fail "EnvironmentFile= glob warned about"; fi

PATH=$(dirname "$svc"):$PATH
export PATH
for n in $names; do
	d=$root/sv/$n
	rm -f "$d/supervise" && mkdir "$d/supervise"
	runsv "$d" >"$root/$n.log" 2>&1 &
	pids="$pids $!"
done

# stale_poll N: watches the stale service's check for N tenths of a second.
stale_ready=0
stale_poll() {
	j=0
	while [ "$j" -lt "$1" ]; do
		if (cd "$root/sv/stale" && sh ./check 2>/dev/null); then stale_ready=1; fi
		sleep 0.1; j=$((j + 1))
	done
}

# Readiness gated by ExecStartPost= (sleep 3): not ready at ~1.5 s.
stale_poll 15
(cd "$root/sv/post" && sh ./check) && fail "post: ready before ExecStartPost= finished"
[ ! -e "$out/post" ] || fail "post: second ExecStartPost= ran before the first finished"
stale_poll 35
(cd "$root/sv/post" && sh ./check) || fail "post: not ready after ExecStartPost= finished"
[ "$stale_ready" = 0 ] || fail "stale: an old start's ExecStartPost= job marked a later start ready"
pid=$(cat "$root/sv/post/supervise/pid" 2>/dev/null)
[ "$(cat "$out/post" 2>/dev/null)" = "$pid" ] || fail "post: MAINPID '$(cat "$out/post" 2>/dev/null)' is not the main pid '$pid'"
if [ -e "$root/sv/notifypost" ]; then
	(cd "$root/sv/notifypost" && sh ./check) || fail "notifypost: not ready after READY=1 and ExecStartPost="
fi

# SYSTEMD_EXEC_PID of an ExecStartPre= line is that process's own pid.
a='' b=''
read -r a b <"$out/execpid"
if [ -z "$a" ] || [ "$a" != "$b" ]; then
	fail "execpid: SYSTEMD_EXEC_PID '$(cat "$out/execpid")' is not the pid"
fi

# ExecStartPost= failure: the service is stopped as failed (ExecStopPost sees exit-code).
sv status "$root/sv/postfail" | grep -q '^down:' || fail "postfail: still up: $(sv status "$root/sv/postfail")"
[ "$(cat "$out/postfail" 2>/dev/null)" = exit-code ] ||
	fail "postfail: SERVICE_RESULT '$(cat "$out/postfail" 2>/dev/null)', wanted exit-code"

# Identity: initgroups(nobody, daemon) has no nogroup; a numeric User= works.
want=$(printf '%s\n%s\n%s' "$(id -u nobody)" "$(getent group daemon | cut -d: -f3)" "$(getent group daemon | cut -d: -f3)")
[ "$(cat "$out/group" 2>/dev/null)" = "$want" ] ||
	fail "group: got '$(cat "$out/group" 2>/dev/null)', wanted '$want'"
want=$(printf '%s\n%s %s\nnobody' "$(id -u nobody)" "$(id -g nobody)" "$(getent group daemon | cut -d: -f3)")
[ "$(cat "$out/numeric" 2>/dev/null)" = "$want" ] ||
	fail "numeric: got '$(cat "$out/numeric" 2>/dev/null)', wanted '$want'"
[ "$(cat "$out/envglob" 2>/dev/null)" = "1 2" ] ||
	fail "envglob: got '$(cat "$out/envglob" 2>/dev/null)', wanted '1 2'"

# L2 (oneshot: finish has run once it is down).
i=0
while [ "$i" -lt 40 ] && ! sv status "$root/sv/dirlink" | grep -q '^down:'; do sleep 0.25; i=$((i + 1)); done
[ "$(cat "$out/l2" 2>/dev/null)" = "/run/$l2 $l2 nobody" ] ||
	fail "dirlink: got '$(cat "$out/l2" 2>/dev/null)', wanted '/run/$l2 $l2 nobody'"
sleep 0.5
{ [ ! -e "/run/$l2" ] && [ ! -L "/run/$l2-link" ]; } ||
	fail "dirlink: /run/$l2 or its link not removed when the service stopped"

# Start limit: runsv restarts at most once a second, so 5 starts take ~4 s
# (waits up to 20 s for both limited services to go down, then 1 s more).
i=0
while [ "$i" -lt 40 ]; do
	sv status "$root/sv/limit" | grep -q '^down:' && sv status "$root/sv/burst" | grep -q '^down:' && break
	sleep 0.5; i=$((i + 1))
done
# nolimit keeps restarting meanwhile: wait until it passed 5 starts by 2 (or 20 s).
i=0
while [ "$i" -lt 40 ] && [ "$(wc -l <"$out/nolimit")" -lt 7 ]; do sleep 0.5; i=$((i + 1)); done
n=$(wc -l <"$out/limit")
[ "$n" = 5 ] || fail "limit: $n starts, wanted 5 (StartLimitBurst=5 in 10 s)"
sv status "$root/sv/limit" | grep -q '^down:.*normally up' || fail "limit: $(sv status "$root/sv/limit")"
n=$(wc -l <"$out/burst")
[ "$n" = 2 ] || fail "burst: $n starts, wanted 2 (StartLimitBurst=2)"
n=$(wc -l <"$out/nolimit")
[ "$n" -ge 7 ] || fail "nolimit: $n starts, wanted >= 7 (StartLimitIntervalSec=0 disables the limit)"

# Issue 14 item 9 (health_failed): how each run ended, in supervise/klein.result.
# A daemon that exited with an error and is not restarted is failed
# (unhealthy); a finished oneshot and a service stopped on purpose are not.
# Started only now, so the timings above are not disturbed.
unit failed <<EOF
[Service]
ExecStart=/bin/sh -c 'exit 3'
EOF
unit done <<EOF
[Service]
Type=oneshot
ExecStart=/bin/true
EOF
unit stopped <<EOF
[Service]
ExecStart=/bin/sleep 60
EOF
# Issue 14 item 10 (condition_capability): without CAP_SYS_TIME in the bounding
# set (Docker's default), chrony's condition skips the service: down, success.
unit capskip <<EOF
[Unit]
ConditionCapability=CAP_SYS_TIME
[Service]
ExecStart=/bin/sh -c 'echo ran >$out/capskip; exec sleep 60'
Restart=always
EOF
unit capkeep <<EOF
[Unit]
ConditionCapability=CAP_CHOWN
[Service]
ExecStart=/bin/sh -c 'echo ran >$out/capkeep; exec sleep 60'
EOF
"$porter" convert --root "$root" --sv-dir /sv --no-enable failed.service done.service stopped.service \
	capskip.service capkeep.service 2>>"$root/convert.err" || fail "health_failed: convert"
for n in failed done stopped capskip capkeep; do
	names="$names $n"
	rm -f "$root/sv/$n/supervise" && mkdir "$root/sv/$n/supervise"
	case $n in
	cap*) setpriv --bounding-set -sys_time runsv "$root/sv/$n" >"$root/$n.log" 2>&1 & ;;
	*) runsv "$root/sv/$n" >"$root/$n.log" 2>&1 & ;;
	esac
	pids="$pids $!"
done
i=0
while [ "$i" -lt 40 ] && ! sv status "$root/sv/stopped" 2>/dev/null | grep -q '^run:'; do sleep 0.25; i=$((i + 1)); done
sv down "$root/sv/stopped" >/dev/null
i=0
while [ "$i" -lt 40 ]; do
	[ -e "$root/sv/failed/supervise/klein.result" ] && [ -e "$root/sv/done/supervise/klein.result" ] &&
		[ -e "$root/sv/stopped/supervise/klein.result" ] && break
	sleep 0.25; i=$((i + 1))
done
result() { tr '\n' ' ' <"$root/sv/$1/supervise/klein.result" 2>/dev/null; }
[ "$(result failed)" = "RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=3 NRESTARTS=0 " ] ||
	fail "health_failed: failed: klein.result '$(result failed)'"
[ "$(result done)" = "RESULT=success EXIT_CODE=exited EXIT_STATUS=0 NRESTARTS=0 " ] ||
	fail "health_failed: done: klein.result '$(result done)'"
[ "$(result stopped)" = "RESULT=success EXIT_CODE=killed EXIT_STATUS=TERM NRESTARTS=0 " ] ||
	fail "health_failed: stopped: klein.result '$(result stopped)'"
case $(result limit) in RESULT=start-limit-hit*) ;; *) fail "health_failed: limit: klein.result '$(result limit)'" ;; esac
mkdir -p "$root/health"
for n in failed done stopped; do ln -s "$root/sv/$n" "$root/health/$n"; done
# (finish records the result just before it tells runsv to stay down: poll.)
i=0
while [ "$i" -lt 40 ]; do
	h=$("$svc" health "$root/health")
	[ "$h" = "failed: failed (exit-code, exited 3)" ] && break
	sleep 0.25; i=$((i + 1))
done
[ "$h" = "failed: failed (exit-code, exited 3)" ] || fail "health_failed: health said '$h'"

i=0
while [ "$i" -lt 40 ] && { [ ! -e "$out/capkeep" ] || [ ! -e "$root/sv/capskip/supervise/klein.result" ]; }; do
	sleep 0.25; i=$((i + 1))
done
[ ! -e "$out/capskip" ] || fail "condition_capability: capskip ran without CAP_SYS_TIME"
[ -e "$out/capkeep" ] || fail "condition_capability: capkeep (CAP_CHOWN) did not run"
grep -q 'ConditionCapability=CAP_SYS_TIME failed, not starting' "$root/capskip.log" ||
	fail "condition_capability: no skip message: $(cat "$root/capskip.log")"
case $(result capskip) in RESULT=success*) ;; *) fail "condition_capability: capskip: klein.result '$(result capskip)'" ;; esac
sleep 1.5 # Restart=always must not bring it back
sv status "$root/sv/capskip" | grep -q '^down:' || fail "condition_capability: capskip: $(sv status "$root/sv/capskip")"
[ ! -e "$out/capskip" ] || fail "condition_capability: capskip ran after a restart"

if [ "$fails" != 0 ]; then
	for n in $names; do sed "s/^/$n: /" "$root/$n.log"; done
fi
echo "convert_live: $fails failure(s)"
[ "$fails" = 0 ]
