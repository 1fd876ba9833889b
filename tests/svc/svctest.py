# SPDX-License-Identifier: MIT
# Shared helpers for klein-svc's black-box tests (stdlib only).
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SVC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "klein-svc"
NOTIFY = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "notify_helper"


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="klein-svc-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def write(self, name, text, mode=0o644):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def svc(self, *args, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 20)
        return subprocess.run([SVC, *args], check=False, **kw)

    def wait_for(self, pred, timeout=5.0, what="condition"):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return
            time.sleep(0.02)
        self.fail("timed out waiting for " + what)


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def main():
    unittest.main(argv=[sys.argv[0]], verbosity=2)
