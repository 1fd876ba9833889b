# SPDX-License-Identifier: MIT
"""Command mode: exit codes, exec errors, reaping, coalescing, hygiene."""
import os
import re
import signal
import subprocess
import unittest

from kleintest import KLEIN_CMD, PROBE, Sandbox, needs_ns, private_run


@needs_ns
class ExitStatus(unittest.TestCase):
    def test_signal_death_is_128_plus_n(self):
        # my_init #583: a signal-killed command must not look successful.
        for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGKILL, signal.SIGTERM,
                    signal.SIGUSR1, signal.SIGSEGV, signal.SIGABRT):
            sb = Sandbox(self)
            rc = sb.run(["sh", "-c", "kill -%d $$" % sig])
            self.assertEqual(rc, 128 + sig, sb.stderr())
            self.assertIn("killed by %s" % signal.Signals(sig).name, sb.stderr())

    def test_not_found_is_127(self):
        sb = Sandbox(self)
        self.assertEqual(sb.run(["/nonexistent/program"]), 127)
        self.assertIn("cannot execute '/nonexistent/program': No such file", sb.stderr())
        self.assertEqual(sb.run(["no-such-command-klein"]), 127)

    def test_not_executable_is_126(self):
        sb = Sandbox(self)
        path = os.path.join(sb.root, "plain")
        open(path, "w").close()
        self.assertEqual(sb.run([path]), 126)
        self.assertIn("Permission denied", sb.stderr())
        self.assertEqual(sb.run(["/etc"]), 126)

    def test_docker_stop_is_a_clean_exit(self):
        # s6 #387 / dumb-init #260: a command that dies of the SIGTERM of
        # `docker stop` is a requested, clean stop: 0, not 143.
        sb = Sandbox(self)
        sb.start(["sh", "-c", "echo up; exec sleep 1000"])
        self.assertTrue(sb.log_has("up\n"), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertRegex(sb.stderr(), r"command \(pid \d+\) ended: killed by SIGTERM")
        self.assertIn("exiting with status 0", sb.stderr())

    def test_stdio_passes_through(self):
        sb = Sandbox(self)
        path = os.path.join(sb.root, "input")
        with open(path, "wb") as f:
            f.write(b"line one\n\xffbytes\n")
        with open(path, "rb") as stdin:
            rc = sb.run(["sh", "-c", "cat; echo to-stderr >&2"], stdin=stdin)
        self.assertEqual(rc, 0, sb.stderr())
        with open(sb.out_path, "rb") as f:
            self.assertEqual(f.read(), b"line one\n\xffbytes\n")
        self.assertIn("to-stderr\n", sb.stderr())

    def test_command_args_are_not_options(self):
        sb = Sandbox(self)
        self.assertEqual(sb.run(["sh", "-c", "echo \"$0|$1\"", "--help", "-V"]), 0)
        self.assertIn("--help|-V", sb.stdout())


@needs_ns
class Reaping(unittest.TestCase):
    def test_hundred_orphans_reaped(self):
        sb = Sandbox(self)
        rc = sb.run([PROBE, "orphans", "150"], timeout=30)
        self.assertEqual(rc, 0, sb.stdout() + sb.stderr())
        self.assertIn("zombies 0", sb.stdout())

    def test_coalesced_sigchld_no_hang(self):
        # catatonit #4/#5: the command (exit 127) and an orphan exit together.
        for _ in range(15):
            sb = Sandbox(self)
            self.assertEqual(sb.run([PROBE, "coalesce"], timeout=10), 127, sb.stderr())

    def test_subreaper_outside_pid1(self):
        sb = Sandbox(self)
        env = dict(sb.env)
        # Not PID 1: klein-init adopts the orphan and stops it at the end.
        # (A mount namespace only, for a private /run: unshare execs, no fork.)
        r = subprocess.run(["unshare", "--mount"] + private_run() + KLEIN_CMD
                           + ["--", "sh", "-c", "sleep 30 & exit 5"], env=env,
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertRegex(r.stderr, r"sending SIGTERM to pid \d+ \(sleep\)")
        self.assertNotIn("kill(-1", r.stderr)


@needs_ns
class Hygiene(unittest.TestCase):
    def test_clean_mask_dispositions_fds_cwd(self):
        sb = Sandbox(self)
        cwd = os.path.join(sb.root, "work dir")
        os.makedirs(cwd)
        extra = os.open("/dev/null", os.O_RDONLY)
        self.addCleanup(os.close, extra)

        def dirty():
            # Started with signals ignored and blocked, and an extra fd.
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGQUIT})
        rc = sb.run([PROBE, "state"], cwd=cwd, preexec_fn=dirty, pass_fds=(extra,))
        self.assertEqual(rc, 0, sb.stderr())
        out = sb.stdout()
        self.assertIn("SigBlk:\t0000000000000000", out)
        self.assertIn("SigIgn:\t0000000000000000", out)
        self.assertRegex(out, r"(?m)^fds: 0 1 2$")
        self.assertIn("cwd: %s\n" % cwd, out)
        self.assertIn("init_cwd: /\n", out)

    def test_services_and_scripts_are_clean_too(self):
        sb = Sandbox(self)
        sb.service("probe", "#!/bin/sh\n%s state > %s/svc.tmp && mv %s/svc.tmp %s/svc.out\n"
                   "exec sleep 1000\n" % (PROBE, sb.root, sb.root, sb.root))
        with open(os.path.join(sb.init_dir, "10-state"), "w") as f:
            f.write("#!/bin/sh\nexec %s state > %s/script.out\n" % (PROBE, sb.root))
        os.chmod(os.path.join(sb.init_dir, "10-state"), 0o755)
        sb.start()
        path = os.path.join(sb.root, "svc.out")
        from kleintest import wait_until
        self.assertTrue(wait_until(lambda: os.path.exists(path)))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        for name in ("svc.out", "script.out"):
            with open(os.path.join(sb.root, name)) as f:
                out = f.read()
            self.assertIn("SigBlk:\t0000000000000000", out, name)
            self.assertIn("SigIgn:\t0000000000000000", out, name)
            self.assertRegex(out, r"(?m)^fds: 0 1 2$", name)


if __name__ == "__main__":
    unittest.main()
