#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential test of [Timer] parsing: `klein-porter inspect` against
systemd 252's own dumps of the real timers in the socktimer-dev corpus.

For every expected/{bookworm,trixie}/PKG/NAME.timer.dump, inspect loads
units/.../PKG/NAME.timer and the [Timer] settings must mean what the dump
shows: Unit (default NAME.service), the booleans with systemd's defaults,
Accuracy (default 1min), each OnCalendar= in its normalized form (through
`klein-porter calendar`) and each On*Sec= as a time span. systemd 252's dump
does not show RandomizedDelaySec=, so that one is only checked to parse.
Crafted cases in timer_cases/ (with dumps recorded from the oracle) always run.
Exit 0, or 1 with the differences.
Usage: timer_oracle.py KLEIN_PORTER [CORPUS_DIR]
"""
import json
import os
import re
import subprocess
import sys
from collections import Counter

UNITS = {"us": 1, "ms": 1000, "s": 10**6, "min": 60 * 10**6, "h": 3600 * 10**6,
         "d": 86400 * 10**6, "w": 7 * 86400 * 10**6, "month": 2629800 * 10**6,
         "y": 31557600 * 10**6}
BOOLS = {"Persistent": False, "WakeSystem": False, "RemainAfterElapse": True,
         "FixedRandomDelay": False, "OnClockChange": False, "OnTimezoneChange": False}
DUMP_NAME = {"OnTimezoneChange": "OnTimeZoneChange"}
RELATIVE = ["OnActiveSec", "OnBootSec", "OnStartupSec", "OnUnitActiveSec", "OnUnitInactiveSec"]
SPAN_UNITS = [("usec", 1), ("us", 1), ("msec", 1000), ("ms", 1000), ("seconds", 10**6),
              ("second", 10**6), ("sec", 10**6), ("s", 10**6), ("minutes", 60 * 10**6),
              ("minute", 60 * 10**6), ("min", 60 * 10**6), ("months", 2629800 * 10**6),
              ("month", 2629800 * 10**6), ("M", 2629800 * 10**6), ("msec", 1000),
              ("hours", 3600 * 10**6), ("hour", 3600 * 10**6), ("hr", 3600 * 10**6),
              ("h", 3600 * 10**6), ("days", 86400 * 10**6), ("day", 86400 * 10**6),
              ("d", 86400 * 10**6), ("weeks", 604800 * 10**6), ("week", 604800 * 10**6),
              ("w", 604800 * 10**6), ("years", 31557600 * 10**6), ("year", 31557600 * 10**6),
              ("y", 31557600 * 10**6), ("m", 60 * 10**6)]


def dump_span(text):
    """systemd's format_timespan() output ("1d 2h", "5min") in usec."""
    total = 0
    for num, unit in re.findall(r"(\d+)\s*([a-z]+)", text):
        total += int(num) * UNITS[unit]
    return total


def unit_span(text):
    """A unit file's time span (the forms the corpus uses) in usec."""
    total, rest = 0, text.strip()
    for num, unit in re.findall(r"([\d.]+)\s*([A-Za-z]*)", rest):
        mult = 10**6 if not unit else dict(SPAN_UNITS)[unit]
        total += int(float(num) * mult)
    return total


def boolean(v):
    return v.lower() in ("1", "yes", "y", "true", "t", "on")


