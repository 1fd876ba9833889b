#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential test: klein-systemctl --root=DIR against the machine's real
`systemctl --root=DIR` (systemd 252) for enable, disable, mask, unmask,
is-enabled and list-unit-files over corpus units (WantedBy=, RequiredBy=,
Alias=, Also=, templates with DefaultInstance=). Each step runs on two copies
of the same root; the link trees, stdout, exit codes and (sorted) stderr must
be equal.  usage: offline_diff.py KLEIN_SYSTEMCTL CORPUS_DIR..."""
import os
import shutil
import subprocess
import sys
import tempfile

KLEIN = os.path.abspath(sys.argv[1])
CORPORA = sys.argv[2:]
REAL = shutil.which("systemctl")

# Units picked for their [Install] shapes (names from the corpora); the test
# also enables every unit with an [Install] section once.
STEPS = [
    ["enable", "rsyslog.service"],          # Alias=syslog.service
    ["enable", "cups.service"],             # Also=cups.socket cups.path
    ["is-enabled", "syslog.service", "rsyslog", "cups.socket", "cups.path"],
    ["disable", "rsyslog"],
    ["enable", "getty@.service"],           # DefaultInstance=tty1
    ["enable", "getty@tty3.service"],
    ["is-enabled", "getty@.service", "getty@tty3.service", "getty@tty9.service"],
    ["disable", "getty@tty3.service"],
    ["enable", "kresd@1.service"],          # an instance of a template without DefaultInstance=
    ["is-enabled", "kresd@1.service", "kresd@2.service", "kresd@.service"],
    ["disable", "kresd@1.service"],
    ["mask", "cron.service", "nonexistent.service"],
    ["is-enabled", "cron", "nonexistent.service"],
    ["enable", "cron"],
    ["unmask", "cron", "nonexistent.service"],
    ["enable", "cron", "ssh.service"],
    ["disable", "cups", "nonexistent.service"],
    ["enable", "nonexistent.service"],
    ["enable", "systemd-journal-gatewayd.service"],
    ["disable", "systemd-journal-gatewayd.socket"],
    ["preset", "--preset-mode=enable-only", "nginx.service"],  # deb-systemd-helper's call
    ["preset", "redis-server.service", "apt-daily.timer"],
    ["preset", "--preset-mode=disable-only", "cron.service"],
    ["list-unit-files"],
    ["list-unit-files", "--type=socket"],
    ["list-unit-files", "--state=enabled", "--no-legend"],
    ["list-unit-files", "c*"],
]


def build_root(top):
    lib = os.path.join(top, "lib/systemd/system")
    os.makedirs(lib)
    os.makedirs(os.path.join(top, "etc/systemd/system"))
    seen = set()
    for corpus in CORPORA:
        for pkg in sorted(os.listdir(corpus)):
            d = os.path.join(corpus, pkg)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                src = os.path.join(d, name)
                if name in seen or name.startswith("."):
                    continue
                seen.add(name)
                if os.path.isdir(src):
                    shutil.copytree(src, os.path.join(lib, name), symlinks=True)
                else:
                    shutil.copy(src, os.path.join(lib, name), follow_symlinks=False)
    return sorted(n for n in seen if not os.path.isdir(os.path.join(lib, n)))


def presets(top):
    """A preset file as a distribution ships one: some enabled, some disabled."""
    d = os.path.join(top, "lib/systemd/system-preset")
    os.makedirs(d)
    with open(os.path.join(d, "90-test.preset"), "w") as f:
        f.write("# test\nenable nginx.service\ndisable cron.service\ndisable apt-daily.*\n")


def tree(top):
    out = []
    for dirpath, dirs, files in os.walk(os.path.join(top, "etc")):
        for n in sorted(dirs + files):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, top)
            out.append(rel + (" -> " + os.readlink(p) if os.path.islink(p) else ""))
    return sorted(out)


def run(tool, root, args):
    r = subprocess.run([tool, "--root=" + root] + args, capture_output=True, text=True,
                       env=dict(os.environ, SYSTEMD_LOG_LEVEL="info", LC_ALL="C.UTF-8"))
    err = sorted(l.replace(root, "ROOT") for l in r.stderr.splitlines() if l.strip())
    return r.returncode, r.stdout.replace(root, "ROOT"), err


def main():
    if not all(os.path.isdir(c) for c in CORPORA):
        print("SKIP: corpus not found: %s" % " ".join(CORPORA))
        sys.exit(77)
    if not REAL or not os.path.exists("/lib/systemd/systemd"):
        print("SKIP: no systemctl on this machine")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="klein-ctl-diff-")
    fails = 0
    try:
        a, b = os.path.join(tmp, "real"), os.path.join(tmp, "klein")
        units = build_root(a)
        presets(a)
        shutil.copytree(a, b, symlinks=True)
        with_install = [u for u in units
                        if "[Install]" in open(os.path.join(a, "lib/systemd/system", u),
                                               errors="replace").read()]
        steps = list(STEPS)
        steps.append(["is-enabled"] + units)
        steps += [["enable", u] for u in with_install if "@" not in u][:60]
        # Every template's instance "klein" (an instance has no file of its own).
        steps += [["enable", u.replace("@.", "@klein.")] for u in with_install if "@." in u]
        steps.append(["is-enabled"] + units)
        steps.append(["list-unit-files"])
        steps.append(["disable"] + [u for u in with_install if "@" not in u][:60:2])
        steps.append(["is-enabled"] + units)
        for step in steps:
            ra, rb = run(REAL, a, step), run(KLEIN, b, step)
            ta, tb = tree(a), tree(b)
            what = " ".join(step)[:100]
            for label, x, y in (("exit code", ra[0], rb[0]), ("stdout", ra[1], rb[1]),
                                ("stderr", ra[2], rb[2]), ("links", ta, tb)):
                if x != y:
                    fails += 1
                    print("FAIL %s: %s differs" % (what, label))
                    if isinstance(x, list):
                        print("  only systemctl: %s" % sorted(set(x) - set(y))[:10])
                        print("  only klein:     %s" % sorted(set(y) - set(x))[:10])
                    elif isinstance(x, str):
                        import difflib
                        d = list(difflib.unified_diff(x.splitlines(), y.splitlines(), "systemctl",
                                                      "klein", lineterm="", n=0))
                        print("  " + "\n  ".join(d[:20]))
                    else:
                        print("  systemctl: %r\n  klein:     %r" % (x, y))
            if ra == rb and ta == tb:
                print("ok   %s" % what)
    finally:
        if os.environ.get("KLEIN_KEEP"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d differences" % fails)
    sys.exit(1 if fails else 0)


main()
