# SPDX-License-Identifier: MIT
"""Differential test of [Socket] parsing: klein-porter inspect against systemd
252's own dump of every real .socket unit of the socktimer corpus
(../shared/corpus/socktimer-dev/expected/*/PKG/UNIT.dump, recorded with
tools/systemd-oracle-units), and of the hand-written units in socket_cases/
(invalid and edge-case values; socket_cases/expected/NAME.dump recorded with
`systemd-oracle-units socket_cases/units/NAME > .../NAME.dump`).

python3 socket_oracle.py KLEIN_PORTER CORPUS_DIR          recorded dumps
python3 socket_oracle.py --live KLEIN_PORTER CORPUS_DIR   systemd asked now
                                                          (exit 77 without it)

Compared per unit: refused or loaded; every Listen*= address in systemd's
canonical print (socket_address_print(): a bare port is [::]:PORT, IPv6 in
brackets) as klein-svc will parse the porter's raw value; Accept= (systemd
dumps "Accepted:" only for Accept=yes); SocketMode=, DirectoryMode=,
FileDescriptorName= (default: the unit name), Backlog=, BindIPv6Only=,
MaxConnections=, Symlinks= and the booleans, with systemd's defaults; the
triggered Service, BindToDevice=, SocketUser=/SocketGroup=, KeepAlive*=,
DeferAcceptSec=, the buffer sizes, MaxConnectionsPerSource=, Timestamping=,
SocketProtocol=, IPTOS=/IPTTL=/Mark=, TriggerLimit*=, ListenNetlink= and the
Exec*= command lines; and systemd's warnings (FILE:LINE: MESSAGE) and
refusals, which must be exactly inspect's."""
import ipaddress
import json
import os
import re
import shutil
import subprocess
import tempfile
import sys

BOOLS = ["KeepAlive", "NoDelay", "FreeBind", "Transparent", "Broadcast", "PassCredentials",
         "PassSecurity", "PassPacketInfo", "RemoveOnStop", "Writable"]
SPAN = {"us": 1, "usec": 1, "ms": 1000, "msec": 1000, "s": 10**6, "sec": 10**6,
        "min": 60 * 10**6, "m": 60 * 10**6, "h": 3600 * 10**6, "hr": 3600 * 10**6,
        "d": 86400 * 10**6, "w": 7 * 86400 * 10**6, "month": 2629800 * 10**6,
        "y": 31557600 * 10**6}
SIZE = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
NETLINK = ["route", "firewall", "inet-diag", "nflog", "xfrm", "selinux", "iscsi", "audit",
           "fib-lookup", "connector", "netfilter", "ip6-fw", "dnrtmsg", "kobject-uevent",
           "generic", "scsitransport", "ecryptfs", "rdma"]
OPTIONAL = {"KeepAliveProbes", "SendBuffer", "ReceiveBuffer", "PipeSize", "Mark", "IPTTL",
            "IPTOS"}  # dumped only when set (non-zero)
ORACLE = "/work/shared/tools/systemd-oracle-units"
HERE = os.path.dirname(os.path.abspath(__file__))


def span(text):
    """A time span (unit file or format_timespan()) in usec."""
    total = 0
    for num, unit in re.findall(r"([\d.]+)\s*([a-z]*)", text):
        total += int(float(num) * SPAN[unit or "s"])
    return total


def size(text):
    total = 0
    for num, unit in re.findall(r"([\d.]+)\s*([A-Z]?)", text):
        total += int(float(num) * SIZE[unit])
    return str(total)


def netlink(v):
    """systemd's "FAMILY GROUP" print of a ListenNetlink= value."""
    w = v.split()
    fam = w[0] if w[0] in NETLINK else NETLINK[int(w[0], 0)]
    return "%s %d" % (fam, int(w[1], 0) if len(w) > 1 else 0)


def c_int(v):
    return str(int(v, 0) if not re.fullmatch(r"[+-]?0[0-7]+", v) else int(v, 8))
