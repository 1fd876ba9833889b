# SPDX-License-Identifier: MIT
"""The container environment: envdir, .sh and .json, and script updates."""
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import tempfile
import unittest

from kleintest import Sandbox, needs_ns, wait_until, write_exec

TRICKY = {
    "SPACES": "a b  c ",
    "QUOTES": "it's \"quoted\" `x` $HOME \\",
    "NEWLINES": "line1\nline2\n",
    "UNICODE": "caf\u00e9 \u20ac \U0001F600",
    "EMPTY": "",
    "EQUALS": "a=b=c",
}


@needs_ns
class Environment(unittest.TestCase):
    def test_round_trip(self):
        sb = Sandbox(self)
        # The command prints its environment NUL-separated, byte-exact.
        rc = sb.run(["sh", "-c", "cat /proc/self/environ > %s/seen" % sb.root],
                    extra_env=dict(TRICKY, HOME="/home/someone"))
        self.assertEqual(rc, 0, sb.stderr())
        with open(os.path.join(sb.root, "seen"), "rb") as f:
            seen = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if v)
        for k, v in TRICKY.items():
            self.assertEqual(seen[k.encode()], v.encode(), k)
            with open(os.path.join(sb.env_dir, k), "rb") as f:
                # Raw, one newline more where the value ends in one (reading
                # strips one, as phusion's my_init does).
                self.assertEqual(f.read(), (v + "\n" if v.endswith("\n") else v).encode(), k)
        self.assertEqual(seen[b"HOME"], b"/home/someone")  # my_init #119
        with open(sb.env_dir + ".json", encoding="utf-8") as f:
            js = json.load(f)
        for k, v in TRICKY.items():
            self.assertEqual(js[k], v)
        self.assertEqual(js["HOME"], "/home/someone")
        # Sourcing the .sh file gives the exact values back.
        out = subprocess.run(["sh", "-c", ". %s.sh && printf '%%s\\0' \"$SPACES\" "
                              "\"$QUOTES\" \"$NEWLINES\" \"$UNICODE\" \"$EMPTY\" \"$EQUALS\""
                              % sb.env_dir], env={}, capture_output=True).stdout
        self.assertEqual(out.split(b"\0")[:-1], [v.encode() for v in TRICKY.values()])
        # Root-only: the values may be secrets.
        self.assertEqual(stat.S_IMODE(os.stat(sb.env_dir).st_mode), 0o700)
        for suffix in (".sh", ".json", "/HOME"):
            self.assertEqual(stat.S_IMODE(os.stat(sb.env_dir + suffix).st_mode), 0o600)

    def test_invalid_utf8_gives_valid_json(self):
        sb = Sandbox(self)
        env = {k.encode(): v.encode() for k, v in sb.env.items()}
        env[b"BYTES"] = b"\xff\xfe ok \xc3"
        env[b"not-shell"] = b"x"
        sb.env = env
        self.assertEqual(sb.run(["true"]), 0)
        with open(sb.env_dir + ".json", "rb") as f:
            js = json.loads(f.read().decode("utf-8"))  # strict UTF-8
        self.assertEqual(js["BYTES"], "\u00ff\u00fe ok \u00c3")
        self.assertEqual(js["not-shell"], "x")
        with open(sb.env_dir + ".sh", "rb") as f:
            self.assertNotIn(b"not-shell", f.read())  # not a shell name

    def test_scripts_change_what_later_scripts_and_services_see(self):
        sb = Sandbox(self)
        d = sb.env_dir
        write_exec(os.path.join(sb.init_dir, "10-set"),
                   "#!/bin/sh\nprintf 'from script' > %s/ADDED\n"
                   "printf 'new value' > %s/CHANGED\nrm %s/REMOVED\n" % (d, d, d))
        write_exec(os.path.join(sb.init_dir, "20-check"),
                   "#!/bin/sh\n{ echo \"ADDED=$ADDED\"; echo \"CHANGED=$CHANGED\";"
                   " echo \"REMOVED=${REMOVED-unset}\"; echo \"HOME=$HOME\"; } > %s/script.out\n"
                   % sb.root)
        sb.service("show", "#!/bin/sh\n{ echo \"ADDED=$ADDED\"; echo \"REMOVED=${REMOVED-unset}\";"
                   " echo \"HOME=$HOME\"; echo \"PATH=$PATH\"; } > %s/svc.tmp\n"
                   "mv %s/svc.tmp %s/svc.out\nexec sleep 1000\n" % (sb.root, sb.root, sb.root))
        sb.start(extra_env={"CHANGED": "old", "REMOVED": "gone soon", "HOME": "/root"})
        out = os.path.join(sb.root, "svc.out")
        self.assertTrue(wait_until(lambda: os.path.exists(out)), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        with open(os.path.join(sb.root, "script.out")) as f:
            self.assertEqual(f.read(), "ADDED=from script\nCHANGED=new value\n"
                             "REMOVED=unset\nHOME=/root\n")
        with open(out) as f:
            text = f.read()
        self.assertIn("ADDED=from script\nREMOVED=unset\nHOME=/root\n", text)
        self.assertIn("PATH=%s\n" % sb.env["PATH"], text)
        with open(d + ".json") as f:
            js = json.load(f)
        self.assertEqual(js["ADDED"], "from script")
        self.assertNotIn("REMOVED", js)

    def test_unwritable_env_dir_is_a_warning(self):
        # s6 #578: a read-only or odd root must not stop the boot.
        sb = Sandbox(self)
        sb.env["KLEIN_ENV_DIR"] = "/proc/klein-no-such-dir/env"
        write_exec(os.path.join(sb.init_dir, "10-ok"), "#!/bin/sh\necho script-ran\n")
        self.assertEqual(sb.run(["sh", "-c", "exit 4"]), 4, sb.stderr())
        self.assertIn("warning: cannot write the container environment to "
                      "/proc/klein-no-such-dir/env", sb.stderr())
        self.assertIn("script-ran", sb.stdout())

    def test_image_defaults_imported(self):
        sb = Sandbox(self)
        os.makedirs(sb.env_dir)
        with open(os.path.join(sb.env_dir, "FROM_IMAGE"), "w") as f:
            f.write("default")
        with open(os.path.join(sb.env_dir, "OVERRIDDEN"), "w") as f:
            f.write("image")
        rc = sb.run(["sh", "-c", "test \"$FROM_IMAGE\" = default && test \"$OVERRIDDEN\" = run"],
                    extra_env={"OVERRIDDEN": "run"})
        self.assertEqual(rc, 0, sb.stderr())


def boot_cpu(sb, args, **kw):
    """Runs klein-init in sb; returns (exit code, CPU seconds of the run)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rc = sb.run(args, timeout=120, **kw)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return rc, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def env_on_tmpfs(test, sb):
    """Moves sb's env dir to /dev/shm: thousands of files, no disk waits."""
    if not os.path.isdir("/dev/shm"):
        return
    tmp = tempfile.mkdtemp(prefix="klein-env-", dir="/dev/shm")
    test.addCleanup(shutil.rmtree, tmp, True)
    sb.env_dir = sb.env["KLEIN_ENV_DIR"] = os.path.join(tmp, "container_environment")


def set_stack_8m():
    # The kernel's argument space is a quarter of the stack limit (at most
    # 6 MiB): pin it so the test knows the bound (2 MiB).
    resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, 8 << 20))


