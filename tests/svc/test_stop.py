# SPDX-License-Identifier: MIT
# Black-box tests of `klein-svc stop`: signals, escalation, zombies, kill modes.
import os
import signal
import subprocess
import time

import svctest
from svctest import Case, alive

LOOP = "while :; do sleep 0.02; done"


class Stop(Case):
    def spawn(self, script, new_session=True):
        p = subprocess.Popen(["sh", "-c", script], start_new_session=new_session,
                             env=dict(os.environ, T=self.tmp))
        self.addCleanup(self.cleanup, p)
        return p

    def cleanup(self, p):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=10)

    def ready(self, name):
        self.wait_for(lambda: os.path.exists(self.path(name)), what=name)

    def child_pid(self):
        self.ready("child")
        with open(self.path("child"), encoding="utf-8") as f:
            return int(f.read())

    def test_term_then_kill_after_timeout(self):
        p = self.spawn("trap '' TERM; touch $T/up; " + LOOP)
        self.ready("up")
        t0 = time.monotonic()
        r = self.svc("stop", "--timeout", "0.5", str(p.pid))
        dt = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(dt, 0.5)
        self.assertLess(dt, 5)
        self.assertEqual(p.wait(timeout=5), -signal.SIGKILL)

    def test_term_suffices(self):
        p = self.spawn("trap 'exit 0' TERM; touch $T/up; " + LOOP)
        self.ready("up")
        t0 = time.monotonic()
        self.assertEqual(self.svc("stop", "--timeout", "20", str(p.pid)).returncode, 0)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(p.wait(timeout=5), 0)

    def test_zombie_counts_as_stopped(self):
        # Like runsv during control/t: the parent does not reap, so the main
        # process stays a zombie and kill -0 still succeeds.
        p = subprocess.Popen(["sh", "-c", "trap 'exit 0' TERM; " + LOOP])
        p.send_signal(signal.SIGTERM)
        self.wait_for(lambda: not alive(p.pid), what="zombie")
        os.kill(p.pid, 0)  # still there as a zombie
        t0 = time.monotonic()
        r = self.svc("stop", "--timeout", "10", str(p.pid))
        self.assertEqual(r.returncode, 0)
        self.assertLess(time.monotonic() - t0, 3)
        p.wait()

    def test_signal_sighup_and_final_signal(self):
        p = self.spawn("trap 'echo int >> $T/log' INT; trap 'echo hup >> $T/log' HUP; "
                       "touch $T/up; " + LOOP)
        self.ready("up")
        r = self.svc("stop", "--signal", "SIGINT", "--sighup", "--final-signal", "TERM",
                     "--timeout", "300ms", str(p.pid))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(p.wait(timeout=5), -signal.SIGTERM)
        with open(self.path("log"), encoding="utf-8") as f:
            self.assertEqual(sorted(f.read().split()), ["hup", "int"])

    def test_fractional_and_infinite_timeouts(self):
        p = self.spawn("trap '' TERM; touch $T/up; " + LOOP)
        self.ready("up")
        t0 = time.monotonic()
        self.assertEqual(self.svc("stop", "--timeout", "1.5", str(p.pid)).returncode, 0)
        self.assertGreaterEqual(time.monotonic() - t0, 1.5)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(p.wait(timeout=5), -signal.SIGKILL)
        # infinity: no escalation; stop returns once the process is gone.
        p = self.spawn("trap '' TERM; touch $T/up2; " + LOOP)
        self.ready("up2")
        s = subprocess.Popen([svctest.SVC, "stop", "--timeout", "infinity", str(p.pid)])
        time.sleep(1.0)
        self.assertIsNone(s.poll())
        self.assertTrue(alive(p.pid))
        os.kill(p.pid, signal.SIGKILL)
        self.assertEqual(s.wait(timeout=5), 0)
        p.wait(timeout=5)

    def test_signal_names_and_numbers(self):
        # Short names (the porter's), SIG names, plain numbers incl. real-time.
        rt = signal.SIGRTMIN + 3
        for spec, sig in (("INT", signal.SIGINT), ("SIGUSR1", signal.SIGUSR1),
                          ("10", signal.SIGUSR1), (str(rt), rt), ("RTMIN+3", rt)):
            p = self.spawn("touch $T/up.%s; %s" % (spec.replace("+", "_"), LOOP))
            self.ready("up." + spec.replace("+", "_"))
            r = self.svc("stop", "--signal", spec, "--final-signal", "KILL", "--timeout", "5",
                         str(p.pid))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(p.wait(timeout=5), -sig, spec)
        p = self.spawn("trap '' TERM; touch $T/up.k; " + LOOP)
        self.ready("up.k")
        r = self.svc("stop", "--final-signal", "9", "--timeout", "0.2", str(p.pid))
        self.assertEqual(p.wait(timeout=5), -signal.SIGKILL)
        for bad in ("RTMIN+99", "65", "0", "-1", "term"):
            self.assertEqual(self.svc("stop", "--signal", bad, "5").returncode, 2, bad)

    def test_control_group_kills_descendants(self):
        p = self.spawn("sh -c 'trap \"\" TERM; echo $$ > $T/child; %s' & "
                       "trap 'exit 0' TERM; %s" % (LOOP, LOOP))
        child = self.child_pid()
        r = self.svc("stop", "--timeout", "0.3", "--mode", "control-group", str(p.pid))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(p.wait(timeout=5), 0)
        self.wait_for(lambda: not alive(child), what="the descendant to die")

    def test_control_group_catches_reparented_group_members(self):
        # The grandchild's parent exits, so it is no descendant any more,
        # but it is still in the service's process group.
        p = self.spawn("sh -c 'sh -c \"echo \\$\\$ > $T/child; %s\" & exit 0'; "
                       "trap 'exit 0' TERM; %s" % (LOOP, LOOP))
        child = self.child_pid()
        self.assertEqual(self.svc("stop", "--timeout", "2", str(p.pid)).returncode, 0)
        self.wait_for(lambda: not alive(child), what="the group member to die")

    def test_process_mode_leaves_children(self):
        p = self.spawn("sh -c 'echo $$ > $T/child; %s' & trap 'exit 0' TERM; %s" % (LOOP, LOOP))
        child = self.child_pid()
        r = self.svc("stop", "--timeout", "0.3", "--mode", "process", str(p.pid))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(p.wait(timeout=5), 0)
        time.sleep(0.2)
        self.assertTrue(alive(child))
        os.kill(child, signal.SIGKILL)

    def test_mixed_mode(self):
        # TERM goes to the main process only; leftovers get the final KILL.
        p = self.spawn("sh -c 'trap \"touch $T/child-term\" TERM; echo $$ > $T/child; %s' & "
                       "trap 'exit 0' TERM; %s" % (LOOP, LOOP))
        child = self.child_pid()
        r = self.svc("stop", "--timeout", "0.4", "--mode", "mixed", str(p.pid))
        self.assertEqual(r.returncode, 0)
        self.wait_for(lambda: not alive(child), what="the child to be killed")
        self.assertFalse(os.path.exists(self.path("child-term")))

    def test_none_mode_and_bad_input(self):
        p = self.spawn("touch $T/up; " + LOOP)
        self.ready("up")
        self.assertEqual(self.svc("stop", "--mode", "none", str(p.pid)).returncode, 0)
        self.assertTrue(alive(p.pid))
        self.assertEqual(self.svc("stop", "99999999999").returncode, 2)
        self.assertEqual(self.svc("stop", "4194304").returncode, 0)  # above pid_max: gone
        for bad in (["--signal", "NOPE", "5"], ["--mode", "cgroup", "5"], ["x"], ["1"], []):
            self.assertEqual(self.svc("stop", *bad).returncode, 2, bad)


if __name__ == "__main__":
    svctest.main()
