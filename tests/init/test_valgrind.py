# SPDX-License-Identifier: MIT
"""Key cases once each, meant for KLEIN_INIT_WRAPPER="valgrind --error-exitcode=99 ...":
any memcheck error changes the exit code and prints "==PID==" lines."""
import os
import re
import signal
import unittest

from kleintest import PROBE, WRAPPER, Sandbox, needs_ns, wait_until, write_exec

UNDER_VALGRIND = any("valgrind" in w for w in WRAPPER)


@needs_ns
@unittest.skipUnless(UNDER_VALGRIND, "KLEIN_INIT_WRAPPER is not valgrind")
class UnderValgrind(unittest.TestCase):
    def clean(self, sb):
        self.assertNotRegex(sb.stderr(), r"(?m)^==\d+== ", "valgrind reported errors")

    def test_exit_codes(self):
        sb = Sandbox(self)
        self.assertEqual(sb.run(["sh", "-c", "kill -KILL $$"]), 128 + signal.SIGKILL)
        self.clean(sb)
        self.assertEqual(sb.run(["sh", "-c", "exit 42"]), 42)
        self.clean(sb)
        self.assertEqual(sb.run(["/nonexistent/cmd"]), 127)
        self.clean(sb)

    def test_coalesce_and_orphans(self):
        sb = Sandbox(self)
        self.assertEqual(sb.run([PROBE, "coalesce"]), 127, sb.stderr())
        self.clean(sb)
        self.assertEqual(sb.run([PROBE, "orphans", "100"], timeout=60), 0, sb.stderr())
        self.clean(sb)

    def test_forwarding(self):
        # Not SIGRTMAX: valgrind keeps it for itself.
        sb = Sandbox(self)
        sb.start([PROBE, "signals"])
        self.assertTrue(sb.log_has("ready"), sb.stderr())
        for sig in (signal.SIGHUP, signal.SIGUSR1, signal.SIGWINCH, signal.SIGCONT,
                    signal.SIGRTMIN):
            sb.kill(sig)
            self.assertTrue(sb.log_has("sig %d\n" % sig, 10), sb.stdout())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.clean(sb)

    def test_scripts_env_services_and_bounded_stop(self):
        sb = Sandbox(self)
        sb.env["KLEIN_STOP_TIMEOUT"] = "2"
        write_exec(os.path.join(sb.init_dir, "10-env"),
                   "#!/bin/sh\nprintf 'a b' > %s/ADDED\n" % sb.env_dir)
        sb.service("show", "#!/bin/sh\necho \"svc ADDED=$ADDED\"\nexec sleep 1000\n")
        sb.service("stubborn", "#!/bin/sh\ntrap '' TERM\necho stubborn up\n"
                   "while :; do sleep 0.2; done\n")
        sb.start()
        self.assertTrue(sb.log_has("svc ADDED=a b"), sb.stderr())
        self.assertTrue(sb.log_has("stubborn up"), sb.stderr())
        runsvdir = [p for p, (pp, st, c) in sb.descendants().items() if c == "runsvdir"]
        os.kill(runsvdir[0], signal.SIGKILL)
        self.assertTrue(sb.log_has("restarting it"), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 3, sb.stderr())
        self.assertRegex(sb.stderr(), r"SIGKILL to pid \d+ \(run\) of service 'stubborn'")
        self.clean(sb)

    def test_relay_and_early_runsv_end(self):
        sb = Sandbox(self)
        out = os.path.join(sb.root, "svc.out")
        sb.service("svc", "#!/bin/sh\nexec %s signals > %s\n" % (PROBE, out))
        # Asks for the HUP (control/h exits 1: runsv sends it); crashing,
        # without a control/h, is skipped.
        write_exec(os.path.join(sb.service_dir, "svc", "control", "h"), "#!/bin/sh\nexit 1\n")
        sb.service("crashing", "#!/bin/sh\nexit 1\n")
        sb.start(["--log-level", "debug"])
        self.assertTrue(sb.log_has("runsvdir (pid"), sb.stderr())
        self.assertTrue(wait_until(lambda: os.path.exists(out) and "ready" in open(out).read()))
        sb.kill(signal.SIGHUP)
        self.assertTrue(sb.log_has("SIGHUP: relayed to 1 service as control 'h' "
                                   "(1 without control/h skipped)"), sb.stderr())
        self.assertTrue(wait_until(lambda: "sig %d\n" % signal.SIGHUP in open(out).read()))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertIn("its service is down; ending it now", sb.stderr())
        self.clean(sb)

    def test_unreadable_init_dir(self):
        sb = Sandbox(self)
        sb.env["KLEIN_INIT_DIR"] = "/dev/null"
        self.assertEqual(sb.run(["true"]), 1, sb.stderr())
        self.assertIn("cannot list startup scripts", sb.stderr())
        self.clean(sb)

    def test_failing_script_and_bad_config(self):
        sb = Sandbox(self)
        write_exec(os.path.join(sb.init_dir, "10-fail"), "#!/bin/sh\nexit 3\n")
        self.assertEqual(sb.run(["true"]), 2)
        self.assertIn("startup script %s/10-fail failed" % sb.init_dir, sb.stderr())
        self.clean(sb)
        conf = os.path.join(sb.root, "bad.conf")
        with open(conf, "w") as f:
            f.write("\nlog_level = loud\n")
        sb.env["KLEIN_CONFIG"] = conf
        self.assertEqual(sb.run(["true"]), 1)
        self.assertIn("%s:2: error:" % conf, sb.stderr())
        self.clean(sb)


if __name__ == "__main__":
    unittest.main()
