#!/bin/sh
# Black-box tests of `klein-porter convert`'s command line: exit codes,
# --enabled on a fake root, links, idempotence, hand-edit detection, --force,
# --dry-run, --no-enable, custom directories, I/O errors.
#   convert_cli.sh PORTER
set -u
porter=$1
root=$(mktemp -d "${TMPDIR:-/tmp}/klein-cli.XXXXXX")
trap 'rm -rf "$root"' EXIT
fails=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
	d=$1; shift
	if ! "$@"; then echo "FAIL: $d"; fails=$((fails + 1)); fi
}
run() { # run EXPECTED_CODE ARGS...: convert's exit code must match
	want=$1; shift
	"$porter" convert "$@" >"$root/stdout" 2>"$root/stderr"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: convert $* exited $got, wanted $want"; sed 's/^/  stderr: /' "$root/stderr"
		fails=$((fails + 1))
	fi
}

# A fake image root: units in /lib and /etc, enabled through .wants links.
sys=$root/etc/systemd/system lib=$root/lib/systemd/system
mkdir -p "$sys/multi-user.target.wants" "$sys/sockets.target.wants" "$sys/getty.target.wants" \
	"$sys/network-online.target.requires" "$lib"
printf '[Unit]\nDescription=web\n[Service]\nExecStart=/usr/sbin/web -f\n[Install]\nWantedBy=multi-user.target\n' >"$lib/web.service"
printf '[Service]\nExecStart=/sbin/agetty %%I\n' >"$lib/getty@.service"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$lib/net.service"
printf '[Socket]\nListenStream=80\n' >"$lib/web.socket"
printf '[Service]\nExecStart=/bin/sleep 1\n' >"$lib/notenabled.service"
ln -s /lib/systemd/system/web.service "$sys/multi-user.target.wants/web.service"
ln -s /lib/systemd/system/web.socket "$sys/sockets.target.wants/web.socket"
ln -s /lib/systemd/system/getty@.service "$sys/getty.target.wants/getty@tty1.service"
ln -s /lib/systemd/system/net.service "$sys/network-online.target.requires/net.service"

# Usage errors: 2.
run 2
run 2 --bogus web.service
run 2 --root "$root" --enabled web.service
run 2 --root "$root" --sv-dir relative web.service
"$porter" convert --help >"$root/help" 2>&1
check "--help exits 0" [ $? = 0 ]
check "--help documents exit codes and options" grep -q -- '--enabled' "$root/help"
check "--help documents exit 3" grep -q '^  3  I/O error' "$root/help"

# --dry-run writes nothing but lists the files.
run 0 --root "$root" --dry-run --enabled
check "--dry-run writes nothing" [ ! -e "$root/etc/sv" ]
check "--dry-run lists run" grep -q '^==> /etc/sv/web/run (0755) <==' "$root/stdout"

# --enabled: every enabled .service (template instances too), nothing else.
run 0 --root "$root" --enabled
for n in web getty@tty1 net; do
	check "$n converted" [ -x "$root/etc/sv/$n/run" ]
	check "$n enabled" [ "$(readlink "$root/etc/service/$n")" = "/etc/sv/$n" ]
	check "$n supervise in /run" [ "$(readlink "$root/etc/sv/$n/supervise")" = "/run/runit/supervise/$n" ]
	check "$n has a manifest" [ -f "$root/etc/sv/$n/.klein-porter" ]
done
# sockets.target.wants/web.socket: the socket holder, and web.service fetches its fds.
check "socket converted" [ -x "$root/etc/sv/web.socket/run" ]
check "socket enabled" [ "$(readlink "$root/etc/service/web.socket")" = "/etc/sv/web.socket" ]
check "service fetches the socket" grep -q -- "--sockets '/run/klein/sockets/web.socket'" "$root/etc/sv/web/run"
check "not-enabled unit not converted" [ ! -e "$root/etc/sv/notenabled" ]
check "only three services and the socket" [ "$(find "$root/etc/sv" -mindepth 1 -maxdepth 1 | wc -l)" = 4 ]
check "summary line names the target" grep -q '^web.service: /etc/sv/web, Type=simple' "$root/stderr"
check "instance resolved" grep -q "'/sbin/agetty' 'tty1'" "$root/etc/sv/getty@tty1/run"

# Idempotence: byte-identical and not rewritten.
ino=$(stat -c %i "$root/etc/sv/web")
sum=$(cksum <"$root/etc/sv/web/run")
run 0 --root "$root" --enabled
check "second run keeps the directory" [ "$(stat -c %i "$root/etc/sv/web")" = "$ino" ]
check "second run same bytes" [ "$(cksum <"$root/etc/sv/web/run")" = "$sum" ]

