#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bytes_table: every byte 0x01..0xff in Environment= names and values, Exec
argv words and list settings, `klein-porter inspect` against systemd 252.

usage: bytes_table.py check --porter PATH [--only GLOB] [-v]
       bytes_table.py record            (needs systemd 252; rewrites the fixture)

The cases are generated here (deterministically): for each context (raw byte
in the file, inside quotes, as \\xHH, as \\OOO, as \\uHHHH) one unit file
per context holds one line per byte, or, where systemd refuses the whole
unit on a bad value (User=, SupplementaryGroups=), one unit per byte.
`record` runs systemd once over all the units and stores its answer per
case in bytes_fixtures.json (load state, merged environment, argv of every
ExecStartPre=, the list settings, diagnostics with line numbers) with the
sha256 of the generated text, so `check` runs without systemd and fails on
a stale fixture. `check` runs inspect on each generated unit and compares
everything systemd's dump shows. Exit 0 all equal, 1 differences.
"""
import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import systemd_dump  # noqa: E402

FIXTURE = os.path.join(HERE, "bytes_fixtures.json")
BYTES = range(0x01, 0x100)
HEAD = b"[Service]\nExecStart=/bin/true\n"
LISTS = ("PassEnvironment", "UnsetEnvironment", "RuntimeDirectory", "StateDirectory",
         "SupplementaryGroups", "User")


def _x(b):
    return b"\\x%02x" % b


def _o(b):
    return b"\\%03o" % b


def _u(b):
    return b"\\u%04x" % b


def _lines(fmt):
    """A unit with one line per byte: fmt(hex_name, byte) -> line bytes."""
    out = HEAD
    for b in BYTES:
        out += fmt(b"%02X" % b, b) + b"\n"
    return out


def cases():
    """[(case_id, unit_file_name, unit_bytes)] in a fixed order."""
    c = []

    def one(cid, fmt):
        c.append((cid, "bt-%s.service" % cid, _lines(fmt)))

    # Environment= values.
    one("env-value-raw", lambda h, b: b"Environment=V" + h + b"=a" + bytes([b]) + b"b")
    one("env-value-quoted", lambda h, b: b'Environment="V' + h + b"=a" + bytes([b]) + b'b"')
    one("env-value-x", lambda h, b: b'Environment="V' + h + b"=a" + _x(b) + b'b"')
    one("env-value-x-alone", lambda h, b: b"Environment=V" + h + b"=" + _x(b))
    one("env-value-octal", lambda h, b: b'Environment="V' + h + b"=" + _o(b) + b'"')
    one("env-value-u", lambda h, b: b'Environment="V' + h + b"=a" + _u(b) + b'b"')
    # Environment= names.
    one("env-name-raw", lambda h, b: b"Environment=N" + bytes([b]) + h + b"=1")
    one("env-name-x", lambda h, b: b'Environment="N' + _x(b) + h + b'=1"')
    one("env-name-first-x", lambda h, b: b'Environment="' + _x(b) + b"N" + h + b'=1"')
    # Exec argv words (ExecStartPre= is a list: one command per line).
    one("exec-raw", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" a" + bytes([b]) + b"b")
    one("exec-quoted", lambda h, b: b'ExecStartPre=/bin/echo ' + h + b' "a' + bytes([b]) + b'b"')
    one("exec-x", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" a" + _x(b) + b"b")
    one("exec-octal", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" " + _o(b))
    one("exec-u", lambda h, b: b'ExecStartPre=/bin/echo ' + h + b' "' + _u(b) + b'"')
    one("exec-path-raw", lambda h, b: b"ExecStartPre=/bin/e" + bytes([b]) + b"cho " + h)
    one("exec-path-x", lambda h, b: b"ExecStartPre=/bin/e" + _x(b) + b"cho " + h)
    one("exec-escape", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" \\" + bytes([b]) + b"z")
    # List settings that are word lists.
    one("passenv-raw", lambda h, b: b"PassEnvironment=P" + bytes([b]) + h)
    one("passenv-x", lambda h, b: b"PassEnvironment=P" + _x(b) + h)
    one("unsetenv-x", lambda h, b: b"UnsetEnvironment=U" + _x(b) + h + b" W" + h + b"=a" + _x(b))
    one("rundir-raw", lambda h, b: b"RuntimeDirectory=r" + bytes([b]) + h)
    one("statedir-x", lambda h, b: b"StateDirectory=s" + _x(b) + h)
    # Settings whose bad value refuses the unit: one unit per byte.
    for b in BYTES:
        c.append(("user-raw-%02x" % b, "bt-user-%02x.service" % b,
                  HEAD + b"User=u" + bytes([b]) + b"u\n"))
        c.append(("groups-raw-%02x" % b, "bt-groups-%02x.service" % b,
                  HEAD + b"SupplementaryGroups=g" + bytes([b]) + b"g\n"))
    return c


def sha(text):
    return hashlib.sha256(text).hexdigest()


def systemd_answer(dump):
    """What the fixture keeps of systemd's parse of one unit."""
    f = dump["fields"]
    out = {"state": dump["state"]}
    if dump["state"] == "loaded":
        out["environment"] = list(f.get("Environment", []))
        out["ExecStartPre"] = dump["exec"].get("ExecStartPre", [])
        for k in LISTS:
            vals = list(f.get(k, []))
            if k == "SupplementaryGroups":
                vals = [w for v in vals for w in v.split()]
            for s in f.get(k + "Symlink", []):
                vals.append(s)
            out[k] = vals
    out["diagnostics"] = [[d["line"], d["message"]] for d in dump["diagnostics"]]
    return out


