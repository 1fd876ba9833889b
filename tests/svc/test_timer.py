#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Black-box tests of `klein-svc timer` under runsvdir in a PID namespace.

Each test writes a target service (with a `down` file, as the porter converts
a timer's unit) that appends its start and end times to a file, and a timer
service whose run script execs `klein-svc timer`; runsvdir runs both in
`unshare --pid --fork --mount-proc` (PID 1 there is runsvdir, whose start is
the "container start"). Exit 77 where unshare or runit is missing.
Usage: test_timer.py KLEIN_SVC [NOTIFY_HELPER]
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SVC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "klein-svc"

JOB = """#!/bin/sh
echo "start $(date +%s.%N)" >> {log}
sleep {duration}
echo "end $(date +%s.%N)" >> {log}
exit {code}
"""


def usable():
    if not all(shutil.which(x) for x in ("unshare", "runsvdir", "runsv", "sv")):
        return False
    r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                       capture_output=True)
    return r.returncode == 0


class TimerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="klein-timer-")
        self.service = os.path.join(self.dir, "service")
        os.mkdir(self.service)
        self.log = os.path.join(self.dir, "job.log")
        self.state = os.path.join(self.dir, "state")
        self.proc = None

    def tearDown(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, path, text, mode=0o755):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)

    def services(self, timer_args, duration=0.2, code=0):
        job = os.path.join(self.service, "job")
        self.write(os.path.join(job, "run"),
                   JOB.format(log=self.log, duration=duration, code=code))
        self.write(os.path.join(job, "down"), "", 0o644)
        # What the porter's finish script leaves for the timer to log.
        self.write(os.path.join(job, "finish"),
                   "#!/bin/sh\nif [ \"$1\" -eq 0 ]; then r=success; else r=exit-code; fi\n"
                   "printf 'RESULT=%s\\nEXIT_CODE=exited\\nEXIT_STATUS=%s\\n' \"$r\" \"$1\""
                   " > supervise/klein.result\n")
        args = " ".join("'%s'" % a for a in timer_args)
        self.write(os.path.join(self.service, "job-timer", "run"),
                   "#!/bin/sh\nexec 2>&1\nexec '%s' timer --unit-dir '%s' --state-dir '%s' %s"
                   " >> '%s/timer.log'\n" % (SVC, job, self.state, args, self.dir))

    def start(self):
        self.t0 = time.time()
        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "runsvdir",
             self.service], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def events(self):
        try:
            with open(self.log) as f:
                return [(w, float(t) - self.t0) for w, t in (l.split() for l in f if l.strip())]
        except FileNotFoundError:
            return []

    def starts(self):
        return [t for w, t in self.events() if w == "start"]

    def timer_log(self):
        try:
            with open(os.path.join(self.dir, "timer.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def timer_pid(self):
        """The timer's pid as seen from here (supervise/pid is the namespace's)."""
        want = ("timer\0--unit-dir\0%s/" % self.service).encode()
        for _ in range(50):
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % d, "rb") as f:
                        if want in f.read():
                            return int(d)
                except OSError:
                    pass
            time.sleep(0.1)
        self.fail("timer never started")

    def started_at(self, pid):
        """When pid started, on the time.time() scale."""
        with open("/proc/%d/stat" % pid) as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK")) - self.t0

    def test_on_active_then_unit_active(self):
        """OnActiveSec=1 fires once at ~1s; OnUnitActiveSec=2 then every 2s from each start."""
        self.services(["--on-active", "1", "--on-unit-active", "2"])
        self.start()
        began = self.started_at(self.timer_pid())
        time.sleep(6.6)
        starts = self.starts()
        self.assertGreaterEqual(len(starts), 3, self.timer_log())
        self.assertAlmostEqual(starts[0] - began, 1.0, delta=0.4, msg=str((began, starts)))
        for a, b in zip(starts, starts[1:]):
            self.assertAlmostEqual(b - a, 2.0, delta=0.5, msg=str(starts))
        self.assertIn("next elapse:", self.timer_log())

    def test_calendar_and_no_overlap(self):
        """*:*:0/3 fires on multiples of 3s; a job longer than the period never overlaps."""
        self.services(["--on-calendar", "*:*:0/3"], duration=4)
        self.start()
        time.sleep(12)
        self.stop()
        ev = self.events()
        starts = [t for w, t in ev if w == "start"]
        self.assertGreaterEqual(len(starts), 2, self.timer_log())
        for t in starts[:1]:
            self.assertLess((t + self.t0) % 3, 0.6, msg=str(starts))
        depth = 0
        for w, _ in ev:
            depth += 1 if w == "start" else -1
            self.assertLessEqual(depth, 1, "the job overlapped itself: %s" % ev)

    def test_unit_inactive_counts_from_stop(self):
        """OnUnitInactiveSec=2 counts from the job's end, not its start."""
        self.services(["--on-active", "0.5", "--on-unit-inactive", "2"], duration=1)
        self.start()
        time.sleep(7)
        ev = self.events()
        ends = [t for w, t in ev if w == "end"]
        starts = [t for w, t in ev if w == "start"]
        self.assertGreaterEqual(len(starts), 2, self.timer_log())
        self.assertAlmostEqual(starts[1] - ends[0], 2.0, delta=0.5, msg=str(ev))

    def test_failure_is_logged(self):
        """A failing job is logged with its exit status."""
        self.services(["--on-active", "0.5"], code=3)
        self.start()
        time.sleep(2.5)
        self.assertEqual(len(self.starts()), 1)
        self.assertIn("finished: exit-code exited 3", self.timer_log())

    def test_asleep_between_elapses(self):
        """No wake-ups between elapses: voluntary context switches stay flat."""
        self.services(["--on-calendar", "*:*:0/20"])
        self.start()
        pid = self.timer_pid()
        time.sleep(0.5)

        def switches():
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        return int(line.split()[1])
        # A window with no elapse inside and no job still running from the
        # last one (elapses on multiples of 20s; the job takes 0.2s).
        while not 2 < time.time() % 20 < 16:
            time.sleep(0.2)
        a = switches()
        time.sleep(3)
        b = switches()
        self.assertEqual(a, b, "the timer woke up while nothing was due")

    def wait_starts(self, n, timeout):
        deadline = time.time() + timeout
        while len(self.starts()) < n and time.time() < deadline:
            time.sleep(0.1)
        return self.starts()

    def test_persistent_catch_up(self):
        """Persistent=true: a yearly run missed while stopped happens at start;
        the stamp is the trigger time; without --persistent nothing runs."""
        stamp = os.path.join(self.state, "stamp-job.timer")
        os.makedirs(self.state)
        open(stamp, "w").close()
        old = time.time() - 2 * 366 * 86400
        os.utime(stamp, (old, old))
        self.services(["--on-calendar", "*-01-01 00:00:00", "--persistent", "--name",
                       "job.timer"])
        self.start()
        self.assertEqual(len(self.wait_starts(1, 10)), 1, "no catch-up run: " + self.timer_log())
        self.assertGreater(os.stat(stamp).st_mtime, time.time() - 60, "stamp not updated")
        time.sleep(1)
        self.assertEqual(len(self.starts()), 1, "ran more than once: " + self.timer_log())
        self.stop()
        # The same timer without Persistent=: the missed run is not made up.
        os.utime(stamp, (old, old))
        self.services(["--on-calendar", "*-01-01 00:00:00", "--name", "job.timer"])
        self.start()
        self.timer_pid()
        time.sleep(2)
        self.assertEqual(len(self.starts()), 1, "ran without Persistent=: " + self.timer_log())

    def test_usage(self):
        r = subprocess.run([SVC, "timer", "--on-active", "1"], capture_output=True)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([SVC, "timer", "--unit-dir", ".", "--on-calendar", "bad"],
                           capture_output=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"invalid calendar event", r.stderr)


if __name__ == "__main__":
    if not usable():
        print("SKIP: needs unshare --pid and runit")
        sys.exit(77)
    unittest.main(argv=sys.argv[:1], verbosity=2)
