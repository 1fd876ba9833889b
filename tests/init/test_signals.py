# SPDX-License-Identifier: MIT
"""Signals: forwarding every catchable signal to the command; stop signals."""
import signal
import unittest

from kleintest import PROBE, Sandbox, needs_ns, wait_until

# Not forwarded: the stop signals, SIGCHLD, SIGKILL/SIGSTOP, and the fault
# signals klein-init leaves unblocked (a real fault in it must stay fatal).
NOT_FORWARDED = {signal.SIGTERM, signal.SIGINT, signal.SIGPWR, signal.SIGCHLD,
                 signal.SIGKILL, signal.SIGSTOP, signal.SIGFPE, signal.SIGILL,
                 signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGTRAP,
                 signal.SIGSYS}
# glibc keeps 32 and 33 for itself; SIGRTMIN is 34.
FORWARDED = [s for s in range(1, signal.SIGRTMAX + 1)
             if s not in NOT_FORWARDED and s not in (32, 33)]


@needs_ns
class Forwarding(unittest.TestCase):
    def test_every_catchable_signal_reaches_the_command(self):
        sb = Sandbox(self)
        sb.start([PROBE, "signals"])
        self.assertTrue(sb.log_has("ready"), sb.stderr())
        for sig in FORWARDED:
            sb.kill(sig)
            self.assertTrue(sb.log_has("sig %d\n" % sig, 5),
                            "signal %d not forwarded: %s" % (sig, sb.stdout()))
        # SIGTERM stops klein-init, which TERMs the command (it exits 0).
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertIn("sig %d\n" % signal.SIGTERM, sb.stdout())

    def test_stop_signals_without_command(self):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGPWR):
            sb = Sandbox(self)
            sb.service("idle", "#!/bin/sh\nexec sleep 1000\n")
            sb.start()
            self.assertTrue(sb.log_has("runsvdir (pid"), sb.stderr())
            sb.kill(sig)
            self.assertEqual(sb.wait(), 0, sb.stderr())
            self.assertIn("%s: stopping" % signal.Signals(sig).name, sb.stderr())
            self.assertLess(sb.stop_elapsed, 5)

    def test_other_signals_ignored_without_command(self):
        sb = Sandbox(self)
        sb.start(["--log-level", "debug"])
        self.assertTrue(sb.log_has("runsvdir (pid"))
        sb.kill(signal.SIGHUP)
        sb.kill(signal.SIGUSR1)
        self.assertTrue(sb.log_has("SIGUSR1 ignored"))
        self.assertIsNone(sb.proc.poll())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0)


if __name__ == "__main__":
    unittest.main()
