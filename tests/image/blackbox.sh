#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The fast tier (label blackbox): the services test image's root filesystem,
# with THIS tree's klein-init, klein-svc and klein-porter copied in and the
# units converted again by this klein-porter, booted without Docker:
#
#   unshare --pid --fork --mount --net --uts --ipc  ->  chroot ROOT klein-init
#
# on a throw-away overlay over a cached export of the image, then the same
# checks as services.sh: each service answers, health, restart policy, and a
# TERM to klein-init stops everything cleanly. A change is checked in seconds.
#
# env: KLEIN_INIT, KLEIN_SVC, KLEIN_PORTER  the binaries under test
. "$(dirname "$0")/lib.sh"
TEST_NAME=blackbox
[ "$(id -u)" = 0 ] || { log "SKIP: needs root (unshare, overlay mounts)"; exit 77; }
for b in "${KLEIN_INIT:-}" "${KLEIN_SVC:-}" "${KLEIN_PORTER:-}"; do
	[ -x "$b" ] || fail "KLEIN_INIT, KLEIN_SVC and KLEIN_PORTER must name the built programs"
done
grep -qw overlay /proc/filesystems || { log "SKIP: the kernel has no overlayfs"; exit 77; }
require_docker # only to export the image once; nothing runs in Docker
require_image "$KLEIN_SERVICES_IMAGE"
key=$(test_key)

# --- the root filesystem: exported once per image id ---------------------
id=$(docker image inspect -f '{{.Id}}' "$KLEIN_SERVICES_IMAGE" | sed 's/^sha256://' | cut -c1-12)
rootfs=$KLEIN_TEST_STATE/rootfs-$id
if [ ! -d "$rootfs" ]; then
	log "exporting $KLEIN_SERVICES_IMAGE to $rootfs (once per image)"
	mkdir -p "$KLEIN_TEST_STATE"
	find "$KLEIN_TEST_STATE" -maxdepth 1 -name 'rootfs-*' -exec rm -rf {} +
	tmp=$(mktemp -d "$KLEIN_TEST_STATE/export.XXXXXX")
	cleanup_path "$tmp"
	cid=$(docker create "$KLEIN_SERVICES_IMAGE")
	docker export "$cid" | tar -C "$tmp" -x --numeric-owner
	docker rm "$cid" >/dev/null
	mv "$tmp" "$rootfs"
fi

t=$(mktemp -d "${TMPDIR:-/tmp}/klein-blackbox.XXXXXX")
cleanup_path "$t"
mkdir -p "$t/upper" "$t/work" "$t/root"

# --- boot ----------------------------------------------------------------
# Runs as PID 1 of the new namespaces: mount the throw-away root, put the
# programs under test in it, convert the units again, become klein-init.
cat >"$t/boot" <<'EOF'
#!/bin/sh
set -eu
t=$1 rootfs=$2
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$t/upper,workdir=$t/work" "$t/root"
r=$t/root
mount -t proc proc "$r/proc"
mount --rbind /dev "$r/dev"
mount -t tmpfs -o mode=755 tmpfs "$r/run"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
ip link set lo up
hostname klein-blackbox
# What Docker bind-mounts over these (the export has them empty).
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tklein-blackbox\n' >"$r/etc/hosts"
echo klein-blackbox >"$r/etc/hostname"
cp "$KLEIN_INIT" "$r/usr/sbin/klein-init"
cp "$KLEIN_SVC" "$r/usr/sbin/klein-svc"
cp "$KLEIN_PORTER" "$r/usr/bin/klein-porter"
# Host libraries a sanitizer or debug build needs and the image lacks.
for b in "$KLEIN_INIT" "$KLEIN_SVC" "$KLEIN_PORTER"; do
	ldd "$b" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
		[ -e "$r$lib" ] || { mkdir -p "$r$(dirname "$lib")" && cp "$lib" "$r$lib"; }
	done
