#!/bin/sh
# SPDX-License-Identifier: MIT
# cmake/make-base-image picks the suite from the tag and the mirror from the
# host's apt sources, never from a comment (Debian's docker images keep a
# "# http://snapshot.debian.org/..." line above the real URIs:). No Docker:
# --dry-run prints what it would build.
set -eu
mbi=$(dirname "$0")/../../cmake/make-base-image
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() {
	echo "base-mirror: FAIL: $*" >&2
	exit 1
}
expect() { # DESCRIPTION EXPECTED ARGS...: make-base-image --dry-run ARGS prints EXPECTED
	what=$1 want=$2
	shift 2
	got=$(KLEIN_APT_DIR=$t "$mbi" --dry-run "$@" | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "$what: got '$got', want '$want'"
	echo "ok: $what"
}

mkdir -p "$t/sources.list.d"
# This machine's file, as the debian:bookworm image ships it.
cat >"$t/sources.list.d/debian.sources" <<'X'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.example.org/debian-security
Suites: bookworm-security
Components: main
X
expect "deb822 with snapshot comments, default suite" \
	"suite trixie tag klein-base:trixie mirror http://deb.example.org/debian security http://deb.example.org/debian-security " 
expect "suite from the tag" \
	"suite bookworm tag klein-base:bookworm mirror http://deb.example.org/debian security http://deb.example.org/debian-security " \
	klein-base:bookworm
expect "--suite with another tag" \
	"suite bookworm tag my/base:1 mirror http://deb.example.org/debian security http://deb.example.org/debian-security " \
	--suite bookworm my/base:1

# One-line format: commented-out lines (even "#deb", "# deb") are not sources.
rm "$t/sources.list.d/debian.sources"
cat >"$t/sources.list" <<'X'
#deb http://snapshot.debian.org/archive/debian/20250520T000000Z bookworm main
# deb [arch=amd64] http://old.example.org/debian bookworm main
   # URIs: http://indented-comment.example.org/debian
deb-src http://src.example.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian bookworm main
deb http://mirror.example.org/debian-security bookworm-security main
X
expect "one-line sources.list with commented lines" \
	"suite trixie tag klein-base:trixie mirror http://mirror.example.org/debian security http://mirror.example.org/debian-security "

# Nothing usable: Debian's own archive.
: >"$t/sources.list"
expect "no sources: deb.debian.org" \
	"suite trixie tag klein-base:trixie mirror http://deb.debian.org/debian security http://deb.debian.org/debian-security "

rc=0
KLEIN_APT_DIR=$t "$mbi" --dry-run --suite sid >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "an unsupported suite: exit $rc, want 2"
echo "ok: unsupported suite is a usage error"
