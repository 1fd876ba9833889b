#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`klein-porter calendar --json` (docs/timers.md): one JSON array, one object
per expression, {"original", "normalized", "next": [RFC 3339 UTC times]}, or
{"original", "error"} and exit status 1 for an invalid expression.

Checks the shape, times in UTC whatever $TZ and the expression's zone,
fractional seconds only when not zero, fewer than N times when the event has
fewer elapses, errors alone and mixed with valid expressions; and, where
systemd-analyze exists, that "next" is what `systemd-analyze calendar` prints
on its "(in UTC)" lines (to the second: that is what it prints).
Usage: calendar_json.py KLEIN_PORTER
"""
import calendar
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

PORTER = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "klein-porter"
BASE = "2026-12-04 15:00:00 UTC"
RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,6})?Z$")

# Compared with systemd-analyze: zones, DST changes, fractions, few elapses.
ORACLE = [
    "daily", "hourly", "weekly", "monthly", "Mon..Fri 10:00", "*-*-* 00:00:00 Europe/Berlin",
    "*-*-* 02:30 America/New_York", "*:0/20", "*-02-29 12:00", "*-*~01", "12:00:00.25 UTC",
    "*:*:2.5/1.5", "2026-12-05 UTC", "2026-12-05,06 12:00", "2020-01-01", "@1796396400",
    "Sat *-*-* 23:59:59 Asia/Kolkata", "quarterly Australia/Lord_Howe",
]


def run(args, tz="UTC"):
    env = dict(os.environ, TZ=tz)
    r = subprocess.run([PORTER, "calendar", "--json", "--base-time", BASE] + args,
                       capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr


def epoch(text):
    """An RFC 3339 UTC time as epoch seconds (float)."""
    m = RFC3339.match(text)
    if not m:
        raise AssertionError("not an RFC 3339 UTC time: %r" % text)
    sec = calendar.timegm(tuple(int(x) for x in re.split(r"[-T:]", m.group(1))) + (0, 0, 0))
    return sec + (float(m.group(2)) if m.group(2) else 0.0)


class CalendarJson(unittest.TestCase):
    def json(self, args, tz="UTC", code=0):
        exprs = [a for i, a in enumerate(args)
                 if a != "--iterations" and (i == 0 or args[i - 1] != "--iterations")]
        rc, out, err = run(args, tz)
        self.assertEqual(rc, code, "exit status of %s: %s" % (args, err))
        try:
            data = json.loads(out)
        except ValueError as e:
            self.fail("not JSON (%s): %r" % (e, out))
        self.assertIsInstance(data, list)
        self.assertEqual(len(data), len(exprs), out)
        return data

    def valid(self, obj, original):
        self.assertEqual(set(obj), {"original", "normalized", "next"}, obj)
        self.assertEqual(obj["original"], original)
        self.assertIsInstance(obj["normalized"], str)
        self.assertIsInstance(obj["next"], list)
        for t in obj["next"]:
            epoch(t)

    def test_shape_and_utc(self):
        """$TZ does not change the zone of the printed times: always UTC."""
        [obj] = self.json(["--iterations", "3", "daily"], tz="America/New_York")
        self.valid(obj, "daily")
        self.assertEqual(obj["normalized"], "*-*-* 00:00:00")
        self.assertEqual(obj["next"], ["2026-12-05T05:00:00Z", "2026-12-06T05:00:00Z",
                                       "2026-12-07T05:00:00Z"])
        [obj] = self.json(["daily"])
        self.assertEqual(obj["next"], ["2026-12-05T00:00:00Z"], "one iteration by default")

    def test_zone_in_expression(self):
        """An expression's zone is converted to UTC (Berlin is UTC+1 in December,
        UTC+2 in summer; New York UTC-5)."""
        data = self.json(["--iterations", "2", "*-*-* 00:00:00 Europe/Berlin",
                          "2027-07-01 08:00 Europe/Berlin", "*-*-* 09:30 America/New_York"],
                         tz="Asia/Tokyo")
        self.valid(data[0], "*-*-* 00:00:00 Europe/Berlin")
        self.assertEqual(data[0]["normalized"], "*-*-* 00:00:00 Europe/Berlin")
        self.assertEqual(data[0]["next"], ["2026-12-04T23:00:00Z", "2026-12-05T23:00:00Z"])
        self.assertEqual(data[1]["next"], ["2027-07-01T06:00:00Z"])
        self.assertEqual(data[2]["next"], ["2026-12-05T14:30:00Z", "2026-12-06T14:30:00Z"])

    def test_fractional_seconds(self):
        """Fractions only when not zero."""
        data = self.json(["--iterations", "3", "12:00:00.25 UTC", "*:*:2.5/1.5", "hourly"])
        self.assertEqual([epoch(t) for t in data[0]["next"]],
                         [epoch("2026-12-05T12:00:00Z") + 0.25 + 86400 * i for i in range(3)])
        self.assertTrue(all(re.search(r"\.250*Z$", t) for t in data[0]["next"]), data[0])
        # 2.5, 4, 5.5 seconds past each minute: the whole one has no fraction.
        base = epoch("2026-12-04T15:00:00Z")
        self.assertEqual([epoch(t) for t in data[1]["next"]], [base + 2.5, base + 4, base + 5.5])
        self.assertTrue(data[1]["next"][1].endswith(":04Z"), data[1])
        self.assertTrue(all("." not in t for t in data[2]["next"]), data[2])

    def test_fewer_than_n(self):
        """An event with fewer elapses than --iterations lists only those; one
        in the past lists none (systemd: "Next elapse: never"), exit 0."""
        data = self.json(["--iterations", "5", "2026-12-05 UTC", "2026-12-05,06 12:00 UTC",
                          "2020-01-01"])
        self.assertEqual(data[0]["next"], ["2026-12-05T00:00:00Z"])
        self.assertEqual(data[1]["next"], ["2026-12-05T12:00:00Z", "2026-12-06T12:00:00Z"])
        self.valid(data[2], "2020-01-01")
        self.assertEqual(data[2]["next"], [])

    def test_error(self):
        """An invalid expression: {"original", "error"}, exit status 1; the
        original comes back exactly, whatever it holds."""
        for bad in ["*/2", "bogus", 'a"b\\c', "tab\there", "12:00 Europe/Nowhere"]:
            [obj] = self.json([bad], code=1)
            self.assertEqual(set(obj), {"original", "error"}, obj)
            self.assertEqual(obj["original"], bad)
            self.assertIsInstance(obj["error"], str)
            self.assertTrue(obj["error"], obj)

    def test_mixed(self):
        """Valid and invalid together: one object each, in order, exit 1."""
        data = self.json(["--iterations", "2", "daily UTC", "*/2", "weekly UTC"], code=1)
        self.valid(data[0], "daily UTC")
        self.assertEqual(data[0]["next"], ["2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"])
        self.assertEqual(set(data[1]), {"original", "error"})
        self.assertEqual(data[1]["original"], "*/2")
        self.valid(data[2], "weekly UTC")
        self.assertEqual(data[2]["normalized"], "Mon *-*-* 00:00:00 UTC")
        self.assertEqual(data[2]["next"], ["2026-12-07T00:00:00Z", "2026-12-14T00:00:00Z"])

    @unittest.skipUnless(shutil.which("systemd-analyze"), "no systemd-analyze")
    def test_systemd_analyze(self):
        """"next" is what systemd-analyze prints on its "(in UTC)" lines."""
        for tz in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]:
            env = dict(os.environ, TZ=tz)
            r = subprocess.run(["systemd-analyze", "calendar", "--iterations", "4",
                                "--base-time", BASE] + ORACLE,
                               capture_output=True, text=True, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            blocks = r.stdout.strip("\n").split("\n\n")
            self.assertEqual(len(blocks), len(ORACLE), r.stdout)
            data = self.json(["--iterations", "4"] + ORACLE, tz=tz)
            for expr, block, obj in zip(ORACLE, blocks, data):
                norm = re.search(r"Normalized form: (.*)", block).group(1)
                want = re.findall(r"\(in UTC\): \w+ (\S+) (\S+) UTC", block)
                got = [epoch(t) for t in obj["next"]]
                self.assertEqual(obj["normalized"], norm, (tz, expr))
                self.assertEqual([int(t) for t in got],
                                 [calendar.timegm(tuple(int(x) for x in
                                                        re.split(r"[-:]", d + ":" + t)) +
                                                  (0, 0, 0)) for d, t in want],
                                 "%s under TZ=%s:\n%s\n%s" % (expr, tz, block, obj))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
