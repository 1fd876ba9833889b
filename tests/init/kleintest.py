# SPDX-License-Identifier: MIT
"""Shared harness: boot klein-init in a fresh PID namespace on temp dirs."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

KLEIN = os.environ.get("KLEIN_INIT_BIN", "")
PROBE = os.environ.get("KLEIN_PROBE", "")
UNSHARE = [shutil.which("unshare") or "unshare", "--pid", "--fork", "--mount-proc"]
# Runs klein-init under e.g. valgrind (same process, so still PID 1).
WRAPPER = os.environ.get("KLEIN_INIT_WRAPPER", "").split()
KLEIN_CMD = WRAPPER + [KLEIN]
# Start-up under valgrind takes seconds, more on a loaded machine.
SLOW = 4 if WRAPPER else 1


RUN_MOUNT = "mode=0755"


def private_run(opts=RUN_MOUNT):
    """argv prefix: a private tmpfs on /run (tmpfs options opts) in the caller's
    mount namespace, then exec the rest (the pid is kept: still PID 1)."""
    return [PROBE, "privrun", opts]


UNSHARE_RUN = UNSHARE + private_run()


def can_unshare():
    if not KLEIN or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(UNSHARE + ["true"], capture_output=True).returncode == 0


HAVE_NS = can_unshare()
needs_ns = unittest.skipUnless(HAVE_NS, "needs root, unshare and KLEIN_INIT_BIN")


def write_exec(path, text, mode=0o755):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def wait_until(pred, timeout=10.0, step=0.02):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Sandbox:
    """A temp root with init/, service/ and env; klein-init runs as PID 1."""

    def __init__(self, test, binary=None):
        self.cmd = WRAPPER + [binary or KLEIN]
        # Options of the private tmpfs on /run: klein-init writes its stop
        # marker (/run/klein) and runsv its supervise links there, and neither
        # may touch the host's /run or another test's.
        self.run_mount = RUN_MOUNT
        self.root = tempfile.mkdtemp(prefix="klein-init-test-")
        test.addCleanup(self.cleanup)
        self.init_dir = os.path.join(self.root, "init")
        self.service_dir = os.path.join(self.root, "service")
        self.env_dir = os.path.join(self.root, "container_environment")
        os.makedirs(self.init_dir)
        os.makedirs(self.service_dir)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "HOME": "/root",
            "KLEIN_INIT_DIR": self.init_dir,
            "KLEIN_SERVICE_DIR": self.service_dir,
            "KLEIN_ENV_DIR": self.env_dir,
            "KLEIN_STOP_TIMEOUT": "3",
            "KLEIN_CONFIG": "/dev/null",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LANG", "LC_ALL"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.proc = None
        self.out_path = os.path.join(self.root, "stdout")
        self.err_path = os.path.join(self.root, "stderr")

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            # klein-init first: as the namespace's PID 1 its death ends every
            # process in it; killing unshare alone would leave them running.
            try:
                with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                    for pid in f.read().split():
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def service(self, name, run, finish=None):
        write_exec(os.path.join(self.service_dir, name, "run"), run)
        if finish:
            write_exec(os.path.join(self.service_dir, name, "finish"), finish)

    def start(self, args=(), extra_env=None, **kw):
        env = dict(self.env)
        env.update(extra_env or {})
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        stdin = kw.pop("stdin", subprocess.DEVNULL)
        self.proc = subprocess.Popen(UNSHARE + private_run(self.run_mount) + self.cmd + list(args),
                                     env=env,
                                     stdin=stdin, stdout=self.out,
                                     stderr=self.err, **kw)
        self.t0 = time.monotonic()
        self.t_kill = None
        return self.proc

    def klein_pid(self):
        """klein-init's pid as seen from here (unshare's only child)."""
        def find():
            try:
                with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                    kids = f.read().split()
            except OSError:
                return None
            return int(kids[0]) if kids else None
        pid = wait_until(find, 5)
        if not pid:
            raise AssertionError("klein-init did not start")
        return pid

    def kill(self, sig):
        pid = self.klein_pid()
        if self.t_kill is None:
            self.t_kill = time.monotonic()
        os.kill(pid, sig)

    def wait(self, timeout=30):
        rc = self.proc.wait(timeout * SLOW)
        self.out.close()
        self.err.close()
        now = time.monotonic()
        self.elapsed = now - self.t0
        # From the first signal we sent: the stop time klein-init promises,
        # free of start-up time (which a loaded machine stretches).
        self.stop_elapsed = now - (self.t_kill or self.t0)
        return rc

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_has(self, text, timeout=10):
        return wait_until(lambda: text in self.stderr() + self.stdout(), timeout)

    def run(self, args=(), timeout=20, **kw):
        self.start(args, **kw)
        return self.wait(timeout)

    def descendants(self):
        """Live processes in klein-init's namespace other than itself."""
        pid = self.klein_pid()
        out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,stat=,comm="],
                             capture_output=True, text=True).stdout
        procs = {}
        for line in out.splitlines():
            p, pp, st, comm = line.split(None, 3)
            procs[int(p)] = (int(pp), st, comm)
        found, changed = set(), True
        while changed:
            changed = False
            for p, (pp, st, comm) in procs.items():
                if p not in found and (pp == pid or pp in found):
                    found.add(p)
                    changed = True
        return {p: procs[p] for p in found}
