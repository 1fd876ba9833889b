# SPDX-License-Identifier: MIT
# Black-box tests of `klein-svc exec`: environment, argv expansion, process attributes.
import os
import resource
import shutil
import signal
import subprocess

import svctest
from svctest import Case

PRINT_ARGS = ["/usr/bin/printf", "[%s]"]
PASSWD = "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000:App:{home}:/bin/zsh\n"
GROUP = "root:x:0:\nadm:x:4:syslog,app\napp:x:1000:\nstaff:x:50:\ndocker:x:999:other,app\n"


class Exec(Case):
    def env_of(self, *opts):
        r = self.svc("exec", "--clear-env", *opts, "--", "/usr/bin/env", "-0")
        self.assertEqual(r.returncode, 0, r.stderr)
        return [e for e in r.stdout.split("\0") if e]

    def status_field(self, name, *opts):
        r = self.svc("exec", *opts, "--", "/bin/cat", "/proc/self/status")
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in r.stdout.splitlines():
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
        self.fail("no %s in /proc/self/status" % name)

    def test_env_order_and_files(self):
        f1 = self.write("e1", "B=file1\nC='c 1'\nA=\"from file\"\n")
        f2 = self.write("e2", "C=file2 \\\n  cont\n")
        env = self.env_of("--env", "A=1 2", "--env", "B=x", "--env-file", f1,
                          "--env-file", f2, "--env-file", "-/nonexistent/x",
                          "--unset", "B=nomatch")
        # Files win over --env; later files win; positions are kept.
        self.assertEqual(env, ["A=from file", "B=file1", "C=file2   cont"])
        env = self.env_of("--env", "A=1", "--env", "B=2", "--unset", "A", "--unset", "B=2")
        self.assertEqual(env, [])

    def test_env_file_glob_and_errors(self):
        self.write("d/10-a", "X=a\n")
        self.write("d/20-b", "X=b\nY=y\n")
        self.assertEqual(self.env_of("--env-file", self.path("d", "*")), ["X=b", "Y=y"])
        r = self.svc("exec", "--env-file", self.path("missing"), "--", "/bin/true")
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing", r.stderr)
        r = self.svc("exec", "--env-file", "relative", "--", "/bin/true")
        self.assertEqual(r.returncode, 1)
        bad = self.path("bad")
        with open(bad, "wb") as f:
            f.write(b"A=1\nB=\xef\xbf\xbe\n")
        r = self.svc("exec", "--env-file", bad, "--", "/bin/true")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.env_of("--env", "K=v", "--env-file", "-" + bad), ["K=v"])

    def test_non_regular_env_file(self):
        # Issue 14 item 7: a FIFO or a device would hang the start (or read
        # forever), even with "-": refused, or with "-" skipped, at once.
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        for bad in (fifo, "/dev/zero"):
            r = self.svc("exec", "--env-file", bad, "--", "/bin/true")
            self.assertEqual(r.returncode, 1, bad)
            self.assertIn("not a regular file", r.stderr)
            self.assertEqual(self.env_of("--env", "K=v", "--env-file", "-" + bad), ["K=v"])

    def test_env_file_bound(self):
        # Issue 14 item 6: bounded like systemd's read_full_file() (64 MiB):
        # a bigger file is an error (skipped with "-"), not memory without end.
        big = self.path("big")
        with open(big, "wb") as f:
            f.truncate(64 << 20)  # sparse: one byte over the bound
        r = self.svc("exec", "--env-file", big, "--", "/bin/true")
        self.assertEqual(r.returncode, 1)
        self.assertIn("over 64 MiB", r.stderr)
        self.assertEqual(self.env_of("--env", "K=v", "--env-file", "-" + big), ["K=v"])

    def cpu_of_exec(self, n):
        args = []
        for i in range(n):
            args += ["--env", "V%d=x" % i]
        for i in range(0, n, 2):
            args += ["--unset", "V%d" % i]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = self.svc("exec", "--clear-env", *args, "--", "/bin/true")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.assertEqual(r.returncode, 0, r.stderr[-500:])
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    def test_env_options_time_bound(self):
        # Issue 14 item 6: --env and --unset (a converted Environment= and
        # UnsetEnvironment=) are linear: 4 times the variables, about 4 times
        # the CPU (not wall clock: the machine is shared), not 16.
        small = self.cpu_of_exec(4000)
        big = self.cpu_of_exec(16000)
        self.assertLess(big, 8 * small + 0.05, "n=4000 %.2fs, n=16000 %.2fs" % (small, big))

    def test_inherit_and_clear(self):
        r = self.svc("exec", "--", "/usr/bin/env", env={"INHERITED": "yes", "PATH": "/usr/bin:/bin"})
        self.assertIn("INHERITED=yes", r.stdout.splitlines())
        self.assertEqual(self.env_of(), [])

    def test_bad_options(self):
        for opts in (["--env", "1BAD=x"], ["--rlimit", "NOFILE=10:5"], ["--rlimit", "BOGUS=1"],
                     ["--umask", "9"], ["--nice", "20"], ["--sigpipe", "maybe"], []):
            r = self.svc("exec", *opts, "--", *(["/bin/true"] if opts else []))
            self.assertEqual(r.returncode, 2, opts)
            self.assertIn("klein-svc", r.stderr)

    def test_expansion(self):
        f = self.write("env", "FOO=BAR BAR\nQ='x \"y z\"'\n")
        r = self.svc("exec", "--clear-env", "--env", "BAR=waldo", "--env-file", f, "--",
                     *PRINT_ARGS, "$FOO", "${FOO}", "x$FOO", "$$", "${BAR}x", "$UNSET", "$Q",
                     "${UNSET}")
        self.assertEqual(r.stdout, "[BAR][BAR][BAR BAR][x$FOO][$][waldox][x][y z][]")
        r = self.svc("exec", "--clear-env", "--env", "A=a b", "--expand-from", "3", "--",
                     *PRINT_ARGS, "$A", "$A")
        self.assertEqual(r.stdout, "[$A][a][b]")
        r = self.svc("exec", "--clear-env", "--env", "A=a", "--no-expand", "--",
                     *PRINT_ARGS, "$A", "${A}")
        self.assertEqual(r.stdout, "[$A][${A}]")
        r = self.svc("exec", "--clear-env", "--", "$EMPTY")
        self.assertEqual(r.returncode, 1)

    def test_user(self):
        home = self.path("home")
        os.mkdir(home)
        pw = self.write("passwd", PASSWD.format(home=home))
        env = self.env_of("--passwd-file", pw, "--user", "app", "--env", "SHELL=/bin/override")
        self.assertEqual(env, ["HOME=" + home, "LOGNAME=app", "USER=app", "SHELL=/bin/override"])
        self.assertEqual(self.env_of("--passwd-file", pw, "--user", "1000")[2], "USER=app")
        r = self.svc("exec", "--passwd-file", pw, "--user", "ghost", "--", "/bin/true")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ghost", r.stderr)
        r = self.svc("exec", "--passwd-file", pw, "--user", "app", "--chdir", "~", "--",
                     "/bin/pwd")
        self.assertEqual(r.stdout.strip(), home)

    def fake_chpst(self):
        fake = self.write("bin/chpst", "#!/bin/sh\nprintf '[%s]' \"$@\"\n", 0o755)
        return ["--clear-env", "--env", "PATH=" + os.path.dirname(fake)]

    def test_chpst_user_groups(self):
        pw = self.write("passwd", PASSWD.format(home="/"))
        gr = self.write("group", GROUP)
        base = self.fake_chpst() + ["--passwd-file", pw, "--group-file", gr]
        r = self.svc("exec", *base, "--chpst-user", "app", "--", "run", "$X")
        self.assertEqual(r.stdout, "[-u][app:app:adm:docker][run]", r.stderr)
        # Group= replaces the passwd group (app is not a member of it).
        r = self.svc("exec", *base, "--chpst-user", "app:staff", "--groups", "root,50,adm",
                     "--", "run")
        self.assertEqual(r.stdout, "[-u][app:staff:adm:docker:root][run]", r.stderr)
        # Like systemd, an unknown group (by name or gid) fails the command.
        for bad in ("777", "nosuch"):
            r = self.svc("exec", *base, "--chpst-user", "app", "--groups", bad, "--", "run")
            self.assertEqual(r.returncode, 1, bad)
            self.assertIn("group '%s' not found" % bad, r.stderr)
        r = self.svc("exec", *base, "--chpst-user", "app:nosuch", "--", "run")
        self.assertEqual(r.returncode, 1)
        # A uid without passwd entry is refused (systemd: 217/USER).
        r = self.svc("exec", *base, "--chpst-user", "4321", "--", "run")
        self.assertEqual(r.returncode, 1)
        self.assertIn("user '4321' not found", r.stderr)

    def test_chpst_identity_fixture_root(self):
        # KLEIN_SVC_ROOT: passwd and group files of a fixture tree.
        self.write("root/etc/passwd", PASSWD.format(home="/") +
                   "svc:x:1002:1002::/:/bin/sh\n")
        self.write("root/etc/group", GROUP + "svc:x:1002:\nsvcx:x:1003:app\nweb:x:1004:svc\n")
        env = {"KLEIN_SVC_ROOT": self.path("root")}
        base = self.fake_chpst()
        def spec(*opts):
            r = self.svc("exec", *base, *opts, "--", "run", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout
        self.assertEqual(spec("--chpst-user", "app"), "[-u][app:app:adm:docker:svcx][run]")
        self.assertEqual(spec("--chpst-user", "svc"), "[-u][svc:svc:web][run]")
        self.assertEqual(spec("--chpst-user", "1002:adm", "--groups", "staff 999"),
                         "[-u][svc:adm:web:staff:docker][run]")
        # gid 0: systemd does not call initgroups(); only SupplementaryGroups=.
        self.assertEqual(spec("--chpst-user", "app:root"), "[-u][app:root][run]")
        self.assertEqual(spec("--chpst-user", "root", "--groups", "adm"), "[-u][root:root:adm][run]")
        # An option wins over the root; the real files are not read.
        r = self.svc("exec", *base, "--passwd-file", self.path("nope"), "--chpst-user", "app",
                     "--", "run", env=env)
        self.assertEqual(r.returncode, 1)
        r = self.svc("exec", *base, "--chpst-user", "svc", "--", "run",
                     env={"KLEIN_SVC_ROOT": self.path("missing")})
        self.assertEqual(r.returncode, 1)
        self.assertIn(self.path("missing", "etc", "passwd"), r.stderr)

    def test_chpst_merges_into_chpst_command(self):
        # One chpst: -u first, numeric (chpst resolves names after -/ ROOT).
        self.write("root/etc/passwd", PASSWD.format(home="/"))
        self.write("root/etc/group", GROUP)
        r = self.svc("exec", *self.fake_chpst(), "--chpst-user", "app", "--env", "A=x",
                     "--expand-from", "5", "--", "chpst", "-/", "/srv", "-b", "$A", "run", "$A",
                     env={"KLEIN_SVC_ROOT": self.path("root")})
        self.assertEqual(r.stdout, "[-u][:1000:1000:4:999][-/][/srv][-b][$A][run][x]", r.stderr)

    def test_chpst_real(self):
        if not shutil.which("chpst") or os.getuid() != 0:
            self.skipTest("needs runit's chpst and root")
        r = self.svc("exec", "--chpst-user", "daemon", "--groups", "tty", "--", "id", "-G")
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = subprocess.run(["id", "-G", "daemon"], capture_output=True, text=True, check=True)
        want = {1, 5} | {int(g) for g in ids.stdout.split()}
        self.assertEqual({int(g) for g in r.stdout.split()}, want)

    def test_umask_nice_oom(self):
        self.assertEqual(self.status_field("Umask", "--umask", "027"), "0027")
        r = self.svc("exec", "--nice", "7", "--", "/bin/cat", "/proc/self/stat")
        self.assertEqual(r.stdout.rsplit(")", 1)[1].split()[16], "7")
        # Absolute (Nice=), not an increment of the caller's level.
        r = self.svc("exec", "--nice", "7", "--", "/bin/cat", "/proc/self/stat",
                     preexec_fn=lambda: os.nice(3))
        self.assertEqual(r.stdout.rsplit(")", 1)[1].split()[16], "7")
        r = self.svc("exec", "--nice", "-3", "--", "/bin/cat", "/proc/self/stat",
                     preexec_fn=lambda: os.nice(5))
        if r.returncode == 0 and "warning" not in r.stderr:  # with CAP_SYS_NICE
            self.assertEqual(r.stdout.rsplit(")", 1)[1].split()[16], "-3")
        r = self.svc("exec", "--oom-score-adjust", "321", "--", "/bin/cat",
                     "/proc/self/oom_score_adj")
        self.assertEqual(r.stdout.strip(), "321")

    def test_unprivileged_nice_and_oom(self):
        # As in a default Docker container: systemd's setpriority_closest()
        # uses the nearest level RLIMIT_NICE allows, and an OOM adjustment
        # refused for lack of privilege is ignored ("containerized").
        setpriv = shutil.which("setpriv")
        if not setpriv or os.getuid() != 0:
            self.skipTest("needs util-linux's setpriv and root")

        def run(drop, nice_limit, *opts):
            def pre():
                os.nice(5)
                resource.setrlimit(resource.RLIMIT_NICE, (nice_limit, nice_limit))
            return subprocess.run(
                [setpriv, "--bounding-set", drop, svctest.SVC, "exec", *opts, "--", "/bin/sh",
                 "-c", "cut -d' ' -f19 /proc/self/stat; cat /proc/self/oom_score_adj"],
                preexec_fn=pre, capture_output=True, text=True, timeout=20, check=False)
        with open("/proc/self/oom_score_adj", encoding="utf-8") as f:
            oom = f.read().strip()
        r = run("-sys_nice,-sys_resource", 0, "--nice", "-10", "--oom-score-adjust", "-900")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ["5", oom])  # RLIMIT_NICE 0: no lower level
        self.assertIn("warning: cannot set nice level -10", r.stderr)
        self.assertIn("warning: cannot set OOM score adjustment -900", r.stderr)
        r = run("-sys_nice", 0, "--nice", "7")  # raising the level needs no privilege
        self.assertEqual((r.returncode, r.stdout.split()[0], r.stderr), (0, "7", ""))

    def test_rlimits(self):
        r = self.svc("exec", "--rlimit", "NOFILE=100:200", "--rlimit", "CORE=infinity",
                     "--rlimit", "CPU=1min:2min", "--rlimit", "FSIZE=1G", "--",
                     "/bin/cat", "/proc/self/limits")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {l[:26].strip(): l[26:].split()[:2] for l in r.stdout.splitlines()[1:]}
        self.assertEqual(lines["Max open files"], ["100", "200"])
        self.assertEqual(lines["Max core file size"], ["unlimited", "unlimited"])
        self.assertEqual(lines["Max cpu time"], ["60", "120"])
        self.assertEqual(lines["Max file size"], ["1073741824", "1073741824"])
        # What the porter emits: SOFT:HARD in the kernel's units, bare name.
        r = self.svc("exec", "--rlimit", "NOFILE=64:128", "--rlimit", "FSIZE=1048576:2097152",
                     "--rlimit", "CPU=30:60", "--rlimit", "RTTIME=500000:1000000",
                     "--rlimit", "NICE=0:0", "--rlimit", "AS=infinity:infinity", "--",
                     "/bin/cat", "/proc/self/limits")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {l[:26].strip(): l[26:].split()[:2] for l in r.stdout.splitlines()[1:]}
        self.assertEqual(lines["Max open files"], ["64", "128"])
        self.assertEqual(lines["Max file size"], ["1048576", "2097152"])
        self.assertEqual(lines["Max cpu time"], ["30", "60"])
        self.assertEqual(lines["Max realtime timeout"], ["500000", "1000000"])
        self.assertEqual(lines["Max nice priority"], ["0", "0"])
        self.assertEqual(lines["Max address space"], ["unlimited", "unlimited"])

    def test_chdir(self):
        r = self.svc("exec", "--chdir", self.tmp, "--", "/bin/pwd")
        self.assertEqual(r.stdout.strip(), self.tmp)
        r = self.svc("exec", "--chdir", "-" + self.path("nope"), "--", "/bin/pwd", cwd=self.tmp)
        self.assertEqual(r.stdout.strip(), "/")
        r = self.svc("exec", "--chdir", self.path("nope"), "--", "/bin/pwd")
        self.assertEqual(r.returncode, 1)
        # The porter's "-$home" for WorkingDirectory=-~: a found home, and an
        # empty one (getent failed) that falls back to /.
        r = self.svc("exec", "--chdir", "-" + self.tmp, "--", "/bin/pwd", cwd="/")
        self.assertEqual(r.stdout.strip(), self.tmp)
        r = self.svc("exec", "--chdir", "-", "--", "/bin/pwd", cwd=self.tmp)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "/"))

    def test_signals(self):
        pipe = 1 << (signal.SIGPIPE - 1)
        ign = int(self.status_field("SigIgn"), 16)
        self.assertTrue(ign & pipe)
        ign = int(self.status_field("SigIgn", "--sigpipe", "default"), 16)
        self.assertEqual(ign, 0)  # every other disposition reset too
        blk = int(self.status_field("SigBlk"), 16)
        self.assertEqual(blk, 0)

    def test_path_search_and_exit_codes(self):
        self.write("bin/hello", "#!/bin/sh\necho hi \"$0\"\n", 0o755)
        self.write("bin/noexec", "#!/bin/sh\n", 0o644)
        r = self.svc("exec", "--env", "PATH=/nonexistent:" + self.path("bin"), "--", "hello")
        self.assertEqual(r.stdout.strip(), "hi " + self.path("bin", "hello"))
        r = self.svc("exec", "--env", "PATH=" + self.path("bin"), "--", "noexec")
        self.assertEqual(r.returncode, 126)
        r = self.svc("exec", "--", "klein-no-such-command")
        self.assertEqual(r.returncode, 127)
        r = self.svc("exec", "--", self.path("bin"))
        self.assertEqual(r.returncode, 126)


if __name__ == "__main__":
    svctest.main()
