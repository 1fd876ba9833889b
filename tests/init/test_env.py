# SPDX-License-Identifier: MIT
"""The container environment: envdir, .sh and .json, and script updates."""
import json
import os
import signal
import stat
import subprocess
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
                self.assertEqual(f.read(), v.encode(), k)  # raw, no newline added
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


if __name__ == "__main__":
    unittest.main()