def parse_dump(path):
    fields, lists = {}, {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\t\t([A-Za-z]+): (.*)$", line)
            if not m:
                continue
            k, v = m.groups()
            if k == "OnCalendar" or k in RELATIVE:
                lists.setdefault(k, []).append(v)
            else:
                fields.setdefault(k, v)
    return fields, lists


def normalized(porter, exprs):
    if not exprs:
        return []
    r = subprocess.run([porter, "calendar", "--json", "--"] + exprs, capture_output=True,
                       text=True)
    return [o.get("normalized", "?") for o in json.loads(r.stdout)]


def diags(dump):
    """systemd's messages about the unit: (line or None, message)."""
    out = []
    with open(dump) as f:
        for line in f:
            m = re.match(r"diag: [^:]+:(?:(\d+):)? (.*)$", line.rstrip("\n"))
            if m and "Cannot add dependency job" not in m.group(2):
                out.append((int(m.group(1)) if m.group(1) else None, m.group(2)))
    return out


def check(porter, unit, dump):
    name = os.path.basename(unit)
    fields, lists = parse_dump(dump)
    args = [porter, "inspect", unit]
    if name.endswith("@.timer"):
        args[2:2] = ["--instance", "test"]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        return ["inspect failed (%d): %s" % (r.returncode, r.stderr.strip())]
    j = json.loads(r.stdout)
    t = j["settings"].get("Timer", {})
    bad = []
    got_diags = [(d["line"] or None, d["message"]) for d in j["diagnostics"]]
    if Counter(diags(dump)) != Counter(got_diags):
        bad.append("diagnostics: %s vs %s" % (diags(dump), got_diags))
    with open(dump) as f:
        loaded = "Unit Load State: loaded" in f.read()
    if not loaded:
        if j["state"] == "loaded":
            bad.append("systemd refused the unit, klein-porter loaded it")
        return bad
    want_unit = fields.get("Unit")
    got_unit = t.get("Unit") or j["name"].rsplit(".", 1)[0] + ".service"
    if want_unit != got_unit:
        bad.append("Unit: %s vs %s" % (want_unit, got_unit))
    for k, default in BOOLS.items():
        want = fields.get(DUMP_NAME.get(k, k)) == "yes"
        got = boolean(t[k]) if k in t else default
        if want != got:
            bad.append("%s: %s vs %s" % (k, want, got))
    want = dump_span(fields.get("Accuracy", "1min"))
    got = unit_span(t["AccuracySec"]) if "AccuracySec" in t else 60 * 10**6
    if want != got:
        bad.append("AccuracySec: %d vs %d" % (want, got))
    want = Counter(lists.get("OnCalendar", []))
    got = Counter(normalized(porter, t.get("OnCalendar", [])))
    if want != got:
        bad.append("OnCalendar: %s vs %s" % (sorted(want), sorted(got)))
    for k in RELATIVE:
        want = Counter(dump_span(v) for v in lists.get(k, []))
        got = Counter(unit_span(v) for v in t.get(k, []))
        if want != got:
            bad.append("%s: %s vs %s" % (k, dict(want), dict(got)))
    return bad


def main():
    porter = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else "/work/shared/corpus/socktimer-dev"
    total = failed = 0
    if not os.path.isdir(os.path.join(corpus, "expected")):
        print("no socktimer corpus at %s: the crafted cases only" % corpus)
    for release in ("bookworm", "trixie") if os.path.isdir(corpus) else ():
        base = os.path.join(corpus, "expected", release)
        for pkg in sorted(os.listdir(base)):
            for dump in sorted(os.listdir(os.path.join(base, pkg))):
                if not dump.endswith(".timer.dump"):
                    continue
                name = dump[:-len(".dump")]
                unit = os.path.join(corpus, "units", release, pkg, name.replace("@test.", "@."))
                if not os.path.exists(unit):
                    continue
                total += 1
                bad = check(porter, unit, os.path.join(base, pkg, dump))
                if bad:
                    failed += 1
                    print("%s/%s/%s:" % (release, pkg, name))
                    for b in bad:
                        print("  " + b)
    # Crafted cases (resets, bad values, refusals), with systemd 252's dumps
    # recorded by /work/shared/tools/systemd-oracle-units.
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "timer_cases")
    for dump in sorted(os.listdir(os.path.join(here, "expected"))):
        total += 1
        bad = check(porter, os.path.join(here, "units", dump[:-len(".dump")]),
                    os.path.join(here, "expected", dump))
        if bad:
            failed += 1
            print("timer_cases/%s:" % dump)
            for b in bad:
                print("  " + b)
    print("%d timers, %d differ" % (total, failed))
    return 1 if failed or not total else 0


if __name__ == "__main__":
    sys.exit(main())
