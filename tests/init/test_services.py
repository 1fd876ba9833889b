# SPDX-License-Identifier: MIT
"""Services under runsvdir: up, graceful and bounded stop, escapees, restart."""
import os
import re
import signal
import subprocess
import time
import unittest

from kleintest import PROBE, Sandbox, needs_ns, wait_until, write_exec


def sv_status(sb, name):
    return subprocess.run(["sv", "status", os.path.join(sb.service_dir, name)],
                          capture_output=True, text=True).stdout


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def service_pid(sb, name):
    try:
        with open(os.path.join(sb.service_dir, name, "supervise", "pid")) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


@needs_ns
class Services(unittest.TestCase):
    def test_services_up_and_graceful_stop(self):
        sb = Sandbox(self)
        for name in ("alpha", "beta"):
            sb.service(name, "#!/bin/sh\necho hello from %s\nexec sleep 1000\n" % name,
                       finish="#!/bin/sh\necho \"$1 $2\" > %s/%s.finished\n" % (sb.root, name))
            write_exec(os.path.join(sb.service_dir, name, "control", "t"),
                       "#!/bin/sh\ntouch %s/%s.control-t\nexit 1\n" % (sb.root, name))
        sb.start()
        for name in ("alpha", "beta"):
            self.assertTrue(wait_until(lambda: sv_status(sb, name).startswith("run:")),
                            sv_status(sb, name) + sb.stderr())
            self.assertTrue(sb.log_has("hello from %s" % name))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertLess(sb.stop_elapsed, 6)
        self.assertNotIn("SIGKILL", sb.stderr())
        for name in ("alpha", "beta"):
            self.assertTrue(os.path.exists(os.path.join(sb.root, name + ".control-t")))
            with open(os.path.join(sb.root, name + ".finished")) as f:
                self.assertEqual(f.read(), "-1 15\n")  # run died of SIGTERM
        self.assertRegex(sb.stderr(), r"stop phase 1 \(services, command\): \d+ ms")

    def test_service_ignoring_sigterm_is_killed_at_deadline(self):
        sb = Sandbox(self)
        sb.env["KLEIN_STOP_TIMEOUT"] = "2"
        sb.service("polite", "#!/bin/sh\nexec sleep 1000\n")
        sb.service("stubborn", "#!/bin/sh\ntrap '' TERM\necho stubborn up\n"
                   "while :; do sleep 0.1; done\n")
        sb.start()
        self.assertTrue(sb.log_has("stubborn up"))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 3, sb.stderr())
        self.assertLess(sb.stop_elapsed, 2 + 2.0)  # bounded: deadline + slack
        err = sb.stderr()
        self.assertRegex(err, r"service 'stubborn' \(pid \d+, run")
        self.assertRegex(err, r"sending SIGKILL to pid \d+ \(run\) of service 'stubborn'")
        self.assertNotRegex(err, r"service 'polite'")
        self.assertRegex(err, r"stop phase 3 \(SIGKILL to \d+ processes\): \d+ ms")

    def test_escaped_setsid_daemon_killed(self):
        sb = Sandbox(self)
        sb.env["KLEIN_STOP_TIMEOUT"] = "1.5"
        sb.service("forker", "#!/bin/sh\nsetsid sh -c \"trap '' TERM; exec sleep 999\" &\n"
                   "echo forked\nexec sleep 1000\n")
        sb.start()
        self.assertTrue(sb.log_has("forked"))
        self.assertTrue(wait_until(lambda: any(c == "sleep" and pp != 0
                                               for pp, st, c in sb.descendants().values())))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 3, sb.stderr())
        self.assertLess(sb.stop_elapsed, 1.5 + 2.0)
        self.assertRegex(sb.stderr(), r"deadline reached: sending SIGKILL to pid \d+ \(sleep\)")

    def test_escapee_that_obeys_term_is_a_clean_stop(self):
        sb = Sandbox(self)
        sb.service("forker", "#!/bin/sh\nsetsid sleep 999 &\necho forked\nexec sleep 1000\n")
        sb.start()
        self.assertTrue(sb.log_has("forked"))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertRegex(sb.stderr(), r"stop phase 2: sending SIGTERM to pid \d+ \(sleep\)")

    def test_service_output_reaches_stdout_and_stderr(self):
        sb = Sandbox(self)
        sb.service("talker", "#!/bin/sh\necho svc-out-line\necho svc-err-line >&2\n"
                   "exec sleep 1000\n")
        sb.start()
        self.assertTrue(sb.log_has("svc-err-line"), sb.stderr())
        self.assertTrue(wait_until(lambda: "svc-out-line" in sb.stdout()))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertNotIn("svc-out-line", sb.stderr())
        self.assertNotIn("svc-err-line", sb.stdout())

    def test_stopped_escapee_gets_cont_with_term(self):
        # A stopped process only runs its TERM handler once continued:
        # without the SIGCONT it would sit there until the SIGKILL (exit 3).
        sb = Sandbox(self)
        out = os.path.join(sb.root, "escapee.out")
        sb.service("forker", "#!/bin/sh\nsetsid %s signals > %s &\nexec sleep 1000\n"
                   % (PROBE, out))
        sb.start()
        self.assertTrue(wait_until(lambda: "ready" in read(out)))
        pids = [p for p, (pp, st, c) in sb.descendants().items() if c == "init_probe"]
        self.assertEqual(len(pids), 1)
        os.kill(pids[0], signal.SIGSTOP)
        self.assertTrue(wait_until(lambda: sb.descendants()[pids[0]][1].startswith("T")))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertIn("sig %d\n" % signal.SIGTERM, read(out))
        self.assertRegex(sb.stderr(), r"stop phase 2: sending SIGTERM to pid \d+ \(init_probe\)")

    def test_runsvdir_restart_is_rate_limited(self):
        # A runsvdir that dies at once is restarted about once a second,
        # each time logged, not in a busy loop.
        sb = Sandbox(self)
        fake = os.path.join(sb.root, "bin")
        write_exec(os.path.join(fake, "runsvdir"), "#!/bin/sh\nexit 111\n")
        sb.env["PATH"] = fake + ":" + sb.env["PATH"]
        sb.start()
        self.assertTrue(sb.log_has("runsvdir (pid"), sb.stderr())
        time.sleep(3)
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        err = sb.stderr()
        starts = len(re.findall(r"runsvdir \(pid \d+\) started", err))
        self.assertGreaterEqual(starts, 2, err)
        self.assertLessEqual(starts, 5, err)
        self.assertRegex(err, r"runsvdir \(pid \d+\) ended: exit status 111; restarting "
                         r"it in [1-9]\d* ms")

    def test_runsvdir_missing_is_exit_1(self):
        sb = Sandbox(self)
        marker = os.path.join(sb.root, "command-ran")
        sb.env["PATH"] = os.path.join(sb.root, "empty")
        self.assertEqual(sb.run(["/bin/touch", marker]), 1, sb.stderr())
        self.assertIn("cannot execute 'runsvdir': No such file", sb.stderr())
        self.assertFalse(os.path.exists(marker))

    def test_runsvdir_killed_is_restarted(self):
        sb = Sandbox(self)
        sb.service("steady", "#!/bin/sh\nexec sleep 1000\n")
        sb.start()
        self.assertTrue(wait_until(lambda: service_pid(sb, "steady")))
        before = service_pid(sb, "steady")
        procs = sb.descendants()
        runsvdir = [p for p, (pp, st, c) in procs.items() if c == "runsvdir"]
        self.assertEqual(len(runsvdir), 1)
        os.kill(runsvdir[0], signal.SIGKILL)
        self.assertTrue(sb.log_has("killed by SIGKILL; restarting it"))
        self.assertTrue(wait_until(lambda: len(re.findall(r"runsvdir \(pid \d+\) started",
                                                          sb.stderr())) == 2))
        self.assertTrue(wait_until(lambda: any(c == "runsvdir" for pp, st, c
                                               in sb.descendants().values())))
        self.assertEqual(service_pid(sb, "steady"), before)  # not disturbed
        self.assertTrue(sv_status(sb, "steady").startswith("run:"))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())


if __name__ == "__main__":
    unittest.main()
