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


LOW = range(0x01, 0x80)

def _unit(fmt, bs):
    """A unit with one line per byte: fmt(hex_name, byte) -> line bytes."""
    out = HEAD
    for b in bs:
        out += fmt(b"%02X" % b, b) + b"\n"
    return out


# Bytes that end or break the whole unit in some context (a line break, a
# quote or backslash that makes systemd refuse an Exec line and so the
# unit): they get a unit of their own, so that every other byte of the
# context is still checked.
BREAKERS = frozenset(b"\n\r\"'\\;%")
# Bytes that make a user/group name or an executable path invalid, which
# refuses the unit: control characters, DEL, '/', ':' (and the breakers).
FATAL_NAME = BREAKERS | frozenset(range(0x01, 0x20)) | frozenset(b"\x7f/:")


# systemd 252's exit status names, and names it does not have.
EXIT_NAMES = (
    "SUCCESS FAILURE INVALIDARGUMENT NOTIMPLEMENTED NOPERMISSION NOTINSTALLED "
    "NOTCONFIGURED NOTRUNNING USAGE DATAERR NOINPUT NOUSER NOHOST UNAVAILABLE SOFTWARE "
    "OSERR OSFILE CANTCREAT IOERR TEMPFAIL PROTOCOL NOPERM CONFIG CHDIR NICE FDS EXEC "
    "MEMORY LIMITS OOM_ADJUST SIGNAL_MASK STDIN STDOUT CHROOT IOPRIO TIMERSLACK SECUREBITS "
    "SETSCHEDULER CPUAFFINITY GROUP USER CAPABILITIES CGROUP SETSID CONFIRM STDERR PAM "
    "NETWORK NAMESPACE NO_NEW_PRIVILEGES SECCOMP SELINUX_CONTEXT PERSONALITY "
    "APPARMOR APPARMOR_PROFILE ADDRESS_FAMILIES RUNTIME_DIRECTORY CHOWN SMACK_PROCESS_LABEL KEYRING "
    "STATE_DIRECTORY CACHE_DIRECTORY LOGS_DIRECTORY CONFIGURATION_DIRECTORY NUMA_POLICY "
    "CREDENTIALS BPF EXCEPTION TIMEOUT WATCHDOG SIGNAL CORE ABORT").split()

