# SPDX-License-Identifier: MIT
"""Differential test of [Socket] parsing: klein-porter inspect against systemd
252's own dump of every real .socket unit of the socktimer corpus
(../shared/corpus/socktimer-dev/expected/*/PKG/UNIT.dump, recorded with
tools/systemd-oracle-units).

python3 socket_oracle.py KLEIN_PORTER CORPUS_DIR

Compared per unit: refused or loaded; every Listen*= address in systemd's
canonical print (socket_address_print(): a bare port is [::]:PORT, IPv6 in
brackets) as klein-svc will parse the porter's raw value; Accept= (systemd
dumps "Accepted:" only for Accept=yes); SocketMode=, DirectoryMode=,
FileDescriptorName= (default: the unit name), Backlog=, BindIPv6Only=,
MaxConnections=, Symlinks= and the booleans, with systemd's defaults."""
import ipaddress
import json
import os
import re
import subprocess
import sys

BOOLS = ["KeepAlive", "NoDelay", "FreeBind", "Transparent", "Broadcast", "PassCredentials",
         "PassSecurity", "RemoveOnStop", "Writable"]
LISTEN = ["ListenStream", "ListenDatagram", "ListenSequentialPacket", "ListenFIFO",
          "ListenSpecial", "ListenNetlink", "ListenMessageQueue", "ListenUSBFunction"]
TRUE = {"1", "yes", "y", "true", "t", "on"}


def canonical(key, v):
    """socket_address_print() of what klein-svc parses from the raw value."""
    if key not in ("ListenStream", "ListenDatagram", "ListenSequentialPacket"):
        return v
    if v.startswith("/") or v.startswith("@") or v.startswith("vsock:"):
        return v
    if re.fullmatch(r"[0-9]+", v):
        return "[::]:%d" % int(v)
    m = re.fullmatch(r"\[([^\]]+)\]:([0-9]+)(%.*)?", v)
    if m:
        return "[%s]:%d" % (ipaddress.IPv6Address(m.group(1)).compressed, int(m.group(2)))
    m = re.fullmatch(r"([0-9.]+):([0-9]+)(%.*)?", v)
    if m:
        return "%s:%d" % (ipaddress.IPv4Address(m.group(1)), int(m.group(2)))
    return "INVALID " + v


def dump_fields(path):
    fields, diags = {}, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("diag:"):
                diags.append(line.strip())
                continue
            m = re.match(r"\t\t([A-Za-z0-9 ]+): (.*)$", line.rstrip("\n"))
            if m:
                fields.setdefault(m.group(1), []).append(m.group(2))
    return fields, diags


def ours(porter, unit_path, instance):
    cmd = [porter, "inspect", unit_path]
    if instance:
        cmd[2:2] = ["--instance", instance]
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False)
    return json.loads(r.stdout)


def one(porter, unit_path, dump):
    name = os.path.basename(unit_path)
    instance = "test" if name.endswith("@.socket") else None
    fields, diags = dump_fields(dump)
    j = ours(porter, unit_path, instance)
    problems = []
    refused = fields.get("Unit Load State", [""])[0] != "loaded"
    if refused != (j["state"] != "loaded"):
        return ["state: systemd %s, klein-porter %s" % (
            "refused" if refused else "loaded", j["state"])]
    if refused:
        return []
    s = j["settings"].get("Socket", {})

    def val(key, default):
        v = s.get(key)
        return default if v is None else v

    want_listen, got_listen = [], []
    for key, values in fields.items():
        if key in LISTEN:
            want_listen += ["%s: %s" % (key, v) for v in values]
    for key in LISTEN:
        for v in s.get(key, []):
            if key == "ListenNetlink":
                continue  # printed as "FAMILY GROUP" by systemd; dropped by klein
            got_listen.append("%s: %s" % (key, canonical(key, v)))
    want_listen = [w for w in want_listen if not w.startswith("ListenNetlink")]
    if sorted(want_listen) != sorted(got_listen):
        problems.append("listen: systemd %r, klein %r" % (want_listen, got_listen))
    accept = val("Accept", "no") in TRUE
    if accept != ("Accepted" in fields):
        problems.append("Accept: systemd %s" % ("Accepted" in fields))
    checks = {
        "SocketMode": ("%04o" % int(val("SocketMode", "0666"), 8)),
        "DirectoryMode": ("%04o" % int(val("DirectoryMode", "0755"), 8)),
        "FileDescriptorName": val("FileDescriptorName", j["name"]),
        "Backlog": val("Backlog", "2147483647"),
        "BindIPv6Only": val("BindIPv6Only", "default"),
    }
    if accept:
        checks["MaxConnections"] = val("MaxConnections", "64")
    for b in BOOLS:
        checks[b] = "yes" if val(b, "no") in TRUE else "no"
    for key, want in checks.items():
        got = fields.get(key, [None])[-1]
        if got != want:
            problems.append("%s: systemd %r, klein %r" % (key, got, want))
    if "Symlinks" in fields or s.get("Symlinks"):
        if fields.get("Symlinks", [""])[0].split() != s.get("Symlinks", []):
            problems.append("Symlinks: systemd %r, klein %r" % (fields.get("Symlinks"),
                                                                s.get("Symlinks")))
    return problems


def main():
    porter, corpus = sys.argv[1], sys.argv[2]
    units_root = os.path.join(corpus, "units")
    if not os.path.isdir(units_root):
        print("SKIP: no corpus at %s" % corpus)
        return 77
    n, failures = 0, []
    for release in sorted(os.listdir(units_root)):
        rel = os.path.join(units_root, release)
        if not os.path.isdir(rel):
            continue
        for pkg in sorted(os.listdir(rel)):
            d = os.path.join(rel, pkg)
            if not os.path.isdir(d):
                continue
            for f in sorted(os.listdir(d)):
                if not f.endswith(".socket"):
                    continue
                dump = os.path.join(corpus, "expected", release, pkg, f + ".dump")
                if not os.path.exists(dump):
                    continue
                n += 1
                for p in one(porter, os.path.join(d, f), dump):
                    failures.append("%s/%s/%s: %s" % (release, pkg, f, p))
    for f in failures:
        print("FAIL " + f)
    print("%d socket units compared with systemd 252, %d differences" % (n, len(failures)))
    return 1 if failures or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