LISTEN = ["ListenStream", "ListenDatagram", "ListenSequentialPacket", "ListenFIFO",
          "ListenSpecial", "ListenNetlink", "ListenMessageQueue", "ListenUSBFunction"]
TRUE = {"1", "yes", "y", "true", "t", "on"}


def canonical(key, v):
    """socket_address_print() of what klein-svc parses from the raw value."""
    if key not in ("ListenStream", "ListenDatagram", "ListenSequentialPacket"):
        return v
    if v.startswith("/var/run/"):
        return v[4:]
    if v.startswith("vsock:"):
        cid, port = v[6:].split(":")
        cid = "" if not cid or int(cid, 0) == 0xffffffff else str(int(cid, 0))
        return "vsock:%s:%d" % (cid, int(c_int(port)))
    if v.startswith("/") or v.startswith("@"):
        return v
    if re.fullmatch(r"\+?(0x[0-9a-fA-F]+|[0-9]+)", v):
        return "[::]:%s" % c_int(v.lstrip("+"))
    m = re.fullmatch(r"\[([^\]]+)\]:(\+?\w+)(%.*)?", v)
    if m:
        a = ipaddress.IPv6Address(m.group(1))
        host = "::ffff:%s" % a.ipv4_mapped if a.ipv4_mapped else a.compressed
        return "[%s]:%s%s" % (host,
                              c_int(m.group(2).lstrip("+")), m.group(3) or "")
    m = re.fullmatch(r"([0-9.]+):(\+?\w+)(%.*)?", v)
    if m:
        return "%s:%s" % (ipaddress.IPv4Address(m.group(1)), c_int(m.group(2).lstrip("+")))
    return "INVALID " + v


def dump_fields(path):
    """The dump's fields (each a list, in order), diag lines and Exec argv."""
    fields, diags, execs, cur = {}, [], {}, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("diag:"):
                diags.append(line.strip())
                continue
            m = re.match(r"\t-> (Exec\w+):$", line.rstrip("\n"))
            if m:
                cur = m.group(1)
                continue
            m = re.match(r"\t+Command Line: (.*)$", line.rstrip("\n"))
            if m and cur:
                execs.setdefault(cur, []).append(m.group(1))
                continue
            m = re.match(r"\t\t([A-Za-z0-9 ]+): (.*)$", line.rstrip("\n"))
            if m:
                fields.setdefault(m.group(1), []).append(m.group(2))
    return fields, diags, execs


def ours(porter, unit_path, instance):
    cmd = [porter, "inspect", unit_path]
    if instance:
        cmd[2:2] = ["--instance", instance]
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False)
    return json.loads(r.stdout)


def diag_problems(name, diags, j):
    """systemd's positioned warnings and its refusals against inspect's."""
    want = []
    for d in diags:
        m = re.match(r"diag: ([^:]+):(\d+): (.*)$", d)
        if m:
            want.append((int(m.group(2)), m.group(3).rstrip()))
            continue
        m = re.match(r"diag: ([^:]+): (.*Refusing\.)$", d)
        if m and m.group(1) == name:
            want.append((0, m.group(2)))
    got = [(d["line"] or 0, d["message"].rstrip()) for d in j["diagnostics"]
           if d["line"] or d["message"].endswith("Refusing.")]
    if want != got:
        return ["diagnostics: systemd %r, klein %r" % (want, got)]
    return []


def listen_problems(fields, s):
    want_listen, got_listen = [], []
    for key, values in fields.items():
        if key in LISTEN:
            want_listen += ["%s: %s" % (key, v) for v in values]
    for key in LISTEN:
        for v in s.get(key, []):
            v = netlink(v) if key == "ListenNetlink" else canonical(key, v)
            got_listen.append("%s: %s" % (key, v))
    if sorted(want_listen) != sorted(got_listen):
        return ["listen: systemd %r, klein %r" % (want_listen, got_listen)]
    return []


