# SPDX-License-Identifier: MIT
"""No heap use once startup is over, proved on a build whose malloc & co.
exit 86 with "klein-heapguard: malloc after startup" (tests/init/heapguard.c)."""
import os
import re
import signal
import unittest

from kleintest import PROBE, Sandbox, needs_ns, wait_until, write_exec
from test_signals import FORWARDED, RELAYED

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
        # The HUP and USR1 sent below reach the services (no command; their
        # control/h and control/1 exit 1, so runsv signals them): they
        # ignore them, so that they stay up for the stop.
        sb.service("polite", "#!/bin/sh\ntrap '' HUP USR1\necho polite up\nexec sleep 1000\n")
        sb.service("stubborn", "#!/bin/sh\ntrap '' TERM HUP USR1\necho stubborn up\n"
                   "while :; do sleep 0.2; done\n")
        # Orphans for klein-init to reap, and an escapee for the stop.
        sb.service("orphans", "#!/bin/sh\ntrap '' HUP USR1\n"
                   "for i in 1 2 3 4 5 6 7 8; do (sleep 0.1 &) ; done\n"
                   "setsid sh -c \"trap '' TERM; exec sleep 999\" &\n"
                   "echo orphans made\nexec sleep 1000\n")
        for name in ("polite", "stubborn", "orphans"):
            for c in "h1":
                write_exec(os.path.join(sb.service_dir, name, "control", c),
                           "#!/bin/sh\nexit 1\n")
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
        self.assertTrue(sb.log_has("SIGUSR1: relayed to 3 services as control '1' (0 without"),
                        sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 3, sb.stderr())  # stubborn needed SIGKILL
        self.assertRegex(sb.stderr(), r"sending SIGKILL to pid \d+ \(run\) of service 'stubborn'")
        self.check_clean(sb)

    def test_relay_and_fast_stop(self):
        # Signals relayed to runsv's control FIFOs (one service runs a
        # control/h, the others have none and are skipped, one has no runsv),
        # then a stop that ends the runsv's of young, crashing and logged
        # services early, woken by inotify.
        sb = self.sandbox()
        up = os.path.join(sb.root, "young.up")
        sb.service("young", "#!/bin/sh\ntouch %s\nexec sleep 1000\n" % up)
        write_exec(os.path.join(sb.service_dir, "young", "control", "h"),
                   "#!/bin/sh\ntouch %s/reloaded\n" % sb.root)
        sb.service("crashing", "#!/bin/sh\nexit 1\n")
        sb.service("logged", "#!/bin/sh\necho logged line\nexec sleep 1000\n")
        write_exec(os.path.join(sb.service_dir, "logged", "log", "run"),
                   "#!/bin/sh\nexec cat > %s/logged.log\n" % sb.root)
        # Not a service (runsvdir skips it, and so does the relay).
        with open(os.path.join(sb.service_dir, "README"), "w") as f:
            f.write("not a service\n")
        # Its runsv cannot run (supervise is a file): the relay's failed open.
        os.mkdir(os.path.join(sb.service_dir, "broken"))
        write_exec(os.path.join(sb.service_dir, "broken", "run"), "#!/bin/sh\nexec sleep 1000\n")
        open(os.path.join(sb.service_dir, "broken", "supervise"), "w").close()
        for c in "h12qac":
            write_exec(os.path.join(sb.service_dir, "broken", "control", c), "#!/bin/sh\n")
        sb.start()
        self.assertTrue(wait_until(lambda: os.path.exists(up)), sb.stderr())
        for sig, c in RELAYED:
            sb.kill(sig)
            self.assertTrue(sb.log_has("%s: relayed to %d service%s as control '%s' "
                                       "(%d without control/%s skipped)"
                                       % (sig.name, 1 if c == "h" else 0,
                                          "" if c == "h" else "s", c,
                                          2 if c == "h" else 3, c)), sb.stderr())
        self.assertTrue(wait_until(lambda: os.path.exists(os.path.join(sb.root, "reloaded"))))
        self.assertIn("service 'crashing': no executable control/h, not relayed", sb.stderr())
        self.assertIn("'README' in %s is not a service directory" % sb.service_dir, sb.stderr())
        self.assertIn("service 'broken': no runsv to tell", sb.stderr())
        sb.kill(signal.SIGWINCH)
        self.assertTrue(sb.log_has("SIGWINCH ignored"), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertRegex(sb.stderr(), r"its service is down; ending it now")
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