# A hand edit is detected: exit 1 naming the file, nothing changed; --force replaces.
echo '# local change' >>"$root/etc/sv/web/run"
run 1 --root "$root" web.service
check "edit named" grep -q '/etc/sv/web/run was edited or removed by hand' "$root/stderr"
check "edit kept" grep -q '# local change' "$root/etc/sv/web/run"
run 0 --root "$root" --force --enabled
check "--force restores" [ "$(cksum <"$root/etc/sv/web/run")" = "$sum" ]

# Issue 14 item 11 (summary_before_refusal): a refusal has no success-style
# summary line before it; the unit's line says refused.
echo '# local change' >>"$root/etc/sv/web/run"
run 1 --root "$root" web.service
check "summary_before_refusal: no success line" sh -c "! grep -q '^web.service: /etc/sv/web, Type=' '$root/stderr'"
check "summary_before_refusal: refused line" grep -q '^web.service: refused' "$root/stderr"
run 0 --root "$root" --force web.service
check "summary_before_refusal: success line after a write" grep -q '^web.service: /etc/sv/web, Type=simple' "$root/stderr"

# A directory klein-porter did not write is refused.
mkdir -p "$root/etc/sv/notenabled" && : >"$root/etc/sv/notenabled/run"
run 1 --root "$root" --no-enable notenabled.service
check "foreign dir named" grep -q 'not written by klein-porter' "$root/stderr"
rm -rf "$root/etc/sv/notenabled"

# --no-enable: no link; custom directories inside the root.
run 0 --root "$root" --no-enable notenabled.service
check "--no-enable: no link" [ ! -e "$root/etc/service/notenabled" ] && [ ! -L "$root/etc/service/notenabled" ]
run 0 --root "$root" --sv-dir /srv/sv --service-dir /srv/service "$lib/notenabled.service"
check "custom sv dir" [ -x "$root/srv/sv/notenabled/run" ]
check "custom link target is the in-image path" [ "$(readlink "$root/srv/service/notenabled")" = /srv/sv/notenabled ]

# A link that points elsewhere is refused without --force.
rm "$root/etc/service/web" && ln -s /elsewhere "$root/etc/service/web"
run 1 --root "$root" web.service
run 0 --root "$root" --force web.service
check "link replaced" [ "$(readlink "$root/etc/service/web")" = /etc/sv/web ]

# A unit that does not exist: refused (1); an unwritable target: I/O error (3).
run 1 --root "$root" missing.service
mkdir -p "$root/ro" && : >"$root/ro/sv"
run 3 --root "$root/ro" --sv-dir /sv/x "$lib/web.service"

# porter.conf: skip, and errors name file:line (exit 2).
mkdir -p "$root/etc/klein"
printf 'unit "web" { skip = true }\n' >"$root/etc/klein/porter.conf"
run 0 --root "$root" --dry-run web.service
check "skip reported" grep -q 'skipped (porter.conf' "$root/stderr"
printf 'log = "prefix"\n\nunit "web" {\n  restart = "never"\n}\n' >"$root/etc/klein/porter.conf"
run 2 --root "$root" web.service
check "conf error has file:line" grep -q "^$root/etc/klein/porter.conf:4: error: restart = \"never\"" "$root/stderr"

# Issue 14 item 2 (root_confinement, writing): absolute symlinks inside the
# root resolve inside it, as systemd's --root does; nothing lands on the host.
r2=$root/r2 host=$root/host
mkdir -p "$r2/etc" "$r2/$host" "$host/sv" "$host/service"
ln -s "$host/sv" "$r2/etc/sv"
ln -s "$host/service" "$r2/etc/service"
run 0 --root "$r2" "$lib/web.service"
check "root_confinement: nothing written on the host" [ -z "$(find "$host" -mindepth 2)" ]
check "root_confinement: service dir inside the root" [ -x "$r2/$host/sv/web/run" ]
check "root_confinement: link inside the root" [ "$(readlink "$r2/$host/service/web")" = /etc/sv/web ]
ln -s ../../../../.. "$r2/$host/up"
run 0 --root "$r2" --sv-dir "$host/up/$host/up/srv" --no-enable "$lib/web.service"
check "root_confinement: .. stops at the root" [ -x "$r2/srv/web/run" ]
check "root_confinement: still nothing on the host" [ -z "$(find "$host" -mindepth 2)" ]