done
# Forget the image's conversion; this tree's klein-porter converts again.
for l in "$r"/etc/service/*; do
	[ -L "$l" ] || continue
	rm -rf "$r/etc/sv/$(basename "$l")" "$l"
done
chroot "$r" /bin/sh -c 'klein-porter convert --enabled && klein-porter convert "postgresql@$(ls /etc/postgresql)-main.service"' \
	>"$t/convert.log" 2>&1 || { echo "blackbox: klein-porter convert failed:" >&2; cat "$t/convert.log" >&2; exit 1; }
echo booting >"$t/booted"
exec chroot "$r" /usr/sbin/klein-init
EOF
chmod 755 "$t/boot"
KLEIN_INIT=$(realpath "$KLEIN_INIT") KLEIN_SVC=$(realpath "$KLEIN_SVC") KLEIN_PORTER=$(realpath "$KLEIN_PORTER") \
	unshare --pid --fork --mount --net --uts --ipc "$t/boot" "$t" "$rootfs" >"$t/init.log" 2>&1 &
ushare=$!
kill_ns() {
	local p
	p=$(pgrep -P "$ushare" || true)
	[ -z "$p" ] || kill -KILL "$p" 2>/dev/null || true
	wait "$ushare" 2>/dev/null || true
}
trap 'rc=$?; if [ $rc -ne 0 ]; then log "--- klein-init log ---"; sed "s/^/    /" "$t/init.log" >&2; fi; kill_ns; _cleanup "$rc"' EXIT
t0=$(date +%s%N)
booted_or_gone() { [ -e "$t/booted" ] || ! kill -0 "$ushare" 2>/dev/null; }
wait_until 30 "the namespace to boot" booted_or_gone
[ -e "$t/booted" ] || fail "the namespace did not boot (log below)"
pid1=$(pgrep -P "$ushare")
ns() { nsenter -t "$pid1" -m -p -n -u -i -r -w "$@"; }
log "klein-init is PID 1 of the namespace (host pid $pid1)"

# --- the same checks as the Docker tier ----------------------------------
wait_until 60 "klein-svc health (every enabled service up and ready)" ns klein-svc health
t1=$(date +%s%N)
ok "every service up and ready $(((t1 - t0) / 1000000)) ms after boot"
wait_until 20 "the @reboot cron job" ns test -s /run/cron-reboot-ran
ok "cron ran a job"
marker="klein-logger-$RUN_ID"
ns logger -t kleintest "$marker"
wait_until 10 "the logger line in /var/log/syslog" ns grep -q "$marker" /var/log/syslog
ok "rsyslog: logger line landed"
[ "$(ns redis-cli ping)" = PONG ] || fail "redis-cli ping"
ok "redis: PONG"
stats=$(ns bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211 && printf "stats\r\nquit\r\n" >&3 && cat <&3')
grep -q '^STAT pid ' <<<"$stats" || fail "memcached stats"
ok "memcached: stats"
[ "$(ns runuser -u postgres -- psql -Atc 'select 40 + 2')" = 42 ] || fail "psql"
ok "postgresql: psql query"
mapfile -t so < <(ssh_opts 22 "$key")
# shellcheck disable=SC2016 # expanded by the remote shell
out=$(nsenter -t "$pid1" -n ssh "${so[@]}" root@127.0.0.1 'echo "ssh-$((6 * 7))"')
[ "$out" = ssh-42 ] || fail "ssh key login (got '$out')"
ok "openssh: key login ran a command"

svpid() { ns sv status "/etc/service/$1" | sed -n 's/^run: [^(]*(pid \([0-9]*\)).*/\1/p'; }
p=$(svpid crash-always)
[ -n "$p" ] || fail "crash-always is not running"
ns kill -KILL "$p"
restarted() { local n; n=$(svpid crash-always); [ -n "$n" ] && [ "$n" != "$p" ]; }
wait_until 15 "crash-always (Restart=always) to come back" restarted
ok "Restart=always: restarted"
p=$(svpid crash-never)
[ -n "$p" ] || fail "crash-never is not running"
ns kill -KILL "$p"
sleep 3
case $(ns sv status /etc/service/crash-never || true) in down:*) ;; *) fail "crash-never (Restart=no) is not down" ;; esac
ok "Restart=no: stays down"

# --- stop: TERM to PID 1, as docker stop sends ---------------------------
t0=$(date +%s%N)
kill -TERM "$pid1"
rc=0
wait "$ushare" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
log "klein-init exited $rc, $ms ms after TERM"
[ "$rc" -eq 0 ] || fail "klein-init exited $rc after TERM, not 0"
[ "$ms" -lt 8000 ] || fail "the stop took $ms ms"
pg=$(ls "$rootfs/etc/postgresql") # the cluster's major version: 15 on Debian 12, 17 on 13
grep -q 'database system is shut down' "$t/upper/var/log/postgresql/postgresql-$pg-main.log" ||
	fail "postgresql did not log a clean shutdown"
grep -q 'ready to exit, bye bye' "$t/upper/var/log/redis/redis-server.log" || fail "redis did not shut down cleanly"
if grep -E 'stop phase [23]|did not stop within' "$t/init.log"; then
	fail "processes were left after the services stopped (klein-init log above)"
fi
ok "TERM: exit 0 in $ms ms; postgresql and redis logged a clean shutdown"
