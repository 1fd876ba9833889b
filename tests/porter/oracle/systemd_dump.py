# SPDX-License-Identifier: MIT
"""systemd_dump: run a systemd oracle (252, or 257 in the trixie chroot) and
read its `systemd --test` dump.

Shared by the corpus recorder/comparer and the vector runner, so that both
read systemd's answers the same way. Standard library only.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# The `*Directory=` lists the fixtures keep (the dump prints one line per item).
EXEC_DIRECTORIES = ("RuntimeDirectory", "StateDirectory", "CacheDirectory",
                    "LogsDirectory", "ConfigurationDirectory")

_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
              "t": "\t", "v": "\v"}


# The oracles by systemd version: the script in shared/tools/ and the
# systemd binary it runs (252 is this machine's own; 257 lives in a Debian 13
# chroot that shared/tools/systemd257-oracle describes). Both print the same
# `systemd --test` dump, so everything below reads either.
TRIXIE_ROOT = os.environ.get("TRIXIE_ROOT", "/var/tmp/klein-trixie-root")
ORACLES = {
    "252": ("systemd-oracle", "/lib/systemd/systemd"),
    "257": ("systemd257-oracle", os.path.join(TRIXIE_ROOT, "usr/lib/systemd/systemd")),
}


# %b expands to the boot ID, which differs on every boot: recorded fixtures
# hold this mark where the recording machine's ID was, and the comparisons
# put it where this boot's ID is.
BOOT_ID_MARK = "@BOOT_ID@"


def boot_id():
    with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
        return fh.read().strip().replace("-", "")


def without_boot_id(answer):
    """answer (any JSON value) with this boot's ID replaced by BOOT_ID_MARK."""
    return json.loads(json.dumps(answer).replace(boot_id(), BOOT_ID_MARK))


def oracle_path(shared=None, version="252"):
    """The oracle script for VERSION: $KLEIN_ORACLE (252 only), else
    tools/ in $KLEIN_SHARED, else in shared/ beside the repo."""
    env = os.environ.get("KLEIN_ORACLE")
    if env and version == "252":
        return env
    if shared is None:
        shared = os.environ.get("KLEIN_SHARED") or os.path.join(HERE, "..", "..", "..", "..", "shared")
    return os.path.normpath(os.path.join(shared, "tools", ORACLES[version][0]))


def oracle_available(shared=None, version="252"):
    """True when the oracle script and its systemd are both present (257's
    chroot is made by the ctest fixture porter.trixie_chroot, not here)."""
    return (os.access(oracle_path(shared, version), os.X_OK)
            and os.access(ORACLES[version][1], os.X_OK))


def unquote_command_line(line):
    """Splits a dump "Command Line:" back into argv.

    systemd prints argv with quote_command_line(): a word that needs it is put
    in double quotes with backslash escapes (\\" \\\\ \\$ \\` and cescape's
    \\n \\t ... \\ooo for control bytes); an empty word is "". Unquoted words
    are verbatim. Quotes could in principle start inside a word, so this scans
    characters rather than whole words.
    """
    raw = line.encode("utf-8", "surrogateescape")
    argv = []
    word = bytearray()
    in_word = False
    quoted = False
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i:i + 1]
        if quoted:
            if c == b'"':
                quoted = False
                i += 1
                continue
            if c == b"\\" and i + 1 < n:
                e = chr(raw[i + 1])
                if e in _C_ESCAPES:
                    word += _C_ESCAPES[e].encode()
                    i += 2
                elif e == "x" and re.fullmatch(rb"[0-9a-fA-F]{2}", raw[i + 2:i + 4]):
                    word.append(int(raw[i + 2:i + 4], 16))
                    i += 4
                elif re.fullmatch(rb"[0-7]{3}", raw[i + 1:i + 4]):
                    word.append(int(raw[i + 1:i + 4], 8) & 0xFF)
                    i += 4
                else:
                    word += raw[i + 1:i + 2]
                    i += 2
                continue
            word += c
            i += 1
            continue
        if c == b" ":
            if in_word:
                argv.append(word)
                word = bytearray()
                in_word = False
            i += 1
            continue
        in_word = True
        if c == b'"':
            quoted = True
        else:
            word += c
        i += 1
    if quoted:
        raise ValueError("unbalanced quote in command line: %r" % line)
    if in_word:
        argv.append(word)
    return [bytes(w).decode("utf-8", "surrogateescape") for w in argv]