# Issue 14 item 2 (root_confinement, reading): unit lookup, drop-ins, --enabled
# and porter.conf resolve every component inside the root too.
r4=$root/r4 hu=$root/hostunits
mkdir -p "$hu/multi-user.target.wants" "$hu/x.service.d" "$r4/etc" "$r4/$hu/multi-user.target.wants" \
	"$r4/$hu/x.service.d" "$r4/conf" "$root/hostconf"
printf '[Service]\nExecStart=/host/evil\n' >"$hu/x.service"
printf '[Service]\nExecStart=/inside/good\n' >"$r4/$hu/x.service"
ln -s "$hu/x.service" "$hu/multi-user.target.wants/x.service"
ln -s "$hu/x.service" "$r4/$hu/multi-user.target.wants/x.service"
printf '[Service]\nEnvironment=FROM=host\n' >"$root/hostconf/o.conf"
mkdir -p "$r4/$root/hostconf" && printf '[Service]\nEnvironment=FROM=inside\n' >"$r4/$root/hostconf/o.conf"
ln -s "$root/hostconf/o.conf" "$r4/$hu/x.service.d/o.conf"
mkdir -p "$r4/etc/systemd" && ln -s "$hu" "$r4/etc/systemd/system"
printf 'unit "x" { env = {"CONF=host"} }\n' >"$root/hostconf/porter.conf"
mkdir -p "$r4/$root/hostconf" && printf 'unit "x" { env = {"CONF=inside"} }\n' >"$r4/$root/hostconf/porter.conf"
ln -s "$root/hostconf" "$r4/etc/klein"
run 0 --root "$r4" --dry-run --enabled
check "root_confinement: the unit inside the root" grep -q "'/inside/good'" "$root/stdout"
check "root_confinement: not the host's unit" sh -c "! grep -q evil '$root/stdout'"
check "root_confinement: the drop-in inside the root" grep -q 'FROM=inside' "$root/stdout"
check "root_confinement: porter.conf inside the root" grep -q 'CONF=inside' "$root/stdout"

# Issue 14 item 7 (non_regular_config): a porter.conf that is a FIFO is
# refused at once (reading it would wait for a writer forever).
r3=$root/r3
mkdir -p "$r3/etc/klein" && mkfifo "$r3/etc/klein/porter.conf"
timeout 20 "$porter" convert --root "$r3" --dry-run "$lib/web.service" >"$root/stdout" 2>"$root/stderr"
check "non_regular_config: exit 2, not hung" [ $? = 2 ]
check "non_regular_config: named" grep -q "porter.conf: error: not a regular file" "$root/stderr"
timeout 20 "$porter" convert --config /dev/zero --root "$r3" --dry-run "$lib/web.service" >"$root/stdout" 2>"$root/stderr"
check "non_regular_config: a device is refused too" [ $? = 2 ]

# A unit file that is a FIFO is refused at once, not waited on (as
# non_regular_config above); the lookup passes it over as no unit file.
r4=$root/r4
mkdir -p "$r4" && mkfifo "$r4/fifo.service"
timeout 20 "$porter" convert --root "$r4" --dry-run "$r4/fifo.service" >"$root/stdout" 2>"$root/stderr"
check "non_regular_unit: refused, not hung" [ $? = 1 ]
check "non_regular_unit: named" grep -q "fifo.service: error: " "$root/stderr"

