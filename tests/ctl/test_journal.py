#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bounded per-service log: `klein-svc log` (writer: tagged lines to
stdout, stamped lines to a size-capped file with one rotated predecessor) and
`klein-journalctl` (reader: -u, -n, -o, --since, -f, svlogd directories).
porter.conf's log_dir/log_max_size reach log/run, and journalctl reads where
log/run writes.
usage: test_journal.py KLEIN_SVC KLEIN_JOURNALCTL KLEIN_PORTER"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SVC, JOURNAL, PORTER = (os.path.abspath(a) for a in sys.argv[1:4])
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

    def test_version_names_the_image_systemd(self):
        """--version's first line is systemctl's "systemd N (...)", N from the
        root's os-release (what scripts parse), for both names."""
        for vid, want in (("12", 252), ("13", 257)):
            root = os.path.join(self.tmp, "root" + vid)
            os.makedirs(os.path.join(root, "etc"))
            with open(os.path.join(root, "etc/os-release"), "w") as f:
                f.write('ID=debian\nVERSION_ID="%s"\n' % vid)
            for prog, name in ((JOURNAL, "klein-journalctl"),
                               (os.path.join(os.path.dirname(JOURNAL), "klein-systemctl"),
                                "klein-systemctl")):
                r = subprocess.run([prog, "--root=" + root, "--version"], capture_output=True,
                                   text=True, env=self.env, timeout=30)
                self.assertEqual((r.returncode, r.stdout.splitlines()[0]),
                                 (0, "systemd %d (Klein %s over runit)" % (want, name)))

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

    def convert(self, name, conf):
        """klein-porter convert NAME with CONF as porter.conf; runs its log/run on
        a few lines, as runsv would, with klein-svc on PATH."""
        units = os.path.join(self.tmp, "units")
        os.makedirs(units, exist_ok=True)
        with open(os.path.join(units, name + ".service"), "w") as f:
            f.write("[Service]\nExecStart=/bin/sleep 1000\n")
        with open(os.path.join(self.tmp, "porter.conf"), "w") as f:
            f.write(conf)
        r = subprocess.run([PORTER, "convert", "--root", "/", "--config",
                            os.path.join(self.tmp, "porter.conf"), "--sv-dir",
                            self.env["KLEIN_SV_DIR"], "--service-dir",
                            self.env["KLEIN_SERVICE_DIR"], "--no-enable",
                            os.path.join(units, name + ".service")],
                           capture_output=True, text=True, env=self.env, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        logdir = os.path.join(self.env["KLEIN_SV_DIR"], name, "log")
        with open(os.path.join(logdir, "run")) as f:
            run = f.read()
        env = dict(self.env, PATH=os.path.dirname(SVC) + ":" + os.environ["PATH"])
        lines = "".join("%s line %04d %s\n" % (name, i, "z" * 60) for i in range(200))
        r = subprocess.run(["sh", "./run"], input=lines, capture_output=True, text=True,
                           cwd=logdir, env=env, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return run

    def test_porter_conf_log_dir(self):
        keep = os.path.join(self.tmp, "keep")
        run = self.convert("kept", 'log_dir = "%s"\nlog_max_size = "4K"\n' % keep)
        self.assertIn("exec klein-svc log --dir '%s' --max-size 4096 'kept'\n" % keep, run)
        self.assertEqual(sorted(os.listdir(keep)), ["kept", "kept.1"])
        for f in ("kept", "kept.1"):
            self.assertLessEqual(os.path.getsize(os.path.join(keep, f)), 4096)
        self.assertFalse(os.path.exists(self.env["KLEIN_LOG_DIR"]), "KLEIN_LOG_DIR unused")
        # journalctl finds it through log/run, whatever KLEIN_LOG_DIR says.
        rc, out = self.journal("-u", "kept", "-n", "2", "-o", "cat")
        self.assertEqual((rc, out.split()[:3]), (0, ["kept", "line", "0198"]))
        self.assertTrue(out.endswith("kept line 0199 %s\n" % ("z" * 60)), out)

    def test_porter_conf_log_dir_svlogd(self):
        if not shutil.which("svlogd"):
            self.skipTest("no svlogd")
        keep = os.path.join(self.tmp, "keep")
        run = self.convert("sl", 'log = "svlogd"\nlog_dir = "%s"\nlog_max_size = "4K"\n' % keep)
        self.assertIn("mkdir -p '%s/sl' || exit 1\necho s4096 >'%s/sl/config' || exit 1\n"
                      "exec svlogd -tt '%s/sl'\n" % (keep, keep, keep), run)
        with open(os.path.join(keep, "sl", "config")) as f:
            self.assertEqual(f.read(), "s4096\n")
        self.assertLessEqual(os.path.getsize(os.path.join(keep, "sl", "current")), 4096)
        rc, out = self.journal("-u", "sl", "-n", "1", "-o", "cat")
        self.assertEqual((rc, out), (0, "sl line 0199 %s\n" % ("z" * 60)))

    def test_usage(self):
        r = subprocess.run([SVC, "log", "a/b"], capture_output=True, env=self.env)
        self.assertEqual(r.returncode, 2)


unittest.main(argv=[sys.argv[0]], verbosity=2)
