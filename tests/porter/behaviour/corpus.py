# SPDX-License-Identifier: MIT
"""Corpus sweep: every .service of the Debian corpus converts with
`klein-porter convert` into a temp root, or is refused with exit 1 and a
diagnostic; the refused units must be exactly those listed (with the reason)
in corpus-refused.tsv. Every generated script must pass `sh -n` and
`shellcheck -s sh`.

KLEIN_BH_WRITE_REFUSED=1 corpus.py (no shard arguments) rewrites
corpus-refused.tsv from the current run
(review the diff: each entry must be a unit systemd itself cannot run as is)."""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Tools  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFUSED = os.path.join(HERE, "corpus-refused.tsv")


def units(corpus):
    for pkg in sorted(os.listdir(corpus)):
        d = os.path.join(corpus, pkg)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".service") and os.path.isfile(os.path.join(d, f)):
                yield pkg, f, os.path.join(d, f)


def read_refused():
    out = {}
    with open(REFUSED) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key, _, reason = line.rstrip("\n").partition("\t")
            out[key] = reason
    return out


def scripts(root):
    """Every generated file that is a shell script (starts with #!)."""
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            with open(p, "rb") as fh:
                head = fh.read(64)
            if head.startswith(b"#!"):
                yield p


def main():
    # corpus.py [SHARD NSHARDS]: the units are split round-robin so that each
    # ctest stays short (shellcheck costs ~40 ms a script).
    shard, nshards = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (0, 1)
    t = Tools()
    if not os.path.isdir(t.corpus):
        print("SKIP: no corpus at %s" % t.corpus)
        return 77
    t.require(svc=False)
    if not shutil.which("shellcheck"):
        print("SKIP: shellcheck not installed")
        return 77
    failures = []
    refused_now = {}
    tmp = tempfile.mkdtemp(prefix="klein-bh-corpus%d-" % shard)
    all_scripts = []
    unique = []
    n = 0
    try:
        def convert(item):
            pkg, name, path = item
            out = os.path.join(tmp, pkg, name)
            args = [t.porter, "convert", "--root", "/", "--sv-dir", os.path.join(out, "sv"),
                    "--service-dir", os.path.join(out, "service")]
            if name.endswith("@.service"):
                args += ["--instance", "test"]
            r = subprocess.run(args + [path], capture_output=True, text=True,
                               errors="replace", timeout=60)
            return "%s/%s" % (pkg, name), out, r

        items = [u for i, u in enumerate(units(t.corpus)) if i % nshards == shard]
        mine = {"%s/%s" % (pkg, name) for pkg, name, _ in items}
        n = len(items)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(convert, items))
        for key, out, r in results:
            if r.returncode == 0:
                got = list(scripts(out))
                if not got:
                    failures.append("%s: converted, but no scripts written" % key)
                all_scripts += [(key, p) for p in got]
            elif r.returncode == 1:
                errs = [l for l in r.stderr.splitlines() if "error" in l]
                if not errs:
                    failures.append("%s: refused (exit 1) without an error diagnostic: %r"
                                    % (key, r.stderr))
                # the reason: the message of the first error, without the path
                reason = errs[0].split("error:", 1)[-1].strip() if errs else "?"
                refused_now[key] = reason
            else:
                failures.append("%s: exit %d: %s" % (key, r.returncode, r.stderr.strip()[:500]))
        # Identical scripts (most finish/control files) are checked once; a
        # finding names the first unit that produced the text and the count.
        by_text = {}
        for key, p in all_scripts:
            with open(p, "rb") as fh:
                by_text.setdefault(fh.read(), []).append((key, p))
        unique = [v[0][1] for v in by_text.values()]
        owner = {v[0][1]: "%s%s" % (v[0][0], " (+%d identical)" % (len(v) - 1) if len(v) > 1
                                    else "") for v in by_text.values()}
        for p in unique:
            r = subprocess.run(["sh", "-n", p], capture_output=True, text=True)
            if r.returncode != 0:
                failures.append("%s: sh -n %s: %s" % (owner[p], os.path.relpath(p, tmp),
                                                      r.stderr))
        codes = {}

        def shellcheck(chunk):
            return subprocess.run(["shellcheck", "-s", "sh", "-f", "gcc"] + chunk,
                                  capture_output=True, text=True).stdout

        chunks = [unique[i:i + 100] for i in range(0, len(unique), 100)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            outs = list(pool.map(shellcheck, chunks))
        for text in outs:
            for line in text.splitlines():
                p = line.split(":", 1)[0]
                m = re.search(r"\[(SC\d+)\]$", line)
                if m:
                    codes[m.group(1)] = codes.get(m.group(1), 0) + 1
                failures.append("%s: shellcheck: %s" % (owner.get(p, "?"),
                                                        line.replace(tmp + "/", "")))
        if codes:
            print("shellcheck findings by code: " + ", ".join(
                "%s x%d" % kv for kv in sorted(codes.items(), key=lambda kv: -kv[1])))
        if os.environ.get("KLEIN_BH_WRITE_REFUSED") and nshards == 1:
            with open(REFUSED + ".tmp", "w") as f:
                f.write("# Corpus units klein-porter convert refuses (exit 1), with the reason.\n"
                        "# Checked by tests/porter/behaviour/corpus.py: the list must match.\n")
                for k in sorted(refused_now):
                    f.write("%s\t%s\n" % (k, refused_now[k]))
            os.rename(REFUSED + ".tmp", REFUSED)
        listed = {k: v for k, v in (read_refused() if os.path.exists(REFUSED) else {}).items()
                  if k in mine}
        for k in sorted(set(refused_now) - set(listed)):
            failures.append("%s: refused but not in corpus-refused.tsv: %s" % (k, refused_now[k]))
        for k in sorted(set(listed) - set(refused_now)):
            failures.append("%s: listed in corpus-refused.tsv but converted" % k)
    finally:
        if os.environ.get("KLEIN_BH_KEEP"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("corpus shard %d/%d: %d units, %d converted (%d scripts, %d distinct), %d refused" % (
        shard, nshards, n, n - len(refused_now), len(all_scripts), len(set(unique)), len(refused_now)))
    for f in failures:
        print("FAILED " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