# --enabled discovery (issue 10): generators, targets, a service's Wants= on a
# socket, .wants of vendor directories, other unit types skipped with a line.
g=$(mktemp -d "${TMPDIR:-/tmp}/klein-cli-gen.XXXXXX")
gsys=$g/etc/systemd/system glib=$g/lib/systemd/system ggen=$g/lib/systemd/system-generators
mkdir -p "$gsys/multi-user.target.wants" "$glib/sockets.target.wants" "$ggen"
printf '#!/bin/sh\nmkdir -p "$1/db.service.wants"\nprintf "[Service]\\nExecStart=/bin/true\\n" >"$1/db@main.service"\nln -s "$1/db@main.service" "$1/db.service.wants/db@main.service"\n' >"$ggen/db-generator"
printf '#!/bin/sh\nexit 3\n' >"$ggen/broken"
printf '#!/bin/sh\nsleep 60\n' >"$ggen/slow"
chmod 755 "$ggen"/*
printf '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n' >"$glib/db.service"
printf '[Unit]\nWants=k@1.service data.mount\n' >"$glib/k.target"
# A target read as systemd reads it: a drop-in, a continuation line, a specifier.
mkdir -p "$gsys/k.target.d"
printf '[Unit]\nWants=k@2.service \\\n  k@%%p-x.service\n' >"$gsys/k.target.d/more.conf"
printf '[Service]\nExecStart=/bin/sleep %%i\n' >"$glib/k@.service"
printf '[Unit]\nWants=epmd.socket\nRequires=syslog.socket\n[Service]\nExecStart=/bin/true\n' >"$glib/mq.service"
printf '[Socket]\nListenStream=4369\n' >"$glib/epmd.socket"
printf '[Service]\nExecStart=/usr/bin/epmd -systemd\n' >"$glib/epmd.service"
printf '[Socket]\nListenStream=/run/bus\n' >"$glib/bus.socket"
printf '[Service]\nExecStart=/usr/bin/bus\n' >"$glib/bus.service"
for u in db.service k.target mq.service; do ln -s "/lib/systemd/system/$u" "$gsys/multi-user.target.wants/$u"; done
ln -s ../bus.socket "$glib/sockets.target.wants/bus.socket"
"$porter" convert --root "$g" --enabled >"$root/stdout" 2>"$root/stderr"
check "--enabled with generators exits 0" [ $? = 0 ]
check "generator output converted (db.service.wants)" [ -x "$g/etc/sv/db@main/run" ]
check "generator output in /run/systemd/generator" [ -f "$g/run/systemd/generator/db@main.service" ]
check "failing generator reported" grep -q "generator $ggen/broken: failed (exit 3); going on" "$root/stderr"
check "hanging generator killed" grep -q "generator $ggen/slow: killed after" "$root/stderr"
check "target followed (k.target Wants=)" [ -x "$g/etc/sv/k@1/run" ]
check "target's drop-in followed" [ -x "$g/etc/sv/k@2/run" ]
check "target's continuation line and specifier (%p)" [ -x "$g/etc/sv/k@k-x/run" ]
check "mount skipped with a line" grep -q '^data.mount: skipped: wanted by k.target' "$root/stderr"
check "a missing dependency is skipped, not fatal" grep -q '^syslog.socket: skipped: wanted by mq.service, but no such unit file' "$root/stderr"
check "Wants= of a service pulls its socket" [ -x "$g/etc/sv/epmd.socket/run" ]
check "the socket's service gets it" grep -q -- "--sockets '/run/klein/sockets/epmd.socket'" "$g/etc/sv/epmd/run"
check "vendor sockets.target.wants followed" [ -x "$g/etc/sv/bus.socket/run" ]
check "the dependency waits for the socket" grep -q "sv -w 90 start '/etc/service/epmd.socket'" "$g/etc/sv/mq/run"
rm -rf "$g"

# Accept=yes: the per-connection instances get no credentials (nothing would
# remove their directory), with a warning; OpenFile= follows the connection.
a=$root/accept && al=$a/etc/systemd/system && mkdir -p "$al"
printf '[Socket]\nListenStream=7000\nAccept=yes\n' >"$al/echo.socket"
printf '[Service]\nLoadCredential=k:/etc/k\nOpenFile=/etc/motd\nExecStart=/bin/cat\n' >"$al/echo@.service"
run 0 --root "$a" echo.socket
check "Accept=yes instances: credentials warned" grep -q 'dropped for the per-connection instances' "$root/stderr"
check "no \$CREDENTIALS_DIRECTORY per connection" sh -c "! grep -q 'CREDENTIALS' '$a/etc/sv/echo.socket/connection'"
check "OpenFile= per connection" grep -q -- "--open-file '/etc/motd:motd:'" "$a/etc/sv/echo.socket/connection"
rm -rf "$a"

# convert PATH.socket: the service it names (Service=) is found beside it,
# converted with it and given its sockets; a .mount named directly is
# skipped with one line (exit 0), by name or by path.
sp=$root/sockpath && mkdir -p "$sp/app"
printf '[Socket]\nListenStream=/run/x.sock\nService=xd.service\n' >"$sp/app/x.socket"
printf '[Service]\nExecStart=/bin/sleep 100\n' >"$sp/app/xd.service"
printf '[Mount]\nWhat=/a\nWhere=/b\n' >"$sp/app/data.mount"
run 0 --root "$sp" "$sp/app/x.socket"
check "socket by path: its holder" [ -x "$sp/etc/sv/x.socket/run" ]
check "socket by path: Service= beside it gets the sockets" grep -q -- "--sockets '/run/klein/sockets/x.socket'" "$sp/etc/sv/xd/run"
run 0 --root "$sp" "$sp/app/data.mount"
check "a .mount by path: skipped with a line" grep -q "^$sp/app/data.mount: skipped: .* a .mount unit has no runit equivalent" "$root/stderr"
check "a .mount by path: nothing written" [ ! -e "$sp/etc/sv/data.mount" ]
rm -rf "$sp"

# A socket whose only Listen*= lines are ones klein drops (netlink) gets no
# holder that would fail at every start: skipped with a line, exit 0.
nl=$root/netlink && mkdir -p "$nl/etc/systemd/system"
printf '[Socket]\nListenNetlink=kobject-uevent 1\n' >"$nl/etc/systemd/system/u.socket"
printf '[Service]\nExecStart=/bin/true\n' >"$nl/etc/systemd/system/u.service"
run 0 --root "$nl" u.socket
check "netlink-only socket: skipped with a line" grep -q "^u.socket: skipped: none of its Listen\*= lines is a socket klein creates" "$root/stderr"
check "netlink-only socket: no holder" [ ! -e "$nl/etc/sv/u.socket" ]
check "netlink-only socket: its service not pulled in" [ ! -e "$nl/etc/sv/u" ]
rm -rf "$nl"

# Sockets= and Service=: a service activated by several sockets gets all of
# them (its own Sockets= list and another socket's Service=), as fds in the
# order systemd passes them.
ms=$root/multi && msl=$ms/etc/systemd/system && mkdir -p "$msl"
printf '[Service]\nSockets=a.socket b.socket\nExecStart=/bin/true\n' >"$msl/m.service"
printf '[Socket]\nListenStream=/run/a.sock\nService=m.service\n' >"$msl/a.socket"
printf '[Socket]\nListenStream=/run/b.sock\nService=m.service\n' >"$msl/b.socket"
printf '[Socket]\nListenStream=/run/c.sock\nService=m.service\n' >"$msl/c.socket"
run 0 --root "$ms" m.service c.socket
for k in a b c; do
	check "several sockets: m gets $k.socket" grep -q -- "--sockets '/run/klein/sockets/$k.socket'" "$msl/../../sv/m/run"
done
rm -rf "$ms"

# One list of ports across the Listen*= types, as systemd keeps it: the fds
# follow the lines' order, and an empty Listen*= of any type empties them all.
o=$root/order && ol=$o/etc/systemd/system && mkdir -p "$ol"
printf '[Socket]\nListenStream=/run/a.sock\nListenDatagram=127.0.0.1:9001\nListenStream=127.0.0.1:9002\nBacklog=9\n' >"$ol/ord.socket"
printf '[Socket]\nListenStream=/run/a.sock\nListenDatagram=127.0.0.1:9001\nListenStream=\nListenFIFO=/run/f\n' >"$ol/rst.socket"
printf '[Service]\nExecStart=/bin/true\n' | tee "$ol/ord.service" >"$ol/rst.service"
run 0 --root "$o" ord.socket rst.socket
ports() { sed -n "s/^\t--\(stream\|datagram\|fifo\) '\(.*\)'.*/\1 \2/p" "$o/etc/sv/$1.socket/run" | tr '\n' ','; }
check "ports in the lines' order across types" [ "$(ports ord)" = "stream /run/a.sock,datagram 127.0.0.1:9001,stream 127.0.0.1:9002," ]
check "an empty ListenStream= resets ListenDatagram= too" [ "$(ports rst)" = "fifo /run/f," ]
check "inspect: the reset emptied every type" sh -c "! '$porter' inspect --root '$o' rst.socket | grep -q ListenDatagram"
rm -rf "$o"

# Huge values never crash: a SetCredential= too long for one command-line word
# (128 KiB) is dropped with a warning, an ID longer than NAME_MAX warns as systemd.
h=$root/huge && hl=$h/etc/systemd/system && mkdir -p "$hl"
{
	printf '[Service]\nExecStart=/bin/true\nSetCredential=big:'
	awk 'BEGIN { for (i = 0; i < 33000; i++) printf "\\x41"; print "" }'
	printf 'SetCredential=small:ok\nSetCredential=%s:x\n' "$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "y" }')"
} >"$hl/huge.service"
run 0 --root "$h" huge.service
check "huge SetCredential= dropped" grep -q 'SetCredential=big:...: dropped' "$root/stderr"
check "300-byte ID: systemd's warning" grep -q 'ignoring: File name too long' "$root/stderr"
check "the others kept" grep -q -e "--set 'small:ok'" "$h/etc/sv/huge/run"
check "the huge one left out" sh -c "! grep -q 'big:' '$h/etc/sv/huge/run'"
rm -rf "$h"

if [ "$fails" -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "all convert CLI checks passed"