def record(_args):
    if not os.access("/lib/systemd/systemd", os.X_OK):
        print("bytes_table: systemd 252 is not installed", file=sys.stderr)
        return 3
    top = tempfile.mkdtemp(prefix="klein-bytes-")
    try:
        all_cases = cases()
        udir = os.path.join(top, "units")
        os.mkdir(udir)
        for _cid, name, text in all_cases:
            with open(os.path.join(udir, name), "wb") as fh:
                fh.write(text)
        with open(os.path.join(udir, "klein-bytes.target"), "w") as fh:
            fh.write("[Unit]\nDescription=bytes\n")
            for _cid, name, _t in all_cases:
                fh.write("Wants=%s\n" % name)
        os.chmod(top, 0o755)
        os.chmod(udir, 0o755)
        for f in os.listdir(udir):
            os.chmod(os.path.join(udir, f), 0o644)
        env = dict(os.environ, HOME="/tmp", SYSTEMD_UNIT_PATH=udir + ":")
        r = subprocess.run(
            ["timeout", "300", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             "/lib/systemd/systemd", "--test", "--system", "--unit=klein-bytes.target",
             "--log-target=console", "--no-pager"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd="/", check=False)
        text = r.stdout.decode("utf-8", "surrogateescape")
    finally:
        shutil.rmtree(top, ignore_errors=True)
    # Split the output: diagnostics name the unit file, dumps start at
    # "\t-> Unit NAME:".
    diags = {}
    dumps = {}
    cur = None
    pre = udir + "/"
    for ln in text.split("\n"):
        if not ln.startswith("\t") and pre in ln and cur is None:
            rest = ln[ln.index(pre) + len(pre):]
            name = rest.split(":", 1)[0]
            diags.setdefault(name, []).append("diag: " + rest)
            continue
        m = re.match(r"^\t-> Unit (.*):$", ln)
        if m:
            cur = m.group(1)
            dumps[cur] = [ln]
            continue
        if cur is not None:
            dumps[cur].append(ln)
    out = {}
    for cid, name, utext in all_cases:
        if name not in dumps:
            print("bytes_table: no dump for %s" % name, file=sys.stderr)
            return 1
        d = systemd_dump.parse_dump("\n".join(diags.get(name, []) + dumps[name]), name)
        out[cid] = {"sha256": sha(utext), "systemd": systemd_answer(d)}
    tmp = FIXTURE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"generated_by": "tests/porter/unit/bytes_table.py record (systemd 252)",
                   "cases": out}, fh, indent=0, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, FIXTURE)
    print("recorded %d cases into %s" % (len(out), os.path.relpath(FIXTURE)))
    return 0


def inspect_answer(porter, tmpdir, name, text):
    path = os.path.join(tmpdir, name)
    with open(path, "wb") as fh:
        fh.write(text)
    r = subprocess.run([porter, "inspect", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, check=False)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode < 0 or "Sanitizer" in err or "runtime error" in err:
        return {"crash": "rc %d: %s" % (r.returncode, err[-1500:])}
    js = json.loads(r.stdout.decode("utf-8", "surrogateescape"))
    out = {"state": js["state"]}
    if js["state"] == "loaded":
        out["environment"] = js["environment"]
        out["ExecStartPre"] = [c["argv"] for c in js["exec"].get("ExecStartPre", [])]
        svc = js["settings"].get("Service", {})
        for k in LISTS:
            v = svc.get(k)
            out[k] = [] if v is None else (v if isinstance(v, list) else [v])
    out["diagnostics"] = [[d["line"], d["message"]] for d in js["diagnostics"]
                          if d["file"] and os.path.basename(d["file"]) == name]
    return out


def check(args):
    with open(FIXTURE, encoding="utf-8") as fh:
        fx = json.load(fh)["cases"]
    todo = [c for c in cases() if fnmatch.fnmatch(c[0], args.only)]
    tmpdir = tempfile.mkdtemp(prefix="klein-bytes-check-")
    bad = 0
    try:
        def run(c):
            cid, name, text = c
            exp = fx.get(cid)
            if exp is None:
                return cid, ["no fixture (run bytes_table.py record)"]
            if exp["sha256"] != sha(text):
                return cid, ["stale fixture: the generated unit changed (run record)"]
            got = inspect_answer(args.porter, tmpdir, name, text)
            if "crash" in got:
                return cid, ["klein-porter crashed: " + got["crash"]]
            want = exp["systemd"]
            diffs = []
            for k in sorted(set(want) | set(got)):
                if want.get(k) != got.get(k):
                    diffs.append("%s:\n    systemd:      %s\n    klein-porter: %s" % (
                        k, json.dumps(want.get(k), ensure_ascii=True),
                        json.dumps(got.get(k), ensure_ascii=True)))
            return cid, diffs

        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as ex:
            for cid, diffs in ex.map(run, todo):
                if diffs:
                    bad += 1
                    print("DIFF %s" % cid)
                    for d in diffs:
                        print("  " + d)
                elif args.verbose:
                    print("ok   %s" % cid)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print("%d passed, %d failed" % (len(todo) - bad, bad))
    return 1 if bad or not todo else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--porter", required=True)
    c.add_argument("--only", default="*")
    c.add_argument("-v", "--verbose", action="store_true")
    sub.add_parser("record")
    a = ap.parse_args()
    return check(a) if a.cmd == "check" else record(a)


if __name__ == "__main__":
    sys.exit(main())
