#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# systemctl, service, invoke-rc.d and journalctl inside a running Klein
# container (docs/systemctl.md): restart, reload, a logrotate-style
# invoke-rc.d action, the logs, a package reinstall restarting its service,
# and no /run/systemd/system. The build-time half is checked by the RUN lines
# of ctl/Dockerfile.
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
img=${KLEIN_CTL_IMAGE:-klein-test-ctl:latest}
docker build -q --network=host --build-arg KLEIN="$KLEIN_IMAGE" -t "$img" \
	"$(dirname "$0")/ctl" >/dev/null || fail "docker build of the test image failed"
ok "build: nothing started, systemctl enable + convert --enabled, real systemd diverted"
new_name ctl
docker run -d --name "$NAME" "$img" >/dev/null
x() { docker exec "$NAME" "$@"; }
mainpid() { x systemctl show -p MainPID --value nginx; }
wait_until 30 "nginx active" x systemctl is-active -q nginx
wait_until 30 "hello active" x systemctl is-active -q hello

p1=$(mainpid)
x systemctl restart nginx || fail "systemctl restart nginx"
p2=$(mainpid)
if [ "$p2" = "$p1" ] || [ "$p2" = 0 ]; then fail "restart kept MainPID $p1 ($p2)"; fi
[ "$(x systemctl is-active nginx)" = active ] || fail "nginx not active after restart"
ok "systemctl restart nginx: MainPID $p1 -> $p2"

x service nginx reload || fail "service nginx reload"
[ "$(mainpid)" = "$p2" ] || fail "reload replaced the master"
ok "service nginx reload (master kept)"

x mv /var/log/nginx/error.log /var/log/nginx/error.log.1
out=$(x invoke-rc.d nginx rotate 2>&1) || fail "invoke-rc.d nginx rotate: $out"
# USR1 makes nginx reopen its logs: error.log is created again.
wait_until 10 "nginx reopened error.log after rotate" x test -e /var/log/nginx/error.log
if [ "$(x systemctl is-active nginx)" != active ] || [ "$(mainpid)" != "$p2" ]; then
	fail "nginx not the same after rotate"
fi
ok "invoke-rc.d nginx rotate"

out=$(x journalctl -u hello -n 5 -o cat)
[ "$(printf '%s\n' "$out" | grep -c '^hello [0-9]*$')" = 5 ] || fail "journalctl -u hello -n 5: $out"
ok "journalctl -u hello -n 5 (svlogd)"
# nginx logs with the default log/run (klein-svc log): its stderr reaches the
# bounded log and, prefixed, docker logs.
warn='\[warn\] .*conflicting server name "_" on 0\.0\.0\.0:80, ignored$'
out=$(x journalctl -u nginx -n 5)
printf '%s\n' "$out" | grep -Eq "^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} \S+ nginx: .*$warn" ||
	fail "journalctl -u nginx -n 5: $out"
[ "$(printf '%s\n' "$out" | wc -l)" -le 5 ] || fail "journalctl -n 5 printed more: $out"
# (grep -q would end the pipe early: whole outputs first, under pipefail)
logs=$(docker logs "$NAME" 2>&1)
grep -Eq "^nginx: .*$warn" <<<"$logs" || fail "docker logs lost nginx's prefixed line"
out=$(x systemctl status nginx)
grep -Eq "nginx: .*$warn" <<<"$out" || fail "status nginx shows no log lines: $out"
ok "journalctl -u nginx -n 5, status and docker logs show nginx's output"

out=$(x systemctl list-units --type=timer --no-legend)
printf '%s\n' "$out" | grep -Eq '^  apt-daily\.timer +loaded active waiting ' ||
	fail "list-units --type=timer: $out"
ok "list-units --type=timer"

out=$(x deb-systemd-invoke restart nginx.service 2>&1) || fail "deb-systemd-invoke: $out"
p3=$(mainpid)
if [ "$p3" = "$p2" ] || [ "$(x systemctl is-active nginx)" != active ]; then
	fail "deb-systemd-invoke restart did not restart nginx ($p2 -> $p3)"
fi
ok "deb-systemd-invoke restart nginx.service ($p2 -> $p3)"

# nginx's postinst: invoke-rc.d nginx upgrade (a new master from the new binary).
out=$(x sh -c 'apt-get install -y -qq --reinstall /root/nginx_*.deb' 2>&1) ||
	fail "apt-get install --reinstall: $out"
wait_until 20 "a new nginx master after the reinstall" \
	sh -c "[ \"\$(docker exec $NAME systemctl show -p MainPID --value nginx)\" != $p3 ]"
[ "$(x systemctl is-active nginx)" = active ] || fail "nginx not active after the reinstall"
ok "apt-get install --reinstall nginx restarted it ($p3 -> $(mainpid))"

# nginx-common's postinst restarts nginx only through its systemd snippet
# (`if [ -d /run/systemd/system ]`); Klein's deb-systemd-helper runs that
# snippet's deb-systemd-invoke restart instead.
p4=$(mainpid)
out=$(x sh -c 'apt-get install -y -qq --reinstall /root/nginx-common_*.deb' 2>&1) ||
	fail "apt-get install --reinstall nginx-common: $out"
p5=$(mainpid)
if [ "$p5" = "$p4" ] || [ "$(x systemctl is-active nginx)" != active ]; then
	fail "reinstalling nginx-common did not restart nginx ($p4 -> $p5)"
fi
ok "apt-get install --reinstall nginx-common restarted nginx ($p4 -> $p5)"

out=$(x systemctl status nginx)
grep -q '^     Active: active (running) since ' <<<"$out" || fail "status nginx: $out"
x test ! -e /run/systemd/system || fail "/run/systemd/system exists"
ok "status; no /run/systemd/system"
