#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The example (samples/webapp): built as users build it, then HTTPS through
# nginx reaches the application, and git over SSH with a key works, from
# 127.0.0.1 ports only.
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
key=$(test_key)
src=$(cd "$(dirname "$0")/../../samples/webapp" && pwd)
docker build -q --network=host --build-arg KLEIN="$KLEIN_IMAGE" \
	--build-arg SSH_AUTHORIZED_KEY="$(cat "$key.pub")" -t "$KLEIN_WEBAPP_IMAGE" "$src" >/dev/null ||
	fail "samples/webapp does not build"
ok "samples/webapp built (units converted by klein-porter convert --enabled)"

new_name webapp

c=$NAME
docker run -d --name "$c" --health-interval=1s --health-start-period=60s \
	-p 127.0.0.1::443 -p 127.0.0.1::80 -p 127.0.0.1::22 "$KLEIN_WEBAPP_IMAGE" >/dev/null
wait_until 60 "every service up and ready (klein-svc health)" in_c "$c" klein-svc health
ok "nginx, ssh and hello are up"

https=$(host_port "$c" 443)
http=$(host_port "$c" 80)
sshp=$(host_port "$c" 22)
d=$(mktemp -d)
cleanup_path "$d"

# The certificate is the one this container made at its first start.
docker cp "$c:/etc/ssl/hello/cert.pem" "$d/cert.pem"
page=$(curl -sS --fail --max-time 10 --cacert "$d/cert.pem" "https://127.0.0.1:$https/") ||
	fail "HTTPS through nginx failed"
for want in "Hello from Klein" "user: hello" "cwd: /srv/hello" "home: /srv/hello" \
	"site: the Klein example" "forwarded-proto: https" "served-from: the working directory /srv/hello"; do
	grep -qxF "$want" <<<"$page" || fail "the application's page lacks '$want':
$page"
done
ok "HTTPS on 127.0.0.1:$https -> nginx -> hello (User=, WorkingDirectory=, Environment=, EnvironmentFile= applied)"
loc=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 "http://127.0.0.1:$http/x")
[[ $loc == "301 https://127.0.0.1/x" ]] || fail "plain HTTP does not redirect to HTTPS: $loc"
ok "HTTP redirects to HTTPS"

# git over SSH, as a user would: ls-remote and clone with the key.
mapfile -t so < <(ssh_opts "$sshp" "$key")
export GIT_SSH_COMMAND="ssh ${so[*]:2}"
refs=$(git ls-remote "ssh://git@127.0.0.1:$sshp/srv/git/hello.git") || fail "git ls-remote over SSH failed"
grep -q 'refs/heads/main$' <<<"$refs" || fail "git ls-remote shows no main branch: $refs"
git clone -q "ssh://git@127.0.0.1:$sshp/srv/git/hello.git" "$d/clone" || fail "git clone over SSH failed"
[ -f "$d/clone/app.py" ] || fail "the clone has no app.py"
ok "git over SSH on 127.0.0.1:$sshp: ls-remote and clone with a key"
if ssh "${so[@]}" git@127.0.0.1 id >/dev/null 2>&1; then fail "the git user got a shell"; fi
ok "the git user is limited to git-shell"

# sv reload nginx runs its ExecReload: the master stays, the workers are new.
workers() { c_pids "$c" 'nginx: worker' | tr '\n' ' '; }
master=$(c_pids "$c" 'nginx: master')
w0=$(workers)
in_c "$c" sv reload /etc/service/nginx >/dev/null
changed() { [ "$(workers)" != "$w0" ] && [ -n "$(workers)" ]; }
wait_until 10 "nginx to start new workers after sv reload" changed
[ "$(c_pids "$c" 'nginx: master')" = "$master" ] || fail "sv reload restarted the nginx master"
curl -sS --fail --max-time 10 --cacert "$d/cert.pem" "https://127.0.0.1:$https/healthz" >/dev/null ||
	fail "HTTPS fails after the reload"
ok "sv reload nginx: same master, new workers, still serving"

stop_timed "$c"
[ "$STOP_RC" -eq 0 ] || fail "the example exited $STOP_RC after docker stop"
[ "$STOP_SECS" -lt 80 ] || fail "docker stop took too long"
ok "docker stop: exit 0"
# klein-init's stop log: phase 1 stops the services; "stop phase 2/3" would
# mean processes outlived their service, "did not stop" a service its budget.
if docker logs "$c" 2>&1 | grep -E 'stop phase [23]|did not stop within'; then
	fail "processes were left after the services stopped (klein-init log above)"
fi
docker logs "$c" 2>&1 | grep 'stop phase 1' >/dev/null || fail "klein-init logged no stop"
ok "every service stopped in phase 1; no process was left"
