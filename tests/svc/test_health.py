# SPDX-License-Identifier: MIT
# Black-box tests of `klein-svc health`: real runsv, and hand-written supervise/status.
import os
import shutil
import signal
import struct
import subprocess

import svctest
from svctest import Case


class Health(Case):
    def service(self, name, run="#!/bin/sh\nexec sleep 30\n", check=None, down=False):
        d = self.path("service", name)
        os.makedirs(d)
        self.write(os.path.join("service", name, "run"), run, 0o755)
        if check is not None:
            self.write(os.path.join("service", name, "check"), check, 0o755)
        if down:
            open(os.path.join(d, "down"), "w").close()
        return d

    def runsv(self, d):
        p = subprocess.Popen(["runsv", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop():
            p.send_signal(signal.SIGTERM)  # runsv: like "x", stops the service and exits
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.addCleanup(stop)
        self.wait_for(lambda: os.path.exists(os.path.join(d, "supervise", "status")),
                      what="runsv status")
        return p

    def wait_state(self, d, state):
        def ok():
            try:
                with open(os.path.join(d, "supervise", "stat"), encoding="utf-8") as f:
                    return f.read().startswith(state)
            except FileNotFoundError:
                return False
        self.wait_for(ok, what="state " + state)

    def fake_status(self, name, state, want, paused=0, result=None):
        """A service dir whose supervise/ looks like a live runsv's."""
        d = self.service(name)
        sup = os.path.join(d, "supervise")
        os.makedirs(sup)
        os.mkfifo(os.path.join(sup, "ok"))
        # Holding the fifo open for reading is what "runsv is running" means.
        fd = os.open(os.path.join(sup, "ok"), os.O_RDONLY | os.O_NONBLOCK)
        self.addCleanup(os.close, fd)
        raw = b"\0" * 12 + struct.pack("<I", 4242) + bytes([paused, ord(want), 0, state])
        with open(os.path.join(sup, "status"), "wb") as f:
            f.write(raw)
        if result is not None:
            with open(os.path.join(sup, "klein.result"), "w", encoding="utf-8") as f:
                f.write(result)

    def health(self, *args):
        return self.svc("health", *args, self.path("service"))

    def test_runsv_up_and_check(self):
        if not shutil.which("runsv"):
            self.skipTest("runit is not installed")
        a = self.service("a")
        b = self.service("b", check="#!/bin/sh\ntest -e \"$PWD/ok\"\n")
        self.service("c-down", down=True)
        c = self.path("service", "c-down")
        for d in (a, b, c):
            self.runsv(d)
        self.wait_state(a, "run")
        self.wait_state(b, "run")
        r = self.health()
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "b: check failed (exit 1)\n")
        open(os.path.join(b, "ok"), "w").close()
        r = self.health()
        self.assertEqual((r.returncode, r.stdout), (0, ""))  # c-down is wanted down
        os.makedirs(self.path("service", ".hidden"))
        os.makedirs(self.path("service", "not-a-service"))
        self.assertEqual(self.health().returncode, 0)
        subprocess.run(["sv", "up", c], check=False, capture_output=True)
        self.wait_state(c, "run")
        subprocess.run(["sv", "down", a], check=False, capture_output=True)
        self.wait_state(a, "down")
        self.assertEqual(self.health().returncode, 0)  # wanted down is fine

    def test_check_timeout(self):
        self.fake_status("slow", 1, "u")
        self.write("service/slow/check", "#!/bin/sh\nexec sleep 30\n", 0o755)
        r = self.health("--timeout", "0.3")
        self.assertEqual((r.returncode, r.stdout), (1, "slow: check timed out\n"))

    def test_status_states(self):
        self.fake_status("up", 1, "u")
        self.fake_status("crashed", 0, "u")
        self.fake_status("stopped", 0, "d")
        self.fake_status("finishing", 2, "u")
        self.fake_status("paused", 1, "u", paused=1)
        self.service("unsupervised")
        r = self.health()
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.splitlines(), [
            "crashed: down", "finishing: finishing", "paused: paused",
            "unsupervised: not supervised (runsv is not running)"])

    def test_health_failed_service(self):
        # Issue 14 item 9: down and wanted down is healthy only if it did not
        # fail: the finish script's supervise/klein.result tells.
        self.fake_status("failed", 0, "d",
                         result="RESULT=exit-code\nEXIT_CODE=exited\nEXIT_STATUS=1\n")
        self.fake_status("killed", 0, "d",
                         result="RESULT=signal\nEXIT_CODE=killed\nEXIT_STATUS=SEGV\n")
        self.fake_status("limited", 0, "d",
                         result="RESULT=start-limit-hit\nEXIT_CODE=exited\nEXIT_STATUS=1\n")
        self.fake_status("oneshot-done", 0, "d",
                         result="RESULT=success\nEXIT_CODE=exited\nEXIT_STATUS=0\n")
        self.fake_status("stopped", 0, "d",
                         result="RESULT=success\nEXIT_CODE=killed\nEXIT_STATUS=TERM\n")
        self.fake_status("no-result", 0, "d")
        # A failed run that was restarted and now runs is healthy again.
        self.fake_status("restarted", 1, "u",
                         result="RESULT=exit-code\nEXIT_CODE=exited\nEXIT_STATUS=3\n")
        r = self.health()
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.splitlines(), [
            "failed: failed (exit-code, exited 1)",
            "killed: failed (signal, killed SEGV)",
            "limited: failed (start-limit-hit, exited 1)"])

    def test_log_service_and_errors(self):
        self.fake_status("svc", 1, "u")
        os.makedirs(self.path("service", "svc", "log"))
        self.write("service/svc/log/run", "#!/bin/sh\n", 0o755)
        r = self.health()
        self.assertEqual(r.stdout, "svc/log: not supervised (runsv is not running)\n")
        r = self.svc("health", self.path("missing"))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.svc("health", "a", "b").returncode, 2)
        self.assertEqual(self.svc("health", "--timeout", "x").returncode, 2)


if __name__ == "__main__":
    svctest.main()
