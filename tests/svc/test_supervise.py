# SPDX-License-Identifier: MIT
# Black-box tests of `klein-svc supervise`: Type=forking and Type=notify.
import os
import signal
import subprocess
import time

import svctest
from svctest import Case, alive

# A daemon body: writes its pid, exits 7 on TERM, polls so traps run quickly.
DAEMON = 'trap "exit 7" TERM; echo $$ > "$PF.tmp"; mv "$PF.tmp" "$PF"; while :; do sleep 0.02; done'


class Supervise(Case):
    def start(self, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.Popen([svctest.SVC, "supervise", *args], env=e,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.reap, p)
        return p

    def reap(self, p):
        if p.poll() is None:
            p.kill()
        p.communicate(timeout=10)

    def read_pid(self, name):
        # The test daemons write their pidfiles with `echo > file`, which a
        # reader can catch truncated and still empty: that is "no pid yet".
        with open(self.path(name), encoding="utf-8") as f:
            text = f.read().strip()
        return int(text) if text else None

    def exists(self, name):
        return os.path.exists(self.path(name))

    def test_forking_pidfile_signals_and_status(self):
        pf = self.path("pid")
        start = ('sleep 0.3; sh -c \'%s\' & exit 0' % DAEMON)
        p = self.start("--type", "forking", "--pidfile", pf, "--ready-file",
                       self.path("ready"), "--mainpid-file", self.path("mainpid"), "--",
                       "sh", "-c", start, env={"PF": pf})
        time.sleep(0.15)
        self.assertFalse(self.exists("ready"))  # not before the daemon is found
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        daemon = self.read_pid("pid")
        self.assertEqual(self.read_pid("mainpid"), daemon)
        # The daemon was reparented to klein-svc (subreaper).
        with open("/proc/%d/stat" % daemon, encoding="utf-8") as f:
            self.assertEqual(int(f.read().rsplit(")", 1)[1].split()[1]), p.pid)
        p.send_signal(signal.SIGTERM)  # forwarded; the daemon exits 7
        self.assertEqual(p.wait(timeout=10), 7)
        self.assertFalse(self.exists("ready"))
        self.assertFalse(self.exists("mainpid"))
        self.assertFalse(alive(daemon))

    def test_forking_signal_exit_and_forwarding(self):
        pf = self.path("pid")
        daemon = ('trap "echo hup >> $PF.log" HUP; trap "echo usr2 >> $PF.log" USR2; '
                  'echo $$ > "$PF"; while :; do sleep 0.02; done')
        p = self.start("--type", "forking", "--pidfile", pf, "--", "sh", "-c",
                       "sh -c '%s' & exit 0" % daemon, env={"PF": pf})
        self.wait_for(lambda: self.exists("pid") and self.exists("pid") and
                      os.path.getsize(pf) > 0, what="pidfile")
        time.sleep(0.2)
        for sig in (signal.SIGHUP, signal.SIGUSR2):
            p.send_signal(sig)
            time.sleep(0.2)
        def logged():
            if not self.exists("pid.log"):
                return False
            with open(pf + ".log", encoding="utf-8") as f:
                return f.read().split() == ["hup", "usr2"]
        self.wait_for(logged, what="forwarded HUP and USR2")
        os.kill(self.read_pid("pid"), signal.SIGKILL)
        # Killed by the same signal, as runsv would see a simple service.
        self.assertEqual(p.wait(timeout=10), -signal.SIGKILL)

    def test_forking_without_pidfile(self):
        p = self.start("--type", "forking", "--mainpid-file", self.path("mainpid"),
                       "--ready-file", self.path("ready"), "--", "sh", "-c",
                       "sh -c 'trap \"exit 3\" TERM; while :; do sleep 0.02; done' & exit 0")
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        main = self.read_pid("mainpid")
        self.assertNotEqual(main, p.pid)
        self.assertTrue(alive(main))
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), 3)

    def test_forking_start_failure(self):
        p = self.start("--type", "forking", "--pidfile", self.path("pid"), "--",
                       "sh", "-c", "exit 3")
        self.assertEqual(p.wait(timeout=10), 3)
        p = self.start("--type", "forking", "--", "klein-no-such-daemon")
        self.assertEqual(p.wait(timeout=10), 127)

    def test_forking_pidfile_timeout(self):
        t0 = time.monotonic()
        p = self.start("--type", "forking", "--pidfile", self.path("pid"), "--timeout",
                       "500ms", "--", "sh", "-c", "sleep 30 & exit 0")
        self.assertEqual(p.wait(timeout=10), 1)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertIn("timed out", p.stderr.read())

    def test_forking_pid_change(self):
        # Like nginx's binary upgrade: a successor writes the pidfile, then
        # the old main process exits; supervision follows the new pid.
        pf = self.path("pid")
        succ = self.write("succ", 'echo $$ > "$PF"; trap "exit 9" TERM\n'
                          'while :; do sleep 0.02; done\n', 0o755)
        old = self.write("old", 'echo $$ > "$PF"\nwhile [ ! -e "$PF.go" ]; do sleep 0.02; done\n'
                         'sh %s &\nwhile [ "$(cat "$PF")" = "$$" ]; do sleep 0.02; done\n' % succ,
                         0o755)
        p = self.start("--type", "forking", "--pidfile", pf, "--mainpid-file",
                       self.path("mainpid"), "--", "sh", "-c", "sh %s & exit 0" % old,
                       env={"PF": pf})
        self.wait_for(lambda: self.exists("mainpid") and self.exists("pid") and
                      self.read_pid("mainpid") == self.read_pid("pid"), what="main pid")
        first = self.read_pid("mainpid")
        open(pf + ".go", "w").close()
        self.wait_for(lambda: self.read_pid("mainpid") != first, what="the successor")
        self.assertTrue(alive(self.read_pid("mainpid")))
        self.assertIsNone(p.poll())
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), 9)

    def victim(self):
        """An unrelated root process, not a descendant of the supervisor."""
        v = subprocess.Popen(["sleep", "60"])
        self.addCleanup(self.reap_victim, v)
        return v

    @staticmethod
    def reap_victim(v):
        if v.poll() is None:
            v.kill()
        v.wait()

    def spoofed(self, pf, victim, owner_cmd):
        """A forking service whose start writes victim's pid into pf."""
        start = ("echo %d > %s; %s; sleep 60 & exit 0" % (victim.pid, pf, owner_cmd))
        return self.start("--type", "forking", "--pidfile", pf, "--timeout", "1.5",
                          "--ready-file", self.path("ready"), "--", "sh", "-c", start)

    def test_pidfile_spoofing(self):
        # Issue 14 item 1: as systemd, a pid outside the service's processes
        # is refused when the PID file is not owned by root; without this,
        # the TERM of `sv down` reached the (root) victim.
        if os.geteuid() != 0:
            self.skipTest("needs root (chown)")
        v = self.victim()
        d = self.path("run-nobody")
        os.makedirs(d)
        pf = os.path.join(d, "pid")
        p = self.spoofed(pf, v, "chown nobody %s" % pf)
        time.sleep(0.5)
        p.send_signal(signal.SIGTERM)  # forwarded to the main pid, if adopted
        out, err = p.communicate(timeout=10)
        self.assertIsNone(v.poll(), "the victim was signalled")
        self.assertFalse(self.exists("ready"))
        self.assertIn("does not belong to service, and PID file is not owned by root. "
                      "Refusing.", err)

    def test_pidfile_spoofing_symlink(self):
        # Issue 14 item 1: a PID file reached through a symlink in a
        # directory of another (unprivileged) owner is an unsafe chain: an
        # outside pid from it is refused even though the target is root's.
        if os.geteuid() != 0:
            self.skipTest("needs root (chown)")
        v = self.victim()
        d = self.path("nobody-dir")
        os.makedirs(d)
        os.chown(d, 65534, 65534)
        real = self.path("rootpid")
        os.symlink(real, os.path.join(d, "pid"))
        os.lchown(os.path.join(d, "pid"), 65534, 65534)
        p = self.spoofed(os.path.join(d, "pid"), v, "true")
        # The start command writes through the link: real is root's file.
        time.sleep(2.5)  # past --timeout 1.5
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)  # sv down: forwarded to the main pid
        out, err = p.communicate(timeout=10)
        self.assertNotEqual(p.returncode, 0)  # start timed out, nothing adopted
        self.assertIsNone(v.poll())
        self.assertEqual(os.stat(real).st_uid, 0)
        self.assertIn("acquired through unsafe symlink chain", err)

    def test_pidfile_outside_pid_root_owned(self):
        # systemd accepts an outside pid from a root-owned PID file.
        v = self.victim()
        pf = self.path("pid")
        p = self.spoofed(pf, v, "true")
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=10)
        self.assertEqual(v.wait(timeout=10), -signal.SIGTERM)

    def test_notify_ready(self):
        cmd = "sleep 0.5; %s 'STATUS=up\\nREADY=1'; exec sleep 30" % svctest.NOTIFY
        p = self.start("--type", "notify", "--ready-file", self.path("ready"), "--mainpid-file",
                       self.path("mainpid"), "--", "sh", "-c", cmd)
        self.wait_for(lambda: self.exists("mainpid"), what="mainpid file")
        self.assertEqual(self.read_pid("mainpid"), self.children(p.pid)[0])
        time.sleep(0.25)
        self.assertFalse(self.exists("ready"))
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), -signal.SIGTERM)
        self.assertFalse(self.exists("ready"))

    def test_notify_ready_from_a_padded_abstract_address(self):
        # OpenSSH >= 9.8 (Debian 13's sshd) connects to "@name" with the
        # address length sizeof(struct sockaddr_un): the kernel sees the name
        # padded with NULs, a different abstract address than sd_notify(3)'s.
        cmd = "%s 'READY=1'; exec sleep 30" % svctest.NOTIFY
        p = self.start("--type", "notify", "--ready-file", self.path("ready"), "--",
                       "sh", "-c", cmd, env={"NOTIFY_HELPER_FULL_ADDRLEN": "1"})
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), -signal.SIGTERM)

    def children(self, pid):
        with open("/proc/%d/task/%d/children" % (pid, pid), encoding="utf-8") as f:
            return [int(x) for x in f.read().split()]

    def test_notify_path_socket_mainpid_stopping(self):
        sock = self.path("notify.sock")
        daemon = ("sh -c 'trap \"exit 5\" TERM; while :; do sleep 0.02; done' & "
                  "%s \"MAINPID=$!\\nREADY=1\"; sleep 0.3; exit 0" % svctest.NOTIFY)
        p = self.start("--type", "notify", "--notify-socket", sock, "--ready-file",
                       self.path("ready"), "--mainpid-file", self.path("mainpid"), "--",
                       "sh", "-c", daemon)
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        self.wait_for(lambda: self.read_pid("mainpid") != 0 and
                      self.read_pid("mainpid") not in (p.pid,), what="mainpid")
        main = self.read_pid("mainpid")
        time.sleep(0.5)  # the starter exited 0; supervision goes on
        self.assertIsNone(p.poll())
        env = dict(os.environ, NOTIFY_SOCKET=sock)
        subprocess.run([svctest.NOTIFY, "STOPPING=1"], env=env, check=True)
        self.wait_for(lambda: not self.exists("ready"), what="ready file removal")
        os.kill(main, signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), 5)
        self.assertFalse(os.path.exists(sock))

    def test_notify_timeout_and_early_exit(self):
        t0 = time.monotonic()
        p = self.start("--type", "notify", "--timeout", "0.5", "--", "sleep", "30")
        self.assertEqual(p.wait(timeout=15), 1)
        self.assertLess(time.monotonic() - t0, 10)
        p = self.start("--type", "notify", "--ready-file", self.path("ready"), "--",
                       "sh", "-c", "exit 4")
        self.assertEqual(p.wait(timeout=10), 4)
        self.assertFalse(self.exists("ready"))

    def test_notify_socket_env(self):
        p = self.start("--type", "notify", "--", "sh", "-c",
                       'echo "$NOTIFY_SOCKET" > "%s"' % self.path("sock"))
        self.assertEqual(p.wait(timeout=10), 0)
        with open(self.path("sock"), encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("@klein-svc/notify/"))

    def notify_daemon(self, *opts, cmd=None, **kw):
        cmd = cmd or "%s 'READY=1'; exec sleep 30" % svctest.NOTIFY
        p = self.start("--type", "notify", "--ready-file", self.path("ready"),
                       "--mainpid-file", self.path("mainpid"), *opts, "--", "sh", "-c", cmd, **kw)
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        return p, self.read_pid("mainpid")

    def test_reraises_the_daemons_signal(self):
        rt = signal.SIGRTMIN + 2
        for sig in (signal.SIGTERM, signal.SIGUSR1, signal.SIGHUP, rt):
            p, main = self.notify_daemon()
            os.kill(main, sig)
            self.assertEqual(p.wait(timeout=10), -sig, sig)
            self.assertFalse(self.exists("ready"))
            self.assertFalse(self.exists("mainpid"))
        # A forking start command killed by a signal ends supervise the same way.
        p = self.start("--type", "forking", "--", "sh", "-c", "kill -USR2 $$")
        self.assertEqual(p.wait(timeout=10), -signal.SIGUSR2)

    def test_reraise_everything_reaped_first(self):
        # A leftover that ignores TERM is killed and reaped before we die.
        cmd = ("sh -c 'trap \"\" TERM; echo $$ > %s; exec sleep 30' & "
               "%s 'READY=1'; exec sleep 30" % (self.path("left"), svctest.NOTIFY))
        p, main = self.notify_daemon("--stop-timeout", "0.3", cmd=cmd)
        self.wait_for(lambda: self.exists("left") and os.path.getsize(self.path("left")) > 0,
                      what="leftover pid")
        left = self.read_pid("left")
        t0 = time.monotonic()
        os.kill(main, signal.SIGINT)
        self.assertEqual(p.wait(timeout=10), -signal.SIGINT)
        self.assertLess(time.monotonic() - t0, 4)  # not the default 5 s
        self.assertFalse(alive(left))

    def test_reraise_core_signal_without_core(self):
        # klein-svc may dump core (limit raised, writable cwd): it must not.
        def unlimited_core():
            import resource
            resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,) * 2)
        cwd = self.path("cwd")
        os.mkdir(cwd)
        cmd = "ulimit -c 0; %s 'READY=1'; exec sleep 30" % svctest.NOTIFY
        p = subprocess.Popen([svctest.SVC, "supervise", "--type", "notify", "--ready-file",
                              self.path("ready"), "--mainpid-file", self.path("mainpid"),
                              "--", "sh", "-c", cmd], cwd=cwd, preexec_fn=unlimited_core)
        self.wait_for(lambda: self.exists("ready"), what="ready file")
        os.kill(self.read_pid("mainpid"), signal.SIGQUIT)
        _, status = os.waitpid(p.pid, 0)
        p.returncode = 0  # reaped here; keep Popen from waiting again
        self.assertTrue(os.WIFSIGNALED(status))
        self.assertEqual(os.WTERMSIG(status), signal.SIGQUIT)
        self.assertFalse(os.WCOREDUMP(status))
        self.assertEqual(os.listdir(cwd), [])

    def test_relative_marker_paths_and_status(self):
        # As under runsv: cwd is the service dir, supervise/ a symlink elsewhere.
        svdir, real = self.path("sv"), self.path("run-supervise")
        os.mkdir(svdir)
        os.mkdir(real)
        os.symlink(real, os.path.join(svdir, "supervise"))
        cmd = ("%s 'STATUS=starting'; sleep 0.2; %s 'READY=1\nSTATUS=serving 3 clients'; "
               "%s 'ERRNO=5'; exec sleep 30" % ((svctest.NOTIFY,) * 3))
        p = subprocess.Popen([svctest.SVC, "supervise", "--type", "notify", "--ready-file",
                              "supervise/klein.ready", "--mainpid-file", "supervise/klein.pid",
                              "--", "sh", "-c", cmd], cwd=svdir)
        self.addCleanup(self.reap, p)
        ready = os.path.join(real, "klein.ready")
        status = os.path.join(real, "klein.status")
        self.wait_for(lambda: os.path.exists(ready), what="relative ready file")
        with open(os.path.join(real, "klein.pid"), encoding="utf-8") as f:
            main = int(f.read())
        def status_is(text):
            try:
                with open(status, encoding="utf-8") as f:
                    return f.read() == text
            except FileNotFoundError:
                return False
        self.wait_for(lambda: status_is("STATUS=serving 3 clients\nERRNO=5\n"), what="status")
        os.kill(main, signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), -signal.SIGTERM)
        self.assertEqual(sorted(os.listdir(real)), [])

    def test_timeout_infinity_and_fraction(self):
        p = self.start("--type", "notify", "--timeout", "infinity", "--", "sleep", "30")
        time.sleep(1.0)
        self.assertIsNone(p.poll())  # never times out
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), -signal.SIGTERM)
        t0 = time.monotonic()
        p = self.start("--type", "notify", "--timeout", "1.5", "--", "sleep", "30")
        self.assertEqual(p.wait(timeout=10), 1)
        self.assertGreaterEqual(time.monotonic() - t0, 1.4)
        self.assertLess(time.monotonic() - t0, 5)
        for bad in ("1.5x", "-1", ""):
            p = self.start("--type", "notify", "--timeout", bad, "--", "true")
            self.assertEqual(p.wait(timeout=10), 2, bad)
        p = self.start("--type", "notify", "--stop-timeout", "soon", "--", "true")
        self.assertEqual(p.wait(timeout=10), 2)

    def reload_state(self):
        try:
            with open(self.path("klein.reload"), encoding="utf-8") as f:
                return dict(l.split("=", 1) for l in f.read().split())
        except FileNotFoundError:
            return None

    def reload(self, *args):
        return subprocess.Popen([svctest.SVC, "reload", "--state-file", self.path("klein.reload"),
                                 *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_notify_reload_waits_for_reloading_then_ready(self):
        # HUP: RELOADING=1, then READY=1 only once the test creates "go".
        n = svctest.NOTIFY
        cmd = ("trap '%s RELOADING=1; while [ ! -e \"$D/go\" ]; do sleep 0.02; done; "
               "rm -f \"$D/go\"; %s READY=1' HUP; trap 'exit 0' USR2; trap : USR1; %s READY=1; "
               "while :; do sleep 0.02; done" % (n, n, n))
        p, main = self.notify_daemon(cmd=cmd, env={"D": self.tmp})
        self.assertEqual(self.reload_state()["GENERATION"], "0")
        r = self.reload("--timeout", "20", str(main))
        self.wait_for(lambda: self.reload_state()["RELOADING"] == "1", what="RELOADING=1")
        time.sleep(0.2)
        self.assertIsNone(r.poll())  # RELOADING=1 alone does not end the reload
        self.write("go", "")
        self.assertEqual(r.wait(timeout=10), 0, r.communicate()[1])
        self.assertEqual(self.reload_state(), {"GENERATION": "1", "RELOADING": "0",
                                               "MONOTONIC_USEC": "0"})
        self.assertTrue(self.exists("ready"))  # still active while reloading
        # A service that never answers: the reload fails after the timeout.
        r = self.reload("--signal", "USR1", "--timeout", "0.5", str(main))
        self.assertEqual(r.wait(timeout=10), 1)
        self.assertIn("timed out", r.communicate()[1])
        # --wait if-reloading (after ExecReload=): done unless it is reloading.
        self.assertEqual(self.svc("reload", "--signal", "none", "--wait", "if-reloading",
                                  "--state-file", self.path("klein.reload")).returncode, 0)
        # The service exits during the reload: failure, not a hang.
        r = self.reload("--signal", "USR2", "--timeout", "20", str(main))
        self.assertEqual(r.wait(timeout=10), 1)
        self.assertIn("exited", r.communicate()[1])
        self.assertEqual(p.wait(timeout=10), 0)
        self.assertIsNone(self.reload_state())

    def test_notify_reload_old_combined_message(self):
        # RELOADING=1 and READY=1 in one message finish a reload only when
        # MONOTONIC_USEC= is after the reload began (systemd's check).
        n = svctest.NOTIFY
        cmd = ("trap '%s \"RELOADING=1\\nREADY=1\\nMONOTONIC_USEC=1\"' HUP; "
               "trap '%s \"RELOADING=1\\nREADY=1\\nMONOTONIC_USEC=$(cut -d. -f1 /proc/uptime)000000\"; "
               "%s \"RELOADING=1\\nREADY=1\\nMONOTONIC_USEC=99999999999999\"' USR1; "
               "%s READY=1; while :; do sleep 0.02; done" % (n, n, n, n))
        p, main = self.notify_daemon(cmd=cmd)
        r = self.reload("--timeout", "0.7", str(main))
        self.assertEqual(r.wait(timeout=10), 1)
        r = self.reload("--signal", "USR1", "--timeout", "10", str(main))
        self.assertEqual(r.wait(timeout=10), 0, r.communicate()[1])
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)

    def test_reload_usage(self):
        self.assertEqual(self.svc("reload", "--signal", "BOGUS", "1").returncode, 2)
        self.assertEqual(self.svc("reload", "--wait", "maybe", "1").returncode, 2)
        self.assertEqual(self.svc("reload").returncode, 2)  # a signal needs a pid
        r = self.svc("reload", "--state-file", self.path("none"), str(os.getpid()))
        self.assertEqual(r.returncode, 1)  # no supervise: fail at once, send nothing
        self.assertIn("notify-reload", r.stderr)

    def test_usage(self):
        p = self.start("--type", "simple", "--", "true")
        self.assertEqual(p.wait(timeout=10), 2)
        p = self.start("--type", "notify")
        self.assertEqual(p.wait(timeout=10), 2)


if __name__ == "__main__":
    svctest.main()
