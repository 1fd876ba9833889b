# SPDX-License-Identifier: MIT
"""No heap use once startup is over, proved on a build whose malloc & co.
exit 86 with "klein-heapguard: malloc after startup" (tests/init/heapguard.c)."""
import os
import re
import signal
import unittest

from kleintest import PROBE, Sandbox, needs_ns, wait_until, write_exec
from test_signals import FORWARDED

GUARD = os.environ.get("KLEIN_HEAPGUARD_BIN", "")


@needs_ns
@unittest.skipUnless(GUARD, "KLEIN_HEAPGUARD_BIN not set")
class HeapGuard(unittest.TestCase):
    def sandbox(self):
        sb = Sandbox(self, GUARD)
        sb.env["KLEIN_LOG_LEVEL"] = "debug"  # every log path runs too
        return sb

    def check_clean(self, sb):
        err = sb.stderr()
        self.assertNotIn("after startup", err)
        # The guard saw startup's allocations, so it would see later ones.
        m = re.search(r"klein-heapguard: armed after allocations: (\d+)", err)
        self.assertTrue(m, err)
        self.assertGreater(int(m.group(1)), 0)

    def test_services_runsvdir_restart_reaping_and_shutdown(self):
        sb = self.sandbox()
        sb.env["KLEIN_STOP_TIMEOUT"] = "2"
        write_exec(os.path.join(sb.init_dir, "10-env"),
                   "#!/bin/sh\nprintf v > %s/FROM_SCRIPT\n" % sb.env_dir)
        sb.service("polite", "#!/bin/sh\necho polite up\nexec sleep 1000\n")
        sb.service("stubborn", "#!/bin/sh\ntrap '' TERM\necho stubborn up\n"
                   "while :; do sleep 0.2; done\n")
        # Orphans for klein-init to reap, and an escapee for the stop.
        sb.service("orphans", "#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8; do (sleep 0.1 &) ; done\n"
                   "setsid sh -c \"trap '' TERM; exec sleep 999\" &\n"
                   "echo orphans made\nexec sleep 1000\n")
        sb.start()
        for text in ("polite up", "stubborn up", "orphans made"):
            self.assertTrue(sb.log_has(text), sb.stderr())
        self.assertTrue(sb.log_has("reaped pid"), sb.stderr())
        runsvdir = [p for p, (pp, st, c) in sb.descendants().items() if c == "runsvdir"]
        os.kill(runsvdir[0], signal.SIGKILL)
        self.assertTrue(wait_until(lambda: len(re.findall(
            r"runsvdir \(pid \d+\) started", sb.stderr())) == 2), sb.stderr())
        for sig in (signal.SIGHUP, signal.SIGUSR1, signal.SIGRTMIN + 3):
            sb.kill(sig)
        self.assertTrue(sb.log_has("ignored (no command"), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 3, sb.stderr())  # stubborn needed SIGKILL
        self.assertRegex(sb.stderr(), r"sending SIGKILL to pid \d+ \(run\) of service 'stubborn'")
        self.check_clean(sb)

    def test_command_forwarding(self):
        sb = self.sandbox()
        sb.start([PROBE, "signals"])
        self.assertTrue(sb.log_has("ready"), sb.stderr())
        for sig in FORWARDED:
            sb.kill(sig)
            self.assertTrue(sb.log_has("sig %d\n" % sig, 5), sb.stdout() + sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.check_clean(sb)

    def test_command_reaping_and_exit_codes(self):
        sb = self.sandbox()
        self.assertEqual(sb.run([PROBE, "orphans", "100"], timeout=60), 0, sb.stderr())
        self.check_clean(sb)
        sb = self.sandbox()
        self.assertEqual(sb.run([PROBE, "coalesce"]), 127, sb.stderr())
        self.check_clean(sb)
        sb = self.sandbox()
        self.assertEqual(sb.run(["sh", "-c", "kill -SEGV $$"]), 128 + signal.SIGSEGV)
        self.check_clean(sb)


if __name__ == "__main__":
    unittest.main()
