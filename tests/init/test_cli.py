# SPDX-License-Identifier: MIT
"""klein-init CLI: --help, --version, usage errors, config precedence."""
import os
import subprocess
import unittest

from kleintest import KLEIN, KLEIN_CMD, Sandbox, needs_ns, write_exec


def run_direct(args, env=None):
    return subprocess.run(KLEIN_CMD + args, capture_output=True, text=True,
                          env=env, timeout=20)


@unittest.skipUnless(KLEIN, "KLEIN_INIT_BIN not set")
class Cli(unittest.TestCase):
    def test_help_documents_exit_codes(self):
        r = run_direct(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: klein-init", r.stdout)
        for needle in ("128+N", "126", "127", "  0  stop requested", "  1  usage",
                       "  2  a startup script failed", "  3  stop requested",
                       "KLEIN_STOP_TIMEOUT", "KLEIN_LOG_LEVEL", "KLEIN_FORWARD_SIGNALS",
                       "init directory cannot be read", "SIGHUP h", "SIGUSR1 1",
                       "SIGUSR2 2", "SIGQUIT q", "SIGALRM a", "SIGCONT c"):
            self.assertIn(needle, r.stdout)

    def test_version(self):
        r = run_direct(["--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^klein-init \d+\.\d+\.\d+\n$")

    def test_unknown_option(self):
        r = run_direct(["--bogus"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("usage: klein-init", r.stderr)


class BadConfig(unittest.TestCase):
    """Bad settings are a clear error, exit 1, before anything runs."""

    def setUp(self):
        self.sb = Sandbox(self)
        self.marker = os.path.join(self.sb.root, "ran")
        write_exec(os.path.join(self.sb.init_dir, "10-mark"),
                   "#!/bin/sh\ntouch %s\n" % self.marker)

    def run_bad(self, extra_env=None, args=()):
        env = dict(self.sb.env)
        env.update(extra_env or {})
        r = subprocess.run(KLEIN_CMD + list(args) + ["true"], capture_output=True,
                           text=True, env=env, timeout=20)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertFalse(os.path.exists(self.marker), "a script ran")
        self.assertFalse(os.path.exists(self.sb.env_dir), "env was written")
        return r.stderr

    def conf(self, text):
        path = os.path.join(self.sb.root, "init.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_bad_value_names_file_and_line(self):
        path = self.conf("# klein\ninit_dir = \"/x\"\nstop_timeout = forever\n")
        err = self.run_bad({"KLEIN_CONFIG": path})
        self.assertIn("%s:3: error:" % path, err)
        self.assertIn("stop_timeout", err)

    def test_unknown_key(self):
        path = self.conf("\n\nstop_timout = 5\n")
        err = self.run_bad({"KLEIN_CONFIG": path})
        self.assertIn("%s:3: error:" % path, err)
        self.assertIn("stop_timout", err)

    def test_syntax_error(self):
        path = self.conf("log_level = \"debug\n")
        err = self.run_bad({"KLEIN_CONFIG": path})
        self.assertIn(path + ":", err)
        self.assertIn("error", err)

    def test_bad_enum_and_relative_dir(self):
        err = self.run_bad({"KLEIN_CONFIG": self.conf("script_failure = maybe\n")})
        self.assertIn(":1: error:", err)
        err = self.run_bad({"KLEIN_CONFIG": self.conf("\nservice_dir = svc\n")})
        self.assertIn(":2: error:", err)
        err = self.run_bad({"KLEIN_CONFIG": self.conf("\n\nforward_signals = all\n")})
        self.assertIn(":3: error: invalid value 'all' for 'forward_signals'", err)

    def test_missing_explicit_config(self):
        err = self.run_bad({"KLEIN_CONFIG": os.path.join(self.sb.root, "nope.conf")})
        self.assertIn("nope.conf", err)

    def test_bad_env_values(self):
        for k, v in (("KLEIN_STOP_TIMEOUT", "10s"), ("KLEIN_LOG_LEVEL", "loud"),
                     ("KLEIN_INIT_DIR", "relative"), ("KLEIN_FORWARD_SIGNALS", "all")):
            err = self.run_bad({k: v})
            self.assertIn("klein-init: error: %s" % k, err)

    def test_bad_flag_value(self):
        err = self.run_bad(args=["--stop-timeout", "0"])
        self.assertIn("--stop-timeout", err)


@needs_ns
class Precedence(unittest.TestCase):
    def test_file_then_env_then_flags(self):
        sb = Sandbox(self)
        dirs = {}
        for name in ("file", "env", "flag"):
            d = os.path.join(sb.root, "init-" + name)
            write_exec(os.path.join(d, "s"), "#!/bin/sh\necho from-%s\n" % name)
            dirs[name] = d
        conf = os.path.join(sb.root, "init.conf")
        with open(conf, "w") as f:
            f.write('init_dir = "%s"\nlog_level = "debug"\n' % dirs["file"])
        env = {"KLEIN_CONFIG": conf}
        del sb.env["KLEIN_INIT_DIR"]
        self.assertEqual(sb.run(["true"], extra_env=env), 0)
        self.assertIn("from-file", sb.stdout())
        self.assertIn("debug:", sb.stderr())  # log_level from the file

        env["KLEIN_INIT_DIR"] = dirs["env"]
        self.assertEqual(sb.run(["true"], extra_env=env), 0)
        self.assertIn("from-env", sb.stdout())

        self.assertEqual(sb.run(["--init-dir", dirs["flag"], "--", "true"],
                                extra_env=env), 0)
        self.assertIn("from-flag", sb.stdout())
        self.assertNotIn("from-env", sb.stdout())


if __name__ == "__main__":
    unittest.main()
