# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared helpers of the Docker end-to-end tests (sourced by bash scripts).
# Each test names its containers uniquely and removes them on any exit.
#
# env: KLEIN_IMAGE  the Klein image (default klein:latest)
#      KLEIN_TEST_STATE  a directory kept between runs (keys, exported rootfs)
set -euo pipefail

KLEIN_IMAGE=${KLEIN_IMAGE:-klein:latest}
KLEIN_TEST_STATE=${KLEIN_TEST_STATE:-${TMPDIR:-/tmp}/klein-image-tests}
KLEIN_SERVICES_IMAGE=${KLEIN_SERVICES_IMAGE:-klein-test-services:latest}
KLEIN_WEBAPP_IMAGE=${KLEIN_WEBAPP_IMAGE:-klein-test-webapp:latest}
KLEIN_TIMERS_IMAGE=${KLEIN_TIMERS_IMAGE:-klein-test-timers:latest}
export DOCKER_BUILDKIT=0
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
# Unique per run, so parallel tests and leftovers never collide.
RUN_ID="$TEST_NAME-$$-$(date +%s%N | tail -c 7)"
_containers=()
_cleanup_paths=()

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }

# Exit 77 (ctest SKIP_RETURN_CODE) only when docker itself is unusable.
require_docker() {
	if ! command -v docker >/dev/null 2>&1; then
		log "SKIP: docker is not installed"
		exit 77
	fi
	if ! docker info >/dev/null 2>&1; then
		log "SKIP: the docker daemon is not reachable"
		exit 77
	fi
}

require_image() { # $1: tag
	docker image inspect "$1" >/dev/null 2>&1 || {
		log "image $1 is missing (cmake --build BUILD --target image; the fixture test builds it)"
		exit 1
	}
}

_cleanup() { # [RC]: the exit code to keep (default: the one exiting)
	local rc=${1:-$?}
	local c
	for c in "${_containers[@]}"; do
		if [ "$rc" -ne 0 ] && [ -n "${KEEP_LOGS_ON_FAIL:-1}" ]; then
			log "--- docker logs $c (last 60 lines) ---"
			docker logs --tail 60 "$c" 2>&1 | sed 's/^/    /' >&2 || true
		fi
		docker rm -f -v "$c" >/dev/null 2>&1 || true
	done
	for c in "${_cleanup_paths[@]}"; do rm -rf "$c"; done
	exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM HUP

# new_name SUFFIX: sets NAME to a container name this test owns; that
# container is removed (with its volumes) on exit. Not for $(...): the
# registration must happen in this shell.
new_name() {
	NAME="klein-t-$RUN_ID-$1"
	_containers+=("$NAME")
}

cleanup_path() { _cleanup_paths+=("$1"); }

fail() {
	log "FAIL: $*"
	exit 1
}

ok() { log "ok: $*"; }

# wait_until SECONDS DESCRIPTION CMD...: retry CMD every 0.2 s.
wait_until() {
	local secs=$1 what=$2
	shift 2
	local end=$((SECONDS + secs))
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || fail "timed out after ${secs}s waiting for: $what"
		sleep 0.2
	done
}

# host_port CONTAINER PORT: the 127.0.0.1 port Docker published for PORT/tcp.
host_port() {
	local p
	p=$(docker port "$1" "$2/tcp" | grep -m1 '^127\.0\.0\.1:' | cut -d: -f2)
	[ -n "$p" ] || fail "no 127.0.0.1 port published for $1 $2/tcp"
	printf '%s\n' "$p"
}

# An ssh key shared by the tests' images (kept so image builds stay cached).
test_key() {
	mkdir -p "$KLEIN_TEST_STATE"
	local k="$KLEIN_TEST_STATE/id_ed25519"
	if [ ! -s "$k" ]; then
		ssh-keygen -q -t ed25519 -N '' -C klein-test -f "$k.tmp.$$" >/dev/null
		mv "$k.tmp.$$.pub" "$k.pub"
		mv "$k.tmp.$$" "$k"
	fi
	printf '%s\n' "$k"
}

ssh_opts() { # $1: port, $2: key
	printf '%s\n' -p "$1" -i "$2" -o BatchMode=yes -o IdentitiesOnly=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o ConnectTimeout=5
}

# stop_timed CONTAINER [docker stop args...]: docker stop, sets STOP_SECS
# (tenths of a second) and STOP_RC (the container's exit code).
stop_timed() {
	local c=$1
	shift
	local t0 t1
	t0=$(date +%s%N)
	docker stop "$@" "$c" >/dev/null
	t1=$(date +%s%N)
	STOP_SECS=$(((t1 - t0) / 100000000))
	STOP_RC=$(docker inspect -f '{{.State.ExitCode}}' "$c")
	log "docker stop $* took $((STOP_SECS / 10)).$((STOP_SECS % 10))s, exit code $STOP_RC"
}

# in_c CONTAINER CMD...: run CMD in the container (no tty).
in_c() {
	local c=$1
	shift
	docker exec "$c" "$@"
}

# c_pids CONTAINER ERE: pids whose command line matches ERE (no procps needed).
c_pids() {
	docker exec "$1" sh -c 'for d in /proc/[0-9]*; do
		c=$(tr "\0" " " <"$d/cmdline" 2>/dev/null) || continue
		printf "%s %s\n" "${d#/proc/}" "$c"
	done' | grep -E "^[0-9]+ ($2)" | cut -d' ' -f1 | sort -n
}