def exec_problems(execs, s):
    problems = []
    for key in ["ExecStartPre", "ExecStartPost", "ExecStopPre", "ExecStopPost"]:
        got = [" ".join(w.lstrip("-@+!:") if i == 0 else w for i, w in enumerate(c.split()))
               for c in s.get(key, [])]
        if execs.get(key, []) != got:
            problems.append("%s: systemd %r, klein %r" % (key, execs.get(key), got))
    return problems


def one(porter, unit_path, dump):
    name = os.path.basename(unit_path)
    instance = "test" if name.endswith("@.socket") else None
    fields, diags, execs = dump_fields(dump)
    j = ours(porter, unit_path, instance)
    problems = diag_problems(name.replace("@.", "@test."), diags, j)
    refused = fields.get("Unit Load State", [""])[0] != "loaded"
    if refused != (j["state"] != "loaded"):
        return problems + ["state: systemd %s, klein-porter %s" % (
            "refused" if refused else "loaded", j["state"])]
    if refused:
        return problems
    s = j["settings"].get("Socket", {})

    def val(key, default):
        v = s.get(key)
        return default if v is None or v == "" else v

    problems += listen_problems(fields, s) + exec_problems(execs, s)
    accept = val("Accept", "no") in TRUE
    if accept != ("Accepted" in fields):
        problems.append("Accept: systemd %s" % ("Accepted" in fields))
    bind6 = val("BindIPv6Only", "default")
    if bind6 not in ("default", "both", "ipv6-only"):
        bind6 = "ipv6-only" if bind6 in TRUE else "both"
    tstamp = val("Timestamping", "off")
    tstamp = {"usec": "us", "µs": "us", "μs": "us", "nsec": "ns"}.get(tstamp, tstamp)
    if tstamp not in ("off", "us", "ns"):
        tstamp = "ns" if tstamp in TRUE else "off"
    checks = {
        "SocketMode": ("%04o" % int(val("SocketMode", "0666"), 8)),
        "DirectoryMode": ("%04o" % int(val("DirectoryMode", "0755"), 8)),
        "FileDescriptorName": val("FileDescriptorName", j["name"]),
        "Backlog": c_int(val("Backlog", "2147483647")),
        "BindIPv6Only": bind6,
        "Timestamping": None if tstamp == "off" else tstamp,
        "BindToDevice": None if val("BindToDevice", "*") == "*" else s["BindToDevice"],
        "SocketUser": s.get("SocketUser") or None,
        "SocketGroup": s.get("SocketGroup") or None,
        "SocketProtocol": val("SocketProtocol", "ip"),
        "ReusePort": "yes" if val("ReusePort", "no") in TRUE else None,  # dumped when set
        "TriggerLimitBurst": c_int(val("TriggerLimitBurst", "200" if accept else "20")),
        "TriggerLimitIntervalSec": span(val("TriggerLimitIntervalSec", "2s")),
        "KeepAliveTimeSec": span(s["KeepAliveTimeSec"]) if "KeepAliveTimeSec" in s else None,
        "KeepAliveIntervalSec": (span(s["KeepAliveIntervalSec"])
                                 if "KeepAliveIntervalSec" in s else None),
        "DeferAcceptSec": span(s["DeferAcceptSec"]) if "DeferAcceptSec" in s else None,
        "KeepAliveProbes": c_int(s["KeepAliveProbes"]) if "KeepAliveProbes" in s else None,
        "SendBuffer": size(s["SendBuffer"]) if "SendBuffer" in s else None,
        "ReceiveBuffer": size(s["ReceiveBuffer"]) if "ReceiveBuffer" in s else None,
        "PipeSize": size(s["PipeSize"]) if "PipeSize" in s else None,
        "Mark": c_int(s["Mark"]) if "Mark" in s else None,
        "IPTTL": c_int(s["IPTTL"]) if "IPTTL" in s else None,
        "IPTOS": ({"low-delay": "16", "throughput": "8", "reliability": "4",
                   "low-cost": "2"}.get(s["IPTOS"]) or c_int(s["IPTOS"])) if "IPTOS" in s
                 else None,
    }
    spans = {"TriggerLimitIntervalSec", "KeepAliveTimeSec", "KeepAliveIntervalSec",
             "DeferAcceptSec"}
    if accept:
        checks["MaxConnections"] = c_int(val("MaxConnections", "64"))
        checks["MaxConnectionsPerSource"] = c_int(val("MaxConnectionsPerSource", "0"))
    for b in BOOLS:
        checks[b] = "yes" if val(b, "no") in TRUE else "no"
    for key, want in checks.items():
        got = fields.get(key, [None])[-1]
        got = None if got == "n/a" else got
        want = None if want == "0" and key in OPTIONAL else want
        if key in spans and got is not None:
            got = span(got)
        if got != want:
            problems.append("%s: systemd %r, klein %r" % (key, got, want))
    service = val("Service", j["name"].rsplit(".", 1)[0] + ".service")
    triggers = [t.split()[0] for t in fields.get("Triggers", [])]
    if not accept and triggers != [service]:  # Accept=yes: instances are made later
        problems.append("Service: systemd triggers %r, klein %r" % (triggers, service))
    if "Symlinks" in fields or s.get("Symlinks"):
        if fields.get("Symlinks", [""])[0].split() != s.get("Symlinks", []):
            problems.append("Symlinks: systemd %r, klein %r" % (fields.get("Symlinks"),
                                                                s.get("Symlinks")))
    return problems