def parse_dump(text, name):
    """Reads the oracle's output for unit NAME.

    Returns {"state", "diagnostics": [{"file", "line", "message"}],
    "fields": {key: [values]}, "exec": {key: [argv, ...]}} where fields holds
    the unit's own dump lines (first-level "Key: value", repeated keys in
    order). "state" is "missing" when systemd printed no dump for the unit.
    """
    diags = []
    lines = []
    on = False
    for ln in text.split("\n"):
        if ln.startswith("diag: ") and not on:
            m = re.match(r"diag: (.*?):(\d+): (.*)$", ln)
            if m:
                diags.append({"file": m.group(1), "line": int(m.group(2)),
                              "message": m.group(3)})
            else:
                diags.append({"file": None, "line": 0, "message": ln[6:]})
            continue
        if ln == "\t-> Unit %s:" % name:
            on = True
            continue
        if on:
            lines.append(ln)
    # The dump has no blank lines of its own: a blank line inside it is a
    # value's newline followed by nothing ("A=\n"); trailing ones are not.
    while lines and lines[-1] == "":
        lines.pop()
    fields = {}
    execs = {}
    cur_exec = None
    last = None  # (key, index) of the last field, for values with newlines
    for ln in lines:
        if ln.startswith("\t\t-> "):
            key = ln[5:].rstrip(":")
            cur_exec = key if key.startswith("Exec") else None
            if cur_exec is not None:
                execs.setdefault(cur_exec, [])
            last = None
            continue
        if ln.startswith("\t\t\t"):
            if cur_exec is not None and ln.startswith("\t\t\tCommand Line: "):
                execs[cur_exec].append(unquote_command_line(ln[len("\t\t\tCommand Line: "):]))
            continue
        if ln.startswith("\t\t"):
            cur_exec = None
            key, sep, value = ln[2:].partition(": ")
            if not sep:
                key, value = ln[2:].rstrip(":"), ""
            fields.setdefault(key, []).append(value)
            last = (key, len(fields[key]) - 1)
            continue
        if last is not None:
            # A value that contained a newline (e.g. Environment="A=a\nb").
            key, idx = last
            fields[key][idx] += "\n" + ln
    state = fields.get("Unit Load State", ["missing"])[0]
    return {"state": state, "diagnostics": diags, "fields": fields, "exec": execs}


def run_oracle(unit_file, instance=None, dropins=(), shared=None, timeout=60, version="252"):
    """Runs the oracle on UNIT_FILE (+ drop-in files); returns (name, text).

    The name is the one the oracle loads: a template foo@.service becomes
    foo@INSTANCE.service (the oracle's default instance is "test").
    """
    base = os.path.basename(unit_file)
    cmd = [oracle_path(shared, version), unit_file]
    inst = instance if instance is not None else "test"
    if base.endswith("@.service"):
        name = base[:-len("@.service")] + "@" + inst + ".service"
        cmd += ["-i", inst]
    else:
        name = base
    cmd += list(dropins)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, check=False)
    text = r.stdout.decode("utf-8", "surrogateescape")
    return name, text


def run_systemd_tree(unit_dirs, name, timeout=60):
    """Like the oracle script, but over several unit directories (highest
    priority first), for drop-in precedence cases the oracle's single
    directory cannot express. Returns the text in the oracle's format."""
    top = tempfile.mkdtemp(prefix="klein-oracle-")
    try:
        with open(os.path.join(top, "klein-oracle.target"), "w") as fh:
            fh.write("[Unit]\nDescription=oracle\nWants=%s\n" % name)
        for d in [top] + list(unit_dirs):
            for dirpath, dirnames, filenames in os.walk(d):
                os.chmod(dirpath, 0o755)
                for f in filenames:
                    p = os.path.join(dirpath, f)
                    if not os.path.islink(p):
                        os.chmod(p, 0o644)
        # Every parent of the dirs must be searchable by nobody too.
        for d in unit_dirs:
            p = os.path.dirname(os.path.abspath(d))
            while p not in ("/", ""):
                st = os.stat(p)
                os.chmod(p, st.st_mode | 0o111)
                p = os.path.dirname(p)
        env = dict(os.environ, HOME="/tmp",
                   SYSTEMD_UNIT_PATH=":".join([top] + list(unit_dirs)) + ":")
        r = subprocess.run(
            ["timeout", str(timeout), "setpriv", "--reuid=65534", "--regid=65534",
             "--clear-groups", "/lib/systemd/systemd", "--test", "--system",
             "--unit=klein-oracle.target", "--log-target=console", "--no-pager"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd="/",
            check=False)
        text = r.stdout.decode("utf-8", "surrogateescape")
    finally:
        shutil.rmtree(top, ignore_errors=True)
    out = []
    on = False
    for ln in text.split("\n"):
        if not on and not ln.startswith("\t") and any(d in ln for d in unit_dirs):
            for d in unit_dirs:
                ln = ln.replace(os.path.join(d, ""), "")
            out.append("diag: " + ln)
            continue
        if ln == "\t-> Unit %s:" % name:
            on = True
        elif on and ln.startswith("\t-> Unit "):
            break
        if on:
            out.append(ln)
    return "\n".join(out)


def fixture_from_dump(d):
    """The normalized fixture the corpus test compares: systemd's final values
    of the settings klein-porter must get right."""
    f = d["fields"]
    fx = {"state": d["state"]}
    if d["state"] != "loaded":
        return fx

    def one(key):
        v = f.get(key)
        return v[-1] if v else None

    fx["Type"] = one("Type")
    fx["User"] = one("User")
    fx["Group"] = one("Group")
    fx["WorkingDirectory"] = one("WorkingDirectory")
    fx["PIDFile"] = one("PIDFile")
    fx["EnvironmentFile"] = list(f.get("EnvironmentFile", []))
    groups = []
    for v in f.get("SupplementaryGroups", []):
        groups += v.split()
    fx["SupplementaryGroups"] = groups
    for k in EXEC_DIRECTORIES:
        fx[k] = list(f.get(k, []))
    fx["environment"] = list(f.get("Environment", []))
    fx["exec"] = {k: v for k, v in d["exec"].items()}
    return fx
