#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# Issue 10 end to end: Debian packages whose services come through socket
# units, generators and targets, converted by `klein-porter convert --enabled`
# alone in the image build (tests/image/sockets/), checked from outside:
# ssh through an Accept=yes ssh.socket, dbus (dbus.socket), RabbitMQ (epmd.socket),
# gunicorn behind nginx (gunicorn.socket, a unix socket), PostgreSQL (generator),
# Postfix (generator) and knot-resolver (kresd.target).
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
img=${KLEIN_SOCKETS_IMAGE:-klein-test-sockets:latest}
key=$(test_key)
log "building $img FROM $KLEIN_IMAGE (the package layer is slow the first time)"
docker build -q --network=host --build-arg KLEIN="$KLEIN_IMAGE" \
	--build-arg SSH_AUTHORIZED_KEY="$(cat "$key.pub")" \
	-t "$img" "$(dirname "$0")/sockets" >/dev/null || fail "docker build $img failed"

# The conversion found everything without a unit named by hand.
# The cluster is the packaged major version's (15 on Debian 12, 17 on 13).
# Debian 12's postfix.service is a stub and a generator makes the real
# instance, postfix@-; Debian 13's postfix.service runs the instance itself.
out=$(docker run --rm --entrypoint /bin/sh "$img" -c '
	postfix=postfix
	if [ -e /lib/systemd/system-generators/postfix-instance-generator ]; then postfix=postfix@-; fi
	for s in ssh.socket dbus.socket dbus epmd.socket epmd rabbitmq-server gunicorn.socket \
		gunicorn nginx "postgresql@$(ls /etc/postgresql)-main" "$postfix" kresd@1; do
		test -x /etc/sv/$s/run && test -e /etc/service/$s || echo "missing $s"
	done
	test -e /etc/service/ssh && echo "ssh.service is enabled"
	grep -q -- "--sockets .*/gunicorn.socket" /etc/sv/gunicorn/run || echo "gunicorn: no --sockets"')
[ -z "$out" ] || fail "conversion: $(tr '\n' ';' <<<"$out")"
ok "--enabled converted the sockets, their services, the generators' and kresd.target's units"

new_name sockets
c=$NAME
docker run -d --name "$c" -p 127.0.0.1::22 "$img" >/dev/null

port=$(host_port "$c" 22)
mapfile -t so < <(ssh_opts "$port" "$key")
wait_until 60 "an ssh login through ssh.socket (Accept=yes)" ssh "${so[@]}" root@127.0.0.1 true
got=$(ssh "${so[@]}" root@127.0.0.1 'echo "ssh-$((6 * 7))"')
[ "$got" = ssh-42 ] || fail "ssh ran no command (got '$got')"
[ -z "$(c_pids "$c" '/usr/sbin/sshd -D')" ] || fail "a standing sshd -D runs (ssh.service)"
ok "ssh: a key login through the Accept=yes socket (sshd -i per connection)"

dbus_ok() { in_c "$c" dbus-send --system --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.GetId; }
wait_until 60 "dbus-send --system to answer" dbus_ok
ok "dbus: the system bus (dbus.socket, --address=systemd:) answers"

http_ok() { in_c "$c" python3 -c 'import urllib.request,sys
b = urllib.request.urlopen("http://127.0.0.1/", timeout=5).read()
sys.exit(0 if b.startswith(b"klein gunicorn app") else 1)'; }
wait_until 60 "nginx -> gunicorn.socket -> gunicorn to answer HTTP" http_ok
ok "gunicorn behind nginx through gunicorn.socket (unix socket, Accept=no)"

wait_until 60 "psql to answer" in_c "$c" runuser -u postgres -- psql -Atc 'select 1'
ok "postgresql: the generator's cluster answers"

smtp_ok() { in_c "$c" python3 -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", 25), 5)
sys.exit(0 if s.recv(100).startswith(b"220 ") else 1)'; }
wait_until 60 "postfix to greet on port 25" smtp_ok
ok "postfix: SMTP on port 25 (postfix@- from the generator on Debian 12, postfix on 13)"

dns_ok() { in_c "$c" python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(bytes.fromhex("4b4c01000001000000000000") + b"\x09localhost\x00\x00\x01\x00\x01",
         ("127.0.0.1", 53))
sys.exit(0 if s.recv(512)[:2] == b"KL" else 1)'; }
wait_until 60 "kresd to answer a DNS query" dns_ok
ok "knot-resolver: kresd@1 (from kresd.target) answers DNS"

wait_until 120 "rabbitmq-diagnostics ping" in_c "$c" rabbitmq-diagnostics -q ping
ok "rabbitmq: ping answers (epmd through epmd.socket)"