# Valid and invalid values per setting (the corpus's settings that matter to
# the translator), checked line by line against systemd's warnings.
VALUES = (
    ("Restart", ("no", "always", "on-failure", "on-abnormal", "on-watchdog", "on-abort",
                 "on-success", "bogus", "Always", "on failure", "1")),
    ("KillMode", ("control-group", "process", "mixed", "bogus", "Process", "")),
    ("NotifyAccess", ("none", "main", "exec", "all", "bogus", "Main")),
    ("StandardOutput", ("inherit", "null", "tty", "journal", "kmsg", "journal+console",
                        "kmsg+console", "socket", "file:/var/log/x", "append:/var/log/x",
                        "truncate:/var/log/x", "file:rel", "fd:foo", "syslog", "bogus",
                        "Journal", "data")),
    ("StandardError", ("inherit", "journal", "bogus", "syslog+console")),
    ("StandardInput", ("null", "tty", "data", "socket", "file:/dev/null", "append:/x",
                       "bogus")),
    ("UMask", ("0022", "022", "77", "0777", "07777", "10000", "8", "-1", "0x1f", "bogus",
               " 0027")),
    ("TimeoutStopSec", ("5", "5s", "1min 30s", "infinity", "0", "5x", "-1", "bogus",
                        "1.5", "1h2m3s", "300ms")),
    ("TimeoutStartSec", ("5", "infinity", "5x", "bogus")),
    ("TimeoutSec", ("5", "bogus", "infinity")),
    ("RestartSec", ("5", "100ms", "2min", "infinity", "-5", "bogus", "5 5", "1y")),
    ("Nice", ("0", "-20", "19", "20", "-21", "+5", "5.5", "bogus", " 7")),
    ("OOMScoreAdjust", ("0", "-1000", "1000", "1001", "-1001", "+5", "bogus", "5.0")),
    ("LimitNOFILE", ("1024", "1024:4096", "4096:1024", "infinity", "infinity:infinity",
                     "1K", "bogus", "-1", "1:", ":1", "0")),
    ("LimitCORE", ("0", "infinity", "1G", "1.5M", "10:20", "bogus", "1X")),
    ("LimitCPU", ("10", "10s", "1min", "infinity", "bogus")),
    ("LimitNPROC", ("100", "infinity", "1K", "bogus")),
    ("LimitMEMLOCK", ("64K", "infinity", "8M:16M", "bogus")),
    ("LimitRTTIME", ("1000", "1s", "infinity", "bogus")),
    ("LimitNICE", ("0", "19", "-20", "+10", "40", "41", "bogus")),
    ("SuccessExitStatus", ("0", "1 2 3", "255", "256", "-1", "SIGTERM", "TERM", "SIGFOO",
                           "bogus 4", "SIGKILL 9", "1,2", "", "09", "010", "0x1", "0xff",
                           "0x100", "+5", '"5"', "RTMIN+1", "SIGRTMAX-2", "EXIT_FAILURE",
                           "1.0", "success")),
    ("SuccessExitStatus", (" ".join(EXIT_NAMES),)),
    ("RestartPreventExitStatus", ("1", "SIGHUP", "300", "bogus")),
    ("RestartForceExitStatus", ("2", "SIGUSR1", "x")),
    ("KillSignal", ("SIGTERM", "TERM", "15", "SIGRTMIN+1", "RTMAX-1", "SIGFOO", "0",
                    "65", "bogus")),
    ("Type", ("simple", "forking", "bogus", "Simple")),
    ("RemainAfterExit", ("yes", "no", "on", "off", "1", "0", "true", "false", "bogus",
                         "YES", "y", "t")),
    ("WorkingDirectory", ("/srv", "-/srv/x", "~", "-~", "/srv//x/", "-relative",
                          "/a/../b")),
    ("PIDFile", ("/run/x.pid", "/var/run/x.pid", "x.pid", "/var/run//y.pid", "/run//z/",
                 "%t/q.pid", "%Z")),
    ("PIDFile", ("../x",)),
    ("PIDFile", ("/run/../x",)),
    ("LimitNICE", ("40:41",)),
)


