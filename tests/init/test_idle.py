# SPDX-License-Identifier: MIT
"""Idle klein-init never wakes up: no tick, no timeout, just poll(-1)."""
import os
import signal
import subprocess
import time
import unittest

from kleintest import PROBE, Sandbox, needs_ns, wait_until

POLL, PPOLL = 7, 271  # x86_64 syscall numbers


def switches(pid):
    """Voluntary + involuntary context switches of pid: each wake-up adds one."""
    with open("/proc/%d/status" % pid) as f:
        fields = dict(line.split(":", 1) for line in f if "ctxt_switches" in line)
    return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])


def blocked_syscall(pid):
    """The syscall pid sleeps in: [nr, arg0, ...] from /proc/PID/syscall."""
    with open("/proc/%d/syscall" % pid) as f:
        parts = f.read().split()
    return [int(p, 0) for p in parts if p != "running"]


def settled(pid):
    """Waits until pid stops switching for a while (start-up is over)."""
    def quiet():
        a = switches(pid)
        time.sleep(0.5)
        return switches(pid) == a
    return wait_until(quiet, 20, 0)


@needs_ns
@unittest.skipUnless(os.uname().machine == "x86_64", "syscall numbers are x86_64's")
class Idle(unittest.TestCase):
    def check_idle(self, sb):
        pid = sb.klein_pid()
        self.assertTrue(settled(pid), sb.stderr())
        # Sleeping in poll (or ppoll) with no timeout at all.
        sc = blocked_syscall(pid)
        self.assertIn(sc[0], (POLL, PPOLL), sc)
        if sc[0] == POLL:
            self.assertIn(sc[3] & 0xffffffff, (0xffffffff,), "poll timeout %#x" % sc[3])
        else:
            self.assertEqual(sc[3], 0, "ppoll timeout pointer")
        # And it stays asleep: a 1 s tick (tini) or any timer would count.
        before = switches(pid)
        time.sleep(3)
        self.assertEqual(switches(pid), before, "klein-init woke up while idle")
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())

    def test_services_mode(self):
        sb = Sandbox(self)
        sb.service("a", "#!/bin/sh\nexec sleep 1000\n")
        sb.service("b", "#!/bin/sh\nexec sleep 1000\n")
        sb.start()
        self.assertTrue(wait_until(lambda: all(
            subprocess.run(["sv", "status", os.path.join(sb.service_dir, n)],
                           capture_output=True, text=True).stdout.startswith("run:")
            for n in ("a", "b"))), sb.stderr())
        self.check_idle(sb)

    def test_command_mode(self):
        sb = Sandbox(self)
        sb.start([PROBE, "signals"])
        self.assertTrue(sb.log_has("ready"), sb.stderr())
        self.check_idle(sb)


if __name__ == "__main__":
    unittest.main()
