#!/bin/sh
# Golden test for `klein-porter convert --help`: the text equals help.txt, every
# long option of cmd_convert.c's getopt table is documented, and so is each exit
# code (0 converted, 1 refused/failed, 2 usage, 3 I/O) on a line of its own.
#   help.sh PORTER CMD_CONVERT_C HELP_TXT     (UPDATE_GOLDEN=1 rewrites HELP_TXT)
set -u
porter=$1 src=$2 want=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/klein-help.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
code=0
"$porter" convert --help >"$tmp/help" 2>"$tmp/err" || code=$?
[ "$code" = 0 ] || { echo "help: --help exited $code"; fail=1; }
[ ! -s "$tmp/err" ] || { echo "help: --help wrote to stderr"; fail=1; }
code=0
"$porter" convert -h >"$tmp/h" 2>&1 || code=$?
{ [ "$code" = 0 ] && cmp -s "$tmp/help" "$tmp/h"; } || { echo "help: -h differs from --help"; fail=1; }
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$tmp/help" "$want"
	exit 0
fi
diff -u "$want" "$tmp/help" || { echo "help: differs from $want (UPDATE_GOLDEN=1 regenerates)"; fail=1; }
opts=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' "$src")
[ -n "$opts" ] || { echo "help: no options found in $src"; fail=1; }
for o in $opts; do
	grep -q -- "^ *\(-h, \)\{0,1\}--$o\b" "$tmp/help" || { echo "help: --$o is not documented"; fail=1; }
done
for c in '0  converted' '1  refused or failed' '2  usage' '3  I/O error'; do
	grep -q "^  $c" "$tmp/help" || { echo "help: no exit-code line '$c'"; fail=1; }
done
exit "$fail"