def live_dump(unit_path, tmp):
    """systemd's dump of one unit now (systemd-oracle-units)."""
    out = os.path.join(tmp, os.path.basename(unit_path) + ".dump")
    with open(out, "w", encoding="utf-8") as f:
        subprocess.run([ORACLE, unit_path], stdout=f, stderr=subprocess.STDOUT, check=False)
    return out


def main():
    args = sys.argv[1:]
    live = args[:1] == ["--live"]
    if live:
        args = args[1:]
        if not os.access(ORACLE, os.X_OK) or not shutil.which("systemd", path=os.environ.get(
                "PATH", "") + ":/usr/lib/systemd:/lib/systemd"):
            print("SKIP: no systemd oracle")
            return 77
    porter, corpus = args[0], args[1]
    tmp = tempfile.mkdtemp(prefix="socket-oracle.")
    units = []  # (label, unit, recorded dump)
    cases = os.path.join(HERE, "socket_cases")
    for f in sorted(os.listdir(os.path.join(cases, "units"))):
        if f.endswith(".socket"):
            units.append(("socket_cases/" + f, os.path.join(cases, "units", f),
                          os.path.join(cases, "expected", f + ".dump")))
    units_root = os.path.join(corpus, "units")
    if not os.path.isdir(units_root):
        print("no corpus at %s: only socket_cases/" % corpus)
    for release in sorted(os.listdir(units_root)) if os.path.isdir(units_root) else []:
        rel = os.path.join(units_root, release)
        if not os.path.isdir(rel):
            continue
        for pkg in sorted(os.listdir(rel)):
            d = os.path.join(rel, pkg)
            if not os.path.isdir(d):
                continue
            for f in sorted(os.listdir(d)):
                dump = os.path.join(corpus, "expected", release, pkg, f + ".dump")
                if f.endswith(".socket") and os.path.exists(dump):
                    units.append(("%s/%s/%s" % (release, pkg, f), os.path.join(d, f), dump))
    failures = []
    for label, unit, dump in units:
        if live:
            dump = live_dump(unit, tmp)
        for p in one(porter, unit, dump):
            failures.append("%s: %s" % (label, p))
    shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("%d socket units compared with systemd 252%s, %d differences" % (
        len(units), " (live)" if live else "", len(failures)))
    return 1 if failures or not units else 0


if __name__ == "__main__":
    sys.exit(main())
