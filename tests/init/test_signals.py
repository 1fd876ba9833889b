# SPDX-License-Identifier: MIT
"""Signals: forwarding every catchable signal to the command; stop signals."""
import os
import signal
import time
import unittest

from kleintest import PROBE, Sandbox, needs_ns, wait_until, write_exec

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

    # tini -g: a shell that ignores SIGUSR1 and its child at the default.
    GROUP_CMD = ("sleep 100 & trap '' USR1; echo ready; wait $!; "
                 "echo \"child status $?\"")

    def test_forward_to_process_group(self):
        for how in (["--forward-signals", "group"], "env", "file"):
            sb = Sandbox(self)
            args, env = [], {}
            if how == "env":
                env["KLEIN_FORWARD_SIGNALS"] = "group"
            elif how == "file":
                conf = os.path.join(sb.root, "init.conf")
                with open(conf, "w") as f:
                    f.write("forward_signals = group\n")
                env["KLEIN_CONFIG"] = conf
            else:
                args = how
            env["KLEIN_LOG_LEVEL"] = "debug"
            sb.start(args + ["sh", "-c", self.GROUP_CMD], extra_env=env)
            self.assertTrue(sb.log_has("ready\n"), sb.stderr())
            sb.kill(signal.SIGUSR1)
            self.assertTrue(sb.log_has("forwarding SIGUSR1 to -"), sb.stderr())
            # The child died of it; the shell, ignoring it, carried on.
            self.assertEqual(sb.wait(), 0, sb.stderr())
            self.assertIn("child status %d\n" % (128 + signal.SIGUSR1), sb.stdout())

    def test_forward_to_command_only_by_default(self):
        sb = Sandbox(self)
        sb.start(["--log-level", "debug", "sh", "-c", self.GROUP_CMD])
        self.assertTrue(sb.log_has("ready\n"), sb.stderr())
        sb.kill(signal.SIGUSR1)
        self.assertRegex(sb.log_has("forwarding SIGUSR1 to ") and sb.stderr(),
                         r"forwarding SIGUSR1 to [1-9]")
        time.sleep(0.5)
        self.assertIsNone(sb.proc.poll())  # the child did not get it
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertNotIn("child status", sb.stdout())

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
        # No runit control character: ignored, as before.
        sb = Sandbox(self)
        sb.start(["--log-level", "debug"])
        self.assertTrue(sb.log_has("runsvdir (pid"))
        sb.kill(signal.SIGWINCH)
        sb.kill(signal.SIGRTMIN + 2)
        self.assertTrue(sb.log_has("SIGWINCH ignored"))
        self.assertTrue(sb.log_has("signal %d ignored" % (signal.SIGRTMIN + 2)), sb.stderr())
        self.assertIsNone(sb.proc.poll())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


# Without a command, these reach the services that have a control/<c>
# (runsv runs it; exit 0: done, else runsv sends the signal itself).
RELAYED = [(signal.SIGHUP, "h"), (signal.SIGUSR1, "1"), (signal.SIGUSR2, "2"),
           (signal.SIGQUIT, "q"), (signal.SIGALRM, "a"), (signal.SIGCONT, "c")]


def control(sb, name, chars, text):
    for c in chars:
        write_exec(os.path.join(sb.service_dir, name, "control", c), text)


def service_pid(sb, name):
    return read(os.path.join(sb.service_dir, name, "supervise", "pid")).strip()


