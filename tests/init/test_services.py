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
        sb.service("polite", "#!/bin/sh\necho polite up\nexec sleep 1000\n")
        sb.service("stubborn", "#!/bin/sh\ntrap '' TERM\necho stubborn up\n"
                   "while :; do sleep 0.1; done\n")
        sb.start()
        # Both services must be running before the stop: a runsv that gets
        # TERM while still starting its service is runit's race, not ours.
        self.assertTrue(sb.log_has("stubborn up"))
        self.assertTrue(sb.log_has("polite up"))
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



def switches(pid):
    """Context switches of pid: every wake-up of klein-init adds one."""
    with open("/proc/%d/status" % pid) as f:
        fields = dict(line.split(":", 1) for line in f if "ctxt_switches" in line)
    return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])


@needs_ns
class FastStop(unittest.TestCase):
    def test_young_and_crash_looping_services_stop_at_once(self):
        # runsv sleeps 1 s before it exits when its service ran for less
        # than 1 s; klein-init ends such a runsv once the service is down.
        sb = Sandbox(self)
        sb.env["KLEIN_LOG_LEVEL"] = "debug"
        up = os.path.join(sb.root, "young.up")
        sb.service("young", "#!/bin/sh\ntouch %s\nexec sleep 1000\n" % up,
                   finish="#!/bin/sh\necho \"$1 $2\" > %s/young.finished\n" % sb.root)
        sb.service("crashing", "#!/bin/sh\nexit 1\n")
        # A young service with a log service: the logger drains and ends.
        sb.service("logged", "#!/bin/sh\necho logged line\nexec sleep 1000\n")
        write_exec(os.path.join(sb.service_dir, "logged", "log", "run"),
                   "#!/bin/sh\ncat > %s/logged.log\necho eof >> %s/logged.log\n"
                   % (sb.root, sb.root))
        sb.start()
        self.assertTrue(wait_until(lambda: os.path.exists(up)
                                   and "logged line" in read(os.path.join(sb.root, "logged.log"))),
                        sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        # With runsv's 1 s sleep this takes 1 s or more.
        self.assertLess(sb.stop_elapsed, 0.8, sb.stderr())
        m = re.search(r"stop phase 1 \(services, command\): (\d+) ms", sb.stderr())
        self.assertTrue(m, sb.stderr())
        self.assertLess(int(m.group(1)), 800, sb.stderr())
        self.assertNotIn("stop phase 2", sb.stderr())  # nothing was left over
        self.assertRegex(sb.stderr(), r"runsv \(pid \d+\): its service is down; ending it now")
        self.assertEqual(read(os.path.join(sb.root, "young.finished")), "-1 15\n")
        self.assertEqual(read(os.path.join(sb.root, "logged.log")), "logged line\neof\n")

    def test_stop_waits_on_events_not_a_tick(self):
        # A service that takes 1.5 s to stop: klein-init sleeps through it
        # (a 50 ms poll would wake it up some 20 times a second).
        sb = Sandbox(self)
        sb.env["KLEIN_STOP_TIMEOUT"] = "9"
        sb.service("slow", "#!/bin/sh\ntrap 'sleep 1.5; exit 0' TERM\necho slow up\n"
                   "while :; do sleep 0.05; done\n")
        sb.start()
        self.assertTrue(sb.log_has("slow up"), sb.stderr())
        time.sleep(1.2)  # past runsv's 1 s: this is about the wait itself
        pid = sb.klein_pid()
        sb.kill(signal.SIGTERM)
        self.assertTrue(sb.log_has("stopping: deadline"))
        time.sleep(0.3)
        before = switches(pid)
        time.sleep(0.8)
        after = switches(pid)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertLessEqual(after - before, 3, "klein-init woke up while waiting")
        m = re.search(r"stop phase 1 \(services, command\): (\d+) ms", sb.stderr())
        self.assertTrue(m, sb.stderr())
        self.assertGreaterEqual(int(m.group(1)), 1400)  # it did wait for the service


@needs_ns
class RunDir(unittest.TestCase):
    def test_supervise_links_into_run_work(self):
        sb = Sandbox(self)
        out = os.path.join(sb.root, "web.out")
        # As klein-porter writes it: supervise -> /run/runit/supervise/NAME.
        sb.service("web", "#!/bin/sh\nstat -c 'mode %%a' /run/runit/supervise > %s.tmp\n"
                   "ls /run/runit/supervise/web >> %s.tmp\nmv %s.tmp %s\nexec sleep 1000\n"
                   % (out, out, out, out))
        os.symlink("/run/runit/supervise/web", os.path.join(sb.service_dir, "web", "supervise"))
        sb.start()
        self.assertTrue(wait_until(lambda: read(out)), sb.stderr())
        lines = read(out).split()
        self.assertEqual(lines[:2], ["mode", "755"])
        self.assertIn("lock", lines)  # runsv made its supervise dir there
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())

    def test_stop_marker_exists_only_while_stopping(self):
        # systemctl is-system-running reads it (svc/ctl CTL_STOP_MARKER).
        sb = Sandbox(self)
        out = os.path.join(sb.root, "marker.out")
        probe = "test -e /run/klein/stopping && s=yes || s=no; echo \"%s $s\" >> " + out
        sb.service("web", "#!/bin/sh\n%s\nexec sleep 1000\n" % (probe % "run"),
                   finish="#!/bin/sh\n%s\n" % (probe % "finish"))
        sb.start()
        self.assertTrue(wait_until(lambda: "run" in read(out)), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertEqual(read(out).split("\n")[:2], ["run no", "finish yes"], read(out))

    def test_read_only_run_is_not_an_error(self):
        sb = Sandbox(self)
        sb.run_mount = "ro"
        sb.service("plain", "#!/bin/sh\necho plain up\nexec sleep 1000\n")
        sb.start(["--log-level", "debug"])
        self.assertTrue(sb.log_has("plain up"), sb.stderr())
        self.assertIn("debug: cannot create /run/runit/supervise: Read-only file system",
                      sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())


if __name__ == "__main__":
    unittest.main()