def cases():
    """[(case_id, unit_file_name, unit_bytes)] in a fixed order.

    Raw bytes 0x80..0xff are never valid UTF-8 on their own, and systemd
    refuses such a line before it looks at the key: that is checked once
    (raw-high-XX, one unit per byte, plus valid multi-byte sequences), the
    other raw contexts cover 0x01..0x7f. Escaped forms cover 0x01..0xff."""
    c = []

    def ctx(cid, fmt, bs=BYTES, alone=BREAKERS):
        group = [b for b in bs if b not in alone]
        c.append((cid, "bt-%s.service" % cid, _unit(fmt, group)))
        for b in bs:
            if b in alone:
                c.append(("%s-%02x" % (cid, b), "bt-%s-%02x.service" % (cid, b),
                          _unit(fmt, [b])))

    def each(cid, fmt, bs):
        for b in bs:
            c.append(("%s-%02x" % (cid, b), "bt-%s-%02x.service" % (cid, b), _unit(fmt, [b])))

    # Environment= values.
    ctx("env-value-raw", lambda h, b: b"Environment=V" + h + b"=a" + bytes([b]) + b"b", LOW)
    ctx("env-value-quoted", lambda h, b: b'Environment="V' + h + b"=a" + bytes([b]) + b'b"', LOW)
    ctx("env-value-x", lambda h, b: b'Environment="V' + h + b"=a" + _x(b) + b'b"')
    ctx("env-value-x-alone", lambda h, b: b"Environment=V" + h + b"=" + _x(b))
    ctx("env-value-octal", lambda h, b: b'Environment="V' + h + b"=" + _o(b) + b'"')
    ctx("env-value-u", lambda h, b: b'Environment="V' + h + b"=a" + _u(b) + b'b"')
    # Environment= names.
    ctx("env-name-raw", lambda h, b: b"Environment=N" + bytes([b]) + h + b"=1", LOW)
    ctx("env-name-x", lambda h, b: b'Environment="N' + _x(b) + h + b'=1"')
    ctx("env-name-first-x", lambda h, b: b'Environment="' + _x(b) + b"N" + h + b'=1"')
    # Exec argv words (ExecStartPre= is a list: one command per line).
    ctx("exec-raw", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" a" + bytes([b]) + b"b", LOW)
    ctx("exec-quoted", lambda h, b: b'ExecStartPre=/bin/echo ' + h + b' "a' + bytes([b]) + b'b"',
        LOW)
    ctx("exec-x", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" a" + _x(b) + b"b")
    ctx("exec-octal", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" " + _o(b))
    ctx("exec-u", lambda h, b: b'ExecStartPre=/bin/echo ' + h + b' "' + _u(b) + b'"')
    ctx("exec-escape", lambda h, b: b"ExecStartPre=/bin/echo " + h + b" \\" + bytes([b]) + b"z",
        LOW)
    # A bad byte in the executable's path refuses the unit: those alone.
    ctx("exec-path-raw", lambda h, b: b"ExecStartPre=/bin/e" + bytes([b]) + b"cho " + h, LOW,
        FATAL_NAME)
    ctx("exec-path-x", lambda h, b: b"ExecStartPre=/bin/e" + _x(b) + b"cho " + h, BYTES,
        FATAL_NAME)
    # List settings that are word lists.
    ctx("passenv-raw", lambda h, b: b"PassEnvironment=P" + bytes([b]) + h, LOW)
    ctx("passenv-x", lambda h, b: b"PassEnvironment=P" + _x(b) + h)
    ctx("unsetenv-x", lambda h, b: b"UnsetEnvironment=U" + _x(b) + h + b" W" + h + b"=a" + _x(b))
    ctx("rundir-raw", lambda h, b: b"RuntimeDirectory=r" + bytes([b]) + h, LOW)
    ctx("statedir-x", lambda h, b: b"StateDirectory=s" + _x(b) + h)
    # A bad user or group name refuses the unit: those bytes alone.
    ctx("user-raw", lambda h, b: b"User=u" + bytes([b]) + b"u", LOW, FATAL_NAME)
    ctx("groups-raw", lambda h, b: b"SupplementaryGroups=g" + bytes([b]) + b"g", LOW,
        FATAL_NAME)
    # Value checks of the settings the translator reads: each value on its
    # own line; systemd's warnings (and the state) must match.
    seen = {}
    for key, vals in VALUES:
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = "%s-%d" % (key, seen[key])
        c.append(("values-%s" % key, "bt-values-%s.service" % key, HEAD + b"".join(
            b"%s=%s\n" % (key.split("-")[0].encode(), v.encode()) for v in vals)))
    # Raw bytes >= 0x80: never UTF-8 alone, refused at the line level.
    each("raw-high", lambda h, b: b"Environment=V" + h + b"=a" + bytes([b]) + b"b",
         range(0x80, 0x100))
    c.append(("raw-utf8", "bt-raw-utf8.service", HEAD + "".join(
        "Environment=V%d=a%sb\nExecStartPre=/bin/echo a%sb\n" % (i, ch, ch)
        for i, ch in enumerate("\u00e9\u20ac\U0001f600\u00a0\u2028\ufeff")).encode()))
    return c


def first_line(msg):
    """systemd's console log splits a message at each LF or CR and prints
    the pieces as separate lines; only the first carries FILE:LINE, so only
    that piece can be compared."""
    return re.split(r"[\n\r]", msg, maxsplit=1)[0]


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
            out[k] = vals
            if k.endswith("Directory"):
                out[k + "Symlink"] = list(f.get(k + "Symlink", []))
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
        out[cid] = {"sha256": sha(utext), "systemd": systemd_dump.without_boot_id(systemd_answer(d))}
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
            if k.endswith("Directory"):
                # inspect keeps "SRC:DST" as one item; the dump shows SRC
                # among the directories and SRC:DST as a ...Symlink line.
                # In SRC, ':' and '\\' are escaped with '\\'.
                split = [re.match(r"((?:[^:\\]|\\.)*)(?::(.*))?$", i, re.S).groups()
                         for i in out[k]]
                split = [(re.sub(r"\\(.)", r"\1", a), b) for a, b in split]
                out[k + "Symlink"] = ["%s:%s" % (a, b) for a, b in split if b is not None]
                dirs = []
                for a, _b in split:
                    if a not in dirs:
                        dirs.append(a)
                out[k] = dirs
    out["diagnostics"] = [[d["line"], first_line(d["message"])] for d in js["diagnostics"]
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
            got = systemd_dump.without_boot_id(got)
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
