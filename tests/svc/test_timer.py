#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Black-box tests of `klein-svc timer` under runsvdir in a PID namespace.

Each test writes a target service (with a `down` file, as the porter converts
a timer's unit) that appends its start and end times to a file, and a timer
service whose run script execs `klein-svc timer`; runsvdir runs both in
`unshare --pid --fork --mount-proc` (PID 1 there is runsvdir, or a shell that
execs it a few seconds later; PID 1's start is the "container start"). Exit 77
where unshare or runit is missing. test_randomized_delay runs `klein-svc
timer` alone and reads the next= of its state file.
Usage: test_timer.py KLEIN_SVC [NOTIFY_HELPER]
"""
import calendar
import os
import re
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

    def logpath(self, name):
        return self.log if name == "job" else os.path.join(self.dir, name + ".log")

    def services(self, timer_args, duration=0.2, code=0, name="job"):
        """A target NAME and its timer NAME-timer (log: timer.log for "job",
        NAME-timer.log for others)."""
        job = os.path.join(self.service, name)
        self.write(os.path.join(job, "run"),
                   JOB.format(log=self.logpath(name), duration=duration, code=code))
        self.write(os.path.join(job, "down"), "", 0o644)
        # What the porter's finish script leaves for the timer to log.
        self.write(os.path.join(job, "finish"),
                   "#!/bin/sh\nif [ \"$1\" -eq 0 ]; then r=success; else r=exit-code; fi\n"
                   "printf 'RESULT=%s\\nEXIT_CODE=exited\\nEXIT_STATUS=%s\\n' \"$r\" \"$1\""
                   " > supervise/klein.result\n")
        args = " ".join("'%s'" % a for a in timer_args)
        self.write(os.path.join(self.service, name + "-timer", "run"),
                   "#!/bin/sh\nexec 2>&1\nexec '%s' timer --unit-dir '%s' --state-dir '%s' %s"
                   " >> '%s'\n" % (SVC, job, self.state, args, self.timer_log_path(name)))

    def start(self, pid1_delay=0):
        """runsvdir as PID 1 of a new PID namespace; with pid1_delay, PID 1
        (a shell that then execs runsvdir) starts that long before the services."""
        self.t0 = time.time()
        cmd = ["runsvdir", self.service]
        if pid1_delay:
            cmd = ["sh", "-c", "sleep %s; exec runsvdir '%s'" % (pid1_delay, self.service)]
        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"] + cmd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def events(self, name="job"):
        try:
            with open(self.logpath(name)) as f:
                return [(w, float(t) - self.t0) for w, t in (l.split() for l in f if l.strip())]
        except FileNotFoundError:
            return []

    def starts(self, name="job"):
        return [t for w, t in self.events(name) if w == "start"]

    def timer_log_path(self, name="job"):
        return os.path.join(self.dir, "timer.log" if name == "job" else name + "-timer.log")

    def timer_log(self, name="job"):
        try:
            with open(self.timer_log_path(name)) as f:
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

    def wait_starts(self, n, timeout, name="job"):
        deadline = time.time() + timeout
        while len(self.starts(name)) < n and time.time() < deadline:
            time.sleep(0.1)
        return self.starts(name)

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

    def test_persistent_through_stop(self):
        """Persistent=true across a real stop: the timer triggers at A and
        records it, the container is stopped while B passes, and at the next
        start the missed B runs at once; the same timer without Persistent=
        does not run it."""
        a = int(time.time()) + 6
        b = a + 5

        def when(t):
            return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))
        cal = ["--on-calendar", when(a), "--on-calendar", when(b)]
        self.services(cal + ["--persistent", "--name", "p.timer"], name="p")
        self.services(cal + ["--name", "n.timer"], name="n")
        self.start()
        for name in ("p", "n"):
            self.assertEqual(len(self.wait_starts(1, a + 10 - time.time(), name)), 1,
                             "no run at A: " + self.timer_log(name))
        deadline = time.time() + 5
        while time.time() < deadline and not all(
                "finished" in self.timer_log(n) for n in ("p", "n")):
            time.sleep(0.1)
        self.assertGreaterEqual(self.starts("p")[0] + self.t0, a - 0.1, self.timer_log("p"))
        self.stop()
        stamp = os.path.join(self.state, "stamp-p.timer")
        self.assertAlmostEqual(os.stat(stamp).st_mtime, a, delta=3, msg="stamp is not A's")
        self.assertFalse(os.path.exists(os.path.join(self.state, "stamp-n.timer")))
        # Stopped while B elapses.
        while time.time() < b + 1.5:
            time.sleep(0.1)
        self.start()
        starts = self.wait_starts(2, 10, "p")
        self.assertEqual(len(starts), 2, "no catch-up run at start: " + self.timer_log("p"))
        self.assertLess(starts[1], 8, "the catch-up run is late: %s" % starts)
        time.sleep(2)
        self.assertEqual(len(self.starts("n")), 1,
                         "ran the missed B without Persistent=: " + self.timer_log("n"))
        self.assertEqual(len(self.starts("p")), 2, "ran twice: " + self.timer_log("p"))

    def test_running_target_not_started_again(self):
        """A target still running (started by other means: sv once) when the
        timer elapses is not started again: the timer logs that and skips it."""
        self.services(["--on-active", "4"], duration=8)
        self.start()
        began = self.started_at(self.timer_pid())
        job = os.path.join(self.service, "job")
        deadline = time.time() + 5
        while subprocess.run(["sv", "once", job], capture_output=True).returncode != 0:
            self.assertLess(time.time(), deadline, "sv once never worked")
            time.sleep(0.1)
        starts = self.wait_starts(1, 5)
        self.assertEqual(len(starts), 1)
        self.assertLess(starts[0], began + 3.5, "sv once came after the elapse: %s" % starts)
        deadline = time.time() + 15
        while "still running" not in self.timer_log() and time.time() < deadline:
            time.sleep(0.1)
        # Past the job's end (8s after its start), and a little more.
        while time.time() < self.t0 + starts[0] + 9.5:
            time.sleep(0.1)
        log = self.timer_log()
        self.assertIn("is still running, not started again", log)
        self.assertNotIn("started '", log, "the timer started a running target")
        self.assertEqual(len(self.starts()), 1, str(self.events()))

    def pid1(self):
        """The namespace's PID 1 as seen from here: unshare's child."""
        for _ in range(50):
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    with open("/proc/%s/stat" % d) as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                            return int(d)
                except (OSError, ValueError, IndexError):
                    pass
            time.sleep(0.1)
        self.fail("no PID 1")

    def test_boot_and_startup_count_from_pid1(self):
        """OnBootSec=/OnStartupSec= count from the container's start (PID 1's),
        not from the timer's: PID 1 starts 4s before runsvdir and the timer."""
        for opt in ("--on-boot", "--on-startup"):
            with self.subTest(opt):
                self.services([opt, "7"])
                self.start(pid1_delay=4)
                try:
                    born = self.started_at(self.pid1())
                    began = self.started_at(self.timer_pid())
                    self.assertGreater(began - born, 3, "the timer started with PID 1")
                    starts = self.wait_starts(1, 15)
                    self.assertEqual(len(starts), 1, self.timer_log())
                    # From PID 1: at 7s; from the timer's start it would be 11s.
                    self.assertGreater(starts[0] - born, 6.8, str((born, began, starts)))
                    self.assertLess(starts[0] - born, 9.5, str((born, began, starts)))
                finally:
                    self.stop()
                    for f in (self.log, self.timer_log_path()):
                        if os.path.exists(f):
                            os.unlink(f)

    def first_next(self, args):
        """The first next= the timer writes (its state file), in epoch
        seconds, and the times just before and after it started."""
        state = os.path.join(self.dir, "klein.timer")
        if os.path.exists(state):
            os.unlink(state)
        before = time.time()
        p = subprocess.Popen([SVC, "timer", "--unit-dir", os.path.join(self.dir, "none"),
                              "--state-dir", self.state, "--state-file", state] + args,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if os.path.exists(state):
                    break
                time.sleep(0.05)
            after = time.time()
            with open(state) as f:
                text = f.read()
        finally:
            p.kill()
            p.wait()
        return int(re.search(r"^next=(\d+)$", text, re.M).group(1)) / 1e6, before, after

    def test_randomized_delay(self):
        """RandomizedDelaySec= adds a delay in [0, RandomizedDelaySec], a new
        one each run; FixedRandomDelay=yes gives the same delay to the same
        timer every run (and another to another timer)."""
        day = calendar.timegm((2099, 1, 1, 0, 0, 0))
        cal = ["--on-calendar", "2099-01-01 00:00:00 UTC", "--randomized-delay", "1h"]
        delays = [self.first_next(cal + ["--name", "a.timer"])[0] - day for _ in range(8)]
        self.assertTrue(all(0 <= d <= 3600 for d in delays), delays)
        # Eight uniform draws all within 10 min of each other: p < 1e-4.
        self.assertGreater(max(delays) - min(delays), 600, delays)
        # A monotonic value too: OnActiveSec=1h plus up to 10 min.
        mono = []
        for _ in range(5):
            at, before, after = self.first_next(["--on-active", "1h", "--randomized-delay",
                                                 "10min"])
            self.assertTrue(before + 3600 - 1 <= at <= after + 4200 + 1, (before, at, after))
            mono.append(at - before)
        self.assertGreater(max(mono) - min(mono), 30, mono)
        fixed = cal + ["--fixed-random-delay"]
        a = {self.first_next(fixed + ["--name", "a.timer"])[0] - day for _ in range(3)}
        b = {self.first_next(fixed + ["--name", "b.timer"])[0] - day for _ in range(3)}
        self.assertEqual(len(a), 1, a)
        self.assertEqual(len(b), 1, b)
        self.assertTrue(all(0 <= d <= 3600 for d in a | b), (a, b))
        self.assertNotEqual(a, b, "FixedRandomDelay= is the same for two timers")

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