@needs_ns
class Relay(unittest.TestCase):
    def test_signals_reach_services_through_runsv(self):
        sb = Sandbox(self)
        catcher = os.path.join(sb.root, "catcher.out")
        reloader = os.path.join(sb.root, "reloader.out")
        reloads = os.path.join(sb.root, "reloads")
        # A hand-written runit service asking for the signals: control/C
        # exits 1, so runsv sends the signal.
        sb.service("catcher", "#!/bin/sh\nexec %s signals > %s\n" % (PROBE, catcher))
        control(sb, "catcher", "h12qac", "#!/bin/sh\nexit 1\n")
        # ExecReload= as klein-porter converts it: runsv runs control/h
        # and, as it exits 0, sends no HUP itself.
        sb.service("reloader", "#!/bin/sh\nexec %s signals > %s\n" % (PROBE, reloader))
        control(sb, "reloader", "h", "#!/bin/sh\necho \"reload $1\" >> %s\n" % reloads)
        control(sb, "reloader", "12qac", "#!/bin/sh\nexit 1\n")
        # A service that is down: its runsv takes the command, does nothing.
        sb.service("resting", "#!/bin/sh\nexec sleep 1000\n")
        control(sb, "resting", "h12qac", "#!/bin/sh\nexit 1\n")
        open(os.path.join(sb.service_dir, "resting", "down"), "w").close()
        sb.start(["--log-level", "debug"])
        self.assertTrue(wait_until(lambda: "ready" in read(catcher) and "ready" in read(reloader)),
                        sb.stderr())
        self.assertTrue(wait_until(lambda: read(os.path.join(
            sb.service_dir, "resting", "supervise", "stat")).startswith("down")), sb.stderr())
        for sig, c in RELAYED:
            sb.kill(sig)
            self.assertTrue(wait_until(lambda: "sig %d\n" % sig in read(catcher), 5),
                            "%s not relayed: %s" % (sig.name, sb.stderr()))
            self.assertTrue(sb.log_has("%s: relayed to 3 services as control '%s' "
                                       "(0 without control/%s skipped)"
                                       % (sig.name, c, c)), sb.stderr())
        self.assertTrue(wait_until(lambda: read(reloads).startswith("reload ")))
        got = read(reloader).split("\n")
        self.assertNotIn("sig %d" % signal.SIGHUP, got)  # control/h instead
        for sig, c in RELAYED[1:]:
            self.assertTrue(wait_until(lambda: "sig %d\n" % sig in read(reloader)), sig.name)
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertEqual(len(read(reloads).splitlines()), 1)

    def test_services_without_control_are_not_signalled(self):
        # systemd never sends a service a signal it did not ask for: a
        # `Restart=no` unit's `exec sleep` would die of the HUP (the default
        # action) and stay down. Only the service with control/h gets it.
        sb = Sandbox(self)
        reloads = os.path.join(sb.root, "reloads")
        sb.service("sleeper", "#!/bin/sh\nexec sleep 100000\n")
        sb.service("other", "#!/bin/sh\nexec sleep 100000\n")
        sb.service("reloader", "#!/bin/sh\nexec sleep 100000\n")
        control(sb, "reloader", "h", "#!/bin/sh\necho reload >> %s\n" % reloads)
        # Present but not executable: runsv would not run it either.
        control(sb, "other", "h", "#!/bin/sh\nexit 1\n")
        os.chmod(os.path.join(sb.service_dir, "other", "control", "h"), 0o644)
        sb.start(["--log-level", "debug"])
        names = ("sleeper", "other", "reloader")
        self.assertTrue(wait_until(lambda: all(service_pid(sb, n) for n in names)), sb.stderr())
        pids = {n: service_pid(sb, n) for n in names}
        for sig, c in RELAYED:
            sb.kill(sig)
            self.assertTrue(sb.log_has("%s: relayed to %d service%s as control '%s' "
                                       "(%d without control/%s skipped)"
                                       % (sig.name, 1 if c == "h" else 0,
                                          "" if c == "h" else "s", c,
                                          2 if c == "h" else 3, c)), sb.stderr())
        self.assertTrue(wait_until(lambda: read(reloads) == "reload\n"), sb.stderr())
        self.assertIn("service 'sleeper': no executable control/h, not relayed", sb.stderr())
        time.sleep(0.5)
        for n in names:
            self.assertEqual(service_pid(sb, n), pids[n], "%s was signalled: %s"
                             % (n, sb.stderr()))
            self.assertTrue(os.path.exists("/proc/%s" % pids[n]), n)
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())

    def test_command_mode_does_not_relay(self):
        sb = Sandbox(self)
        out = os.path.join(sb.root, "svc.out")
        sb.service("svc", "#!/bin/sh\nexec %s signals > %s\n" % (PROBE, out))
        sb.start([PROBE, "signals"])
        self.assertTrue(wait_until(lambda: "ready" in read(out) and "ready" in sb.stdout()))
        sb.kill(signal.SIGHUP)
        self.assertTrue(sb.log_has("sig %d\n" % signal.SIGHUP))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertNotIn("sig %d\n" % signal.SIGHUP, read(out))
        self.assertNotIn("relayed", sb.stderr())


if __name__ == "__main__":
    unittest.main()
