#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The size rules of c-style-reference §4: no function over 120 lines, no C file
# over 800 lines. A function is a definition whose name starts a line
# ("name(" in column 0, the repo's clang-format style) and whose body runs from
# the next "{" in column 0 to the next "}" in column 0; its length counts the
# lines from the name to the closing brace.
#   size.py [--max-function N] [--max-file N] DIR...   (exit 1 on a violation)
import argparse
import pathlib
import re
import sys

DEF = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(")


def functions(lines):
    i = 0
    while i < len(lines):
        m = DEF.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        j = i
        while j < len(lines) and not lines[j].startswith("{"):
            if lines[j].rstrip().endswith(";"):  # a prototype, not a definition
                break
            j += 1
        if j >= len(lines) or not lines[j].startswith("{"):
            i += 1
            continue
        k = j + 1
        while k < len(lines) and not lines[k].startswith("}"):
            k += 1
        yield m.group(1), start + 1, k - start + 1
        i = k + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-function", type=int, default=120)
    ap.add_argument("--max-file", type=int, default=800)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    bad = 0
    n_files = n_funcs = 0
    for d in a.dirs:
        for path in sorted(pathlib.Path(d).glob("*.c")):
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            n_files += 1
            if len(lines) > a.max_file:
                print(f"{path}: error: {len(lines)} lines (at most {a.max_file})")
                bad += 1
            for name, line, n in functions(lines):
                n_funcs += 1
                if n > a.max_function:
                    print(f"{path}:{line}: error: {name}() is {n} lines (at most {a.max_function})")
                    bad += 1
    print(f"size: {n_files} files, {n_funcs} functions, {bad} over the limits")
    return 1 if bad or not n_funcs else 0


if __name__ == "__main__":
    sys.exit(main())
