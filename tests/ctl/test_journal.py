#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bounded per-service log: `klein-svc log` (writer: tagged lines to
stdout, stamped lines to a size-capped file with one rotated predecessor) and
`klein-journalctl` (reader: -u, -n, -o, --since, -f, svlogd directories).
usage: test_journal.py KLEIN_SVC KLEIN_JOURNALCTL"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SVC, JOURNAL = (os.path.abspath(a) for a in sys.argv[1:3])
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")


class Journal(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="klein-journal-")
        self.env = dict(ENV, KLEIN_LOG_DIR=os.path.join(self.tmp, "log"),
                        KLEIN_SERVICE_DIR=os.path.join(self.tmp, "service"),
                        KLEIN_SV_DIR=os.path.join(self.tmp, "sv"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_log(self, name, lines, *args):
        r = subprocess.run([SVC, "log", *args, name], input="".join(l + "\n" for l in lines),
                           capture_output=True, text=True, env=self.env, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def journal(self, *args):
        r = subprocess.run([JOURNAL, *args], capture_output=True, text=True, env=self.env,
                           timeout=30)
        return r.returncode, r.stdout

    def test_tagged_output_and_last_lines(self):
        out = self.write_log("web", ["one", "two", "three"])
        self.assertEqual(out, "web: one\nweb: two\nweb: three\n")
        self.assertEqual(self.journal("-u", "web", "-n", "2", "-o", "cat"), (0, "two\nthree\n"))
        rc, out = self.journal("-u", "web.service", "-n", "1")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^\w{3} \d\d \d\d:\d\d:\d\d \S+ web: three\n$")

    def test_size_cap_and_rotation(self):
        lines = ["line %04d %s" % (i, "x" * 40) for i in range(400)]
        self.write_log("big", lines, "--max-size", "4096")
        d = self.env["KLEIN_LOG_DIR"]
        for f in ("big", "big.1"):
            self.assertLessEqual(os.path.getsize(os.path.join(d, f)), 4096)
        self.assertEqual(sorted(os.listdir(d)), ["big", "big.1"])
        rc, out = self.journal("-u", "big", "-o", "cat")
        kept = out.splitlines()
        self.assertGreater(len(kept), 40)
        self.assertEqual(kept, lines[-len(kept):], "the newest lines, in order, across the rotation")

    def test_long_line_is_cut(self):
        self.write_log("long", ["y" * 5000])
        rc, out = self.journal("-u", "long", "-o", "cat")
        self.assertEqual(out, "y" * 4096 + "\n" + "y" * 904 + "\n")

    def test_merge_since_and_no_entries(self):
        self.write_log("a", ["from a"])
        time.sleep(0.01)
        self.write_log("b", ["from b"])
        self.assertEqual(self.journal("-u", "a", "-u", "b", "-o", "cat"), (0, "from a\nfrom b\n"))
        self.assertEqual(self.journal("-u", "a", "--since", "-1h", "-o", "cat"), (0, "from a\n"))
        self.assertEqual(self.journal("-u", "a", "--since", "@%d" % (time.time() + 3600)),
                         (0, "-- No entries --\n"))
        self.assertEqual(self.journal("-u", "nothing"), (0, "-- No entries --\n"))
        self.assertEqual(self.journal("--since", "not a time")[0], 1)

    def test_svlogd_directory(self):
        d = os.path.join(self.tmp, "varlog", "name")
        os.makedirs(d)
        with open(os.path.join(d, "@400000006000000000000000.s"), "w") as f:
            f.write("2026-01-01_10:00:00.00000 old\n")
        with open(os.path.join(d, "current"), "w") as f:
            f.write("2026-01-01_10:00:01.00000 new\n")
        self.env["KLEIN_SVLOGD_DIR"] = os.path.dirname(d)  # /var/log in the image
        self.assertEqual(self.journal("-u", "name", "-o", "cat"), (0, "old\nnew\n"))

    def test_follow(self):
        self.write_log("f", ["before"])
        p = subprocess.Popen([JOURNAL, "-u", "f", "-f", "-o", "cat"], stdout=subprocess.PIPE,
                             text=True, env=self.env)
        try:
            self.assertEqual(p.stdout.readline(), "before\n")
            self.write_log("f", ["after"])
            self.assertEqual(p.stdout.readline(), "after\n")
        finally:
            p.kill()
            p.wait()
            p.stdout.close()

    def test_usage(self):
        r = subprocess.run([SVC, "log", "a/b"], capture_output=True, env=self.env)
        self.assertEqual(r.returncode, 2)


unittest.main(argv=[sys.argv[0]], verbosity=2)
