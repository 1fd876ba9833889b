#!/bin/sh
# SPDX-License-Identifier: MIT
# Snapshot of everything klein-porter prints and writes for a set of units, so
# that a refactoring can be proven byte-identical:
#   snapshot.sh PORTER OUT [UNIT_OR_DIR...]
#   snapshot.sh build/ref/porter/klein-porter /tmp/snap.ref
#   snapshot.sh build/porter/klein-porter /tmp/snap.new && diff -r --no-dereference /tmp/snap.ref /tmp/snap.new
# Default units: every unit file of /work/shared/corpus (all three corpora),
# tests/porter/golden and samples/. Per unit OUT/KEY/ gets: convert's stdout,
# stderr and exit code for a --dry-run and for a real write, the written tree
# (contents, plus a listing with modes and link targets), and inspect's JSON,
# stderr and exit code. Every unit is converted under the same fixed work
# directory, so paths in messages and links are the same from run to run.
set -eu
if [ "${1:-}" = --one ]; then # --one PORTER OUT WORK UNIT: one unit into OUT/KEY
	porter=$2 out=$3 work=$4 u=$5
	key=$(printf '%s' "$u" | sed 's|^/work/shared/corpus/||; s|^.*/tests/porter/|tests__|; s|^.*/samples/|samples__|; s|/|__|g')
	d=$out/$key w=$work/$key
	mkdir -p "$d"
	rm -rf "$w"
	inst=
	case $u in *@.*) inst="--instance test" ;; esac
	code=0
	# shellcheck disable=SC2086
	"$porter" inspect --root / $inst "$u" >"$d/inspect.json" 2>"$d/inspect.err" || code=$?
	echo "$code" >"$d/inspect.code"
	case $u in *.service) ;; *) exit 0 ;; esac
	for mode in dry convert; do
		flag=
		[ $mode = convert ] || flag=--dry-run
		code=0
		# shellcheck disable=SC2086
		"$porter" convert --root / --sv-dir "$w/sv" --service-dir "$w/service" $inst $flag "$u" \
			>"$d/$mode.out" 2>"$d/$mode.err" || code=$?
		echo "$code" >"$d/$mode.code"
	done
	if [ -d "$w" ]; then
		(cd "$w" && find . -printf '%y %m %p %l\n' | sort) >"$d/tree.list"
		cp -a "$w" "$d/tree"
		rm -rf "$w"
	fi
	exit 0
fi
porter=$(realpath "$1") out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- /work/shared/corpus "$here/golden" "$here/../../samples"
work=${SNAPSHOT_WORK:-/tmp/klein-snapshot-work.$(id -u)}
rm -rf "$out" "$work"
mkdir -p "$out" "$work"
out=$(realpath "$out")
find "$@" -type f \( -name '*.service' -o -name '*.socket' -o -name '*.timer' \
	-o -name '*.target' -o -name '*.path' -o -name '*.mount' \) ! -path '*.d/*' | sort >"$work/list"
xargs -P2 -I{} sh "$here/snapshot.sh" --one "$porter" "$out" "$work" {} <"$work/list"
rm -rf "$work"
echo "snapshot: $(find "$out" -mindepth 1 -maxdepth 1 | wc -l) units in $out"
