# SPDX-License-Identifier: MIT
"""Startup scripts: order, filtering, failure policy, SIGTERM while booting."""
import os
import re
import signal
import unittest

from kleintest import Sandbox, needs_ns, write_exec


@needs_ns
class Scripts(unittest.TestCase):
    def test_order_and_filtering(self):
        sb = Sandbox(self)
        log = os.path.join(sb.root, "order")
        body = "#!/bin/sh\necho \"$0\" >> %s\n" % log
        for name in ("b c", "10-a", "2-b", "Z", ".hidden", "old.dpkg-old",
                     "new.dpkg-dist", "backup~"):
            write_exec(os.path.join(sb.init_dir, name), body)
        write_exec(os.path.join(sb.init_dir, "noexec"), body, 0o644)
        os.makedirs(os.path.join(sb.init_dir, "subdir"))
        write_exec(os.path.join(sb.root, "target"), body)
        os.symlink(os.path.join(sb.root, "target"), os.path.join(sb.init_dir, "3-link"))
        self.assertEqual(sb.run(["true"]), 0, sb.stderr())
        with open(log) as f:
            ran = [os.path.basename(line.strip()) for line in f]
        # Byte order: digits < uppercase < lowercase, no locale collation.
        self.assertEqual(ran, ["10-a", "2-b", "3-link", "Z", "b c"])
        for name in ("10-a", "2-b", "b c"):
            self.assertRegex(sb.stderr(), r"%s: exit status 0 after \d+ ms"
                             % re.escape(os.path.join(sb.init_dir, name)))

    def failing_setup(self, sb):
        write_exec(os.path.join(sb.init_dir, "10-ok"), "#!/bin/sh\nexit 0\n")
        write_exec(os.path.join(sb.init_dir, "20-fail"), "#!/bin/sh\nexit 3\n")
        write_exec(os.path.join(sb.init_dir, "30-after"),
                   "#!/bin/sh\ntouch %s/after\n" % sb.root)
        sb.service("svc", "#!/bin/sh\ntouch %s/svc-ran\nexec sleep 1000\n" % sb.root)

    def test_failure_aborts_by_default(self):
        sb = Sandbox(self)
        self.failing_setup(sb)
        rc = sb.run(["sh", "-c", "touch %s/command" % sb.root])
        self.assertEqual(rc, 2, sb.stderr())
        self.assertIn("startup script %s failed: exit status 3"
                      % os.path.join(sb.init_dir, "20-fail"), sb.stderr())
        for marker in ("after", "svc-ran", "command"):
            self.assertFalse(os.path.exists(os.path.join(sb.root, marker)), marker)

    def test_killed_script_aborts(self):
        sb = Sandbox(self)
        write_exec(os.path.join(sb.init_dir, "10-die"), "#!/bin/sh\nkill -KILL $$\n")
        self.assertEqual(sb.run(["true"]), 2)
        self.assertIn("10-die failed: killed by SIGKILL", sb.stderr())

    def test_failure_warn_continues(self):
        for how in (["--script-failure", "warn"], "env", "file"):
            sb = Sandbox(self)
            self.failing_setup(sb)
            args, env = [], {}
            if how == "env":
                env["KLEIN_SCRIPT_FAILURE"] = "warn"
            elif how == "file":
                conf = os.path.join(sb.root, "init.conf")
                with open(conf, "w") as f:
                    f.write("script_failure = warn\n")
                env["KLEIN_CONFIG"] = conf
            else:
                args = how
            cmd = "while [ ! -e %s/svc-ran ]; do sleep 0.05; done; exit 9" % sb.root
            rc = sb.run(args + ["sh", "-c", cmd], extra_env=env)
            self.assertEqual(rc, 9, sb.stderr())
            self.assertIn("warning: %s: exit status 3" % os.path.join(sb.init_dir, "20-fail"),
                          sb.stderr())
            self.assertTrue(os.path.exists(os.path.join(sb.root, "after")))

    def test_sigterm_during_slow_script(self):
        sb = Sandbox(self)
        write_exec(os.path.join(sb.init_dir, "10-slow"), "#!/bin/sh\nsleep 60\n")
        write_exec(os.path.join(sb.init_dir, "20-never"),
                   "#!/bin/sh\ntouch %s/never\n" % sb.root)
        sb.service("svc", "#!/bin/sh\ntouch %s/svc-ran\nexec sleep 1000\n" % sb.root)
        sb.start(["true"])
        self.assertTrue(sb.log_has("running %s" % os.path.join(sb.init_dir, "10-slow")))
        sb.kill(signal.SIGTERM)
        self.assertEqual(sb.wait(), 0, sb.stderr())
        self.assertLess(sb.stop_elapsed, 4)
        for marker in ("never", "svc-ran"):
            self.assertFalse(os.path.exists(os.path.join(sb.root, marker)), marker)


    def test_unlistable_init_dir_is_a_setup_error(self):
        # Exit 1 (setup), not 2 (a script failed); nothing else starts.
        sb = Sandbox(self)
        not_a_dir = os.path.join(sb.root, "init-file")
        with open(not_a_dir, "w") as f:
            f.write("")
        sb.env["KLEIN_INIT_DIR"] = not_a_dir
        sb.service("svc", "#!/bin/sh\ntouch %s/svc-ran\nexec sleep 1000\n" % sb.root)
        rc = sb.run(["sh", "-c", "touch %s/command" % sb.root])
        self.assertEqual(rc, 1, sb.stderr())
        self.assertIn("error: %s: cannot list startup scripts: Not a directory" % not_a_dir,
                      sb.stderr())
        self.assertNotIn("runsvdir (pid", sb.stderr())
        for marker in ("svc-ran", "command"):
            self.assertFalse(os.path.exists(os.path.join(sb.root, marker)), marker)

    def test_missing_init_dir_means_no_scripts(self):
        sb = Sandbox(self)
        os.rmdir(sb.init_dir)
        self.assertEqual(sb.run(["sh", "-c", "exit 5"]), 5, sb.stderr())
        self.assertNotIn("error", sb.stderr())
        self.assertIn("runsvdir (pid", sb.stderr())


if __name__ == "__main__":
    unittest.main()