@needs_ns
class Hardening(unittest.TestCase):
    """Issue 14: bad entries and sizes in the env dir never stop the boot."""

    def test_envdir_directory_entry(self):
        # A stray directory named like a variable (a mount point, say) is
        # skipped with a warning; everything else keeps working.
        sb = Sandbox(self)
        d = sb.env_dir
        os.makedirs(os.path.join(d, "HOME"))
        with open(os.path.join(d, "FROM_IMAGE"), "w") as f:
            f.write("default")
        write_exec(os.path.join(sb.init_dir, "10-set"),
                   "#!/bin/sh\nprintf 'from script' > %s/ADDED\n" % d)
        write_exec(os.path.join(sb.init_dir, "20-check"),
                   "#!/bin/sh\necho \"ADDED=$ADDED FROM_IMAGE=$FROM_IMAGE HOME=$HOME\""
                   " > %s/script.out\n" % sb.root)
        rc = sb.run(["sh", "-c", "echo \"$ADDED\" > %s/cmd.out" % sb.root])
        self.assertEqual(rc, 0, sb.stderr())
        with open(os.path.join(sb.root, "script.out")) as f:
            self.assertEqual(f.read(), "ADDED=from script FROM_IMAGE=default HOME=/root\n")
        with open(os.path.join(sb.root, "cmd.out")) as f:
            self.assertEqual(f.read(), "from script\n")
        self.assertIn("%s/HOME: " % d, sb.stderr())
        self.assertTrue(os.path.isdir(os.path.join(d, "HOME")))  # left alone
        with open(d + ".json") as f:
            js = json.load(f)
        self.assertEqual((js["ADDED"], js["HOME"]), ("from script", "/root"))
        with open(d + ".sh") as f:
            self.assertIn("export ADDED='from script'\n", f.read())

    def test_env_limits_value(self):
        # The kernel takes at most 128 KiB per "NAME=value" string, NUL
        # included: FIT is exactly that, BIG is 3 bytes more.
        sb = Sandbox(self)
        os.makedirs(sb.env_dir)
        with open(os.path.join(sb.env_dir, "FIT"), "w") as f:
            f.write("f" * (131072 - len("FIT=") - 1))
        with open(os.path.join(sb.env_dir, "BIG"), "w") as f:
            f.write("b" * 131070)
        write_exec(os.path.join(sb.init_dir, "10-ok"), "#!/bin/sh\necho script-ran\n")
        rc = sb.run(["sh", "-c", "test ${#FIT} -eq 131067 && test -z \"${BIG+set}\""])
        self.assertEqual(rc, 0, sb.stderr())
        self.assertIn("script-ran", sb.stdout())
        self.assertIn("%s/BIG: too long" % sb.env_dir, sb.stderr())

    def test_env_limits_total(self):
        # Many variables that each fit but together exceed the argument
        # space (2 MiB with an 8 MiB stack): the rest is ignored, the boot
        # goes on and the script can still add a small one.
        sb = Sandbox(self)
        os.makedirs(sb.env_dir)
        for i in range(30):
            with open(os.path.join(sb.env_dir, "MANY%02d" % i), "w") as f:
                f.write("m" * 100000)
        write_exec(os.path.join(sb.init_dir, "10-ok"),
                   "#!/bin/sh\nprintf small > %s/SMALL\n" % sb.env_dir)
        rc = sb.run(["sh", "-c", "test \"$SMALL\" = small && test ${#MANY00} -eq 100000"],
                    preexec_fn=set_stack_8m)
        self.assertEqual(rc, 0, sb.stderr())
        self.assertIn("would not fit", sb.stderr())

    def test_trailing_newline(self):
        # phusion's my_init strips one trailing newline, so `echo X > NAME`
        # sets X; a value that really ends in a newline still round-trips.
        sb = Sandbox(self)
        os.makedirs(sb.env_dir)
        with open(os.path.join(sb.env_dir, "FROM_IMAGE"), "w") as f:
            f.write("image\n")
        write_exec(os.path.join(sb.init_dir, "10-set"),
                   "#!/bin/sh\necho X > %s/ECHOED\nprintf 'two\\n\\n' > %s/TWO\n"
                   % (sb.env_dir, sb.env_dir))
        write_exec(os.path.join(sb.init_dir, "20-noop"), "#!/bin/sh\ntrue\n")
        rc = sb.run(["sh", "-c", "printf '%%s|' \"$ECHOED\" \"$FROM_IMAGE\" \"$TWO\" \"$NL\""
                     " > %s/seen" % sb.root], extra_env={"NL": "a\n"})
        self.assertEqual(rc, 0, sb.stderr())
        with open(os.path.join(sb.root, "seen")) as f:
            self.assertEqual(f.read(), "X|image|two\n|a\n|")
        with open(os.path.join(sb.env_dir, "NL")) as f:
            self.assertEqual(f.read(), "a\n\n")  # one newline more, stripped on reading


