#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# Fixture: builds the services test image (tests/image/services/) FROM the
# Klein image, with the tests' ssh key authorised for root.
. "$(dirname "$0")/lib.sh"
require_docker
require_image "$KLEIN_IMAGE"
key=$(test_key)
log "building $KLEIN_SERVICES_IMAGE FROM $KLEIN_IMAGE"
docker build -q --network=host --build-arg KLEIN="$KLEIN_IMAGE" \
	--build-arg SSH_AUTHORIZED_KEY="$(cat "$key.pub")" \
	-t "$KLEIN_SERVICES_IMAGE" "$(dirname "$0")/services" >/dev/null
# The conversion really happened in the build: the image holds runit
# service directories for the packaged units, enabled in /etc/service.
missing=$(docker run --rm --entrypoint /bin/sh "$KLEIN_SERVICES_IMAGE" -c '
	for s in cron rsyslog redis-server memcached ssh "postgresql@$(ls /etc/postgresql)-main" crash-always crash-never; do
		test -x /etc/sv/$s/run && test -e /etc/service/$s || echo "$s"
	done')
[ -z "$missing" ] || fail "the image has no enabled service for: $(tr "\n" " " <<<"$missing")"
# klein-porter read the units as the base's own systemd: the version its
# os-release implies (Debian 12: 252, Debian 13: 257), said by inspect.
got=$(docker run --rm --entrypoint /bin/sh "$KLEIN_SERVICES_IMAGE" -c '
	. /etc/os-release
	printf "%s %s " "$ID" "$VERSION_ID"
	klein-porter inspect cron.service | sed -n "s/^ *\"systemd\": *\([0-9]*\),*$/\1/p"')
case $got in
"debian 12 252" | "debian 13 257") ;;
*) fail "klein-porter's default systemd does not match the base (os-release ID, VERSION_ID, version: $got)" ;;
esac
ok "klein-porter reads the units as the base's systemd ($got)"
ok "built $KLEIN_SERVICES_IMAGE"