@needs_ns
class TimeBounds(unittest.TestCase):
    """Issue 14 item 6: start-up linear in the number of variables."""

    def boot(self, n):
        sb = Sandbox(self)
        env_on_tmpfs(self, sb)
        os.makedirs(sb.env_dir)
        for i in range(n):  # image defaults: imported
            with open(os.path.join(sb.env_dir, "D%06d" % i), "w") as f:
                f.write("d")
        env = {"E%06d" % i: "e" for i in range(n)}  # docker run -e: exported
        # A script changes, adds and removes a few: one reload.
        write_exec(os.path.join(sb.init_dir, "10-edit"),
                   "#!/bin/sh\ncd %s && rm D00000[1-9] && printf x > D000010 && printf y > NEW\n"
                   % sb.env_dir)
        rc, cpu = boot_cpu(sb, ["sh", "-c", "test \"$NEW$D000010\" = yx -a -z \"$D000001\""],
                           extra_env=env)
        self.assertEqual(rc, 0, sb.stderr())
        return cpu

    def test_time_bounds_env_scaling(self):
        # CPU time (not wall clock: the machine is shared) for n and 4n
        # variables. Linear work gives a ratio near 4 (less: fixed costs);
        # the old quadratic getenv/setenv scans gave about 16. 8 separates
        # them with room for noise either way.
        small = self.boot(3000)
        big = self.boot(12000)
        self.assertLess(big / small, 8.0, "n=3000: %.2fs, n=12000: %.2fs" % (small, big))

    def test_time_bounds_signal_during_env(self):
        # A SIGTERM while the environment is being written is acted on at
        # once, not after the whole export (Docker kills at 10 s).
        sb = Sandbox(self)
        env_on_tmpfs(self, sb)
        env = {"E%06d" % i: "e" for i in range(60000)}
        sb.start(["sleep", "100"], extra_env=env)
        self.assertTrue(wait_until(lambda: os.path.isdir(sb.env_dir) and
                                   len(os.listdir(sb.env_dir)) > 100), sb.stderr())
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertLess(len(os.listdir(sb.env_dir)), 50000)  # stopped midway
        self.assertLess(sb.stop_elapsed, 3.0)


if __name__ == "__main__":
    unittest.main()
