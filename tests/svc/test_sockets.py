# SPDX-License-Identifier: MIT
"""Black-box tests of socket activation (klein-svc listen, exec --sockets,
accept) under runsvdir, in private PID and network namespaces:
python3 test_sockets.py KLEIN_SVC SOCKET_PROBE.

The outer run re-executes itself under `unshare --pid --net --fork
--mount-proc`, brings up lo and runs the cases there, so ports and
processes never meet the host's. Each expectation cites systemd 252's
behaviour (socket.c, service.c, sd_listen_fds(3))."""
import json
import re
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SVC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "klein-svc"
PROBE = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "socket_probe"
INNER = "KLEIN_SOCKETS_INNER"


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


class Sv:
    """A runsvdir over a temp service directory; services are run scripts."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "service")
        os.mkdir(self.dir)
        self.proc = None

    def ensure(self):
        # Started once the services are in place: runsvdir rescans only every 5 s.
        if not self.proc:
            self.log = open(os.path.join(tmp_root(self.dir), "runsvdir.log"), "w")
            self.proc = subprocess.Popen(["runsvdir", "-P", self.dir], stdout=self.log,
                                         stderr=subprocess.STDOUT)

    def add(self, name, script):
        d = os.path.join(tmp_root(self.dir), "sv", name)
        os.makedirs(d)
        with open(os.path.join(d, "run"), "w") as f:
            # runsv stops a service with TERM then CONT; a CONT that lands during
            # LeakSanitizer's exit scan (the ASan test build) makes the scan spin
            # for seconds or hang. Leaks are checked where only TERM is sent
            # (Clean.test_term_exits_clean).
            f.write("#!/bin/sh\nexec 2>&1\nexport ASAN_OPTIONS=detect_leaks=0\n" + script +
                    "\n")
        os.chmod(os.path.join(d, "run"), 0o755)
        os.symlink(d, os.path.join(self.dir, name))

    def sv(self, *args):
        self.ensure()
        return subprocess.run(["sv", "-w", "10", *args], capture_output=True, text=True,
                              env=dict(os.environ, SVDIR=self.dir), check=False)

    def stop(self):
        if not self.proc:
            return
        names = sorted(os.listdir(self.dir))
        subprocess.run(["sv", "-w", "5", "force-stop", *names], capture_output=True,
                       env=dict(os.environ, SVDIR=self.dir), check=False)
        subprocess.run(["sv", "exit", *names], capture_output=True,
                       env=dict(os.environ, SVDIR=self.dir), check=False)
        self.proc.send_signal(signal.SIGHUP)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def tmp_root(service_dir):
    return os.path.dirname(service_dir)


def records(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def connect(addr, family=socket.AF_INET, timeout=5.0, source=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        if source:
            s.bind((source, 0))
        s.connect(addr)
    except OSError:
        s.close()
        raise
    return s


def read_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(256)
        if not chunk:
            break
        data += chunk
    return data.decode()


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="klein-sockets-")
        os.chmod(self.tmp, 0o755)
        self.out = os.path.join(self.tmp, "probe.jsonl")
        self.run_dir = os.path.join(self.tmp, "run")
        self.sv = Sv(self.tmp)

    def tearDown(self):
        self.sv.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def wait_for(self, pred, timeout=10.0, what="condition"):
        self.sv.ensure()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            v = pred()
            if v:
                return v
            time.sleep(0.02)
        self.fail("timed out waiting for " + what)

    def holder(self, name, *opts):
        """The runit service NAME.socket: klein-svc listen with the unit's options."""
        ctl = os.path.join(self.run_dir, "sockets", name)
        args = " ".join(sh_quote(o) for o in opts)
        self.sv.add(name, "exec %s listen --control %s --name %s %s" % (
            SVC, sh_quote(ctl), sh_quote(name), args))
        return ctl

    def service(self, name, ctls, env=""):
        socks = " ".join("--sockets " + sh_quote(c) for c in ctls)
        self.sv.add(name, "PROBE_OUT=%s %s exec %s exec %s -- %s" % (
            sh_quote(self.out), env, SVC, socks, PROBE))

    def one_record(self, n=1):
        return self.wait_for(lambda: (records(self.out) + [None])[n - 1] and records(self.out),
                             what="%d probe record(s)" % n)


class AcceptNo(Case):
    def test_fds_names_and_addresses(self):
        # service_spawn()/build_environment(): LISTEN_FDS counts the fds from 3
        # in Listen*= order, LISTEN_PID is the daemon's own pid, LISTEN_FDNAMES
        # is FileDescriptorName= (default: the socket unit's name) per fd.
        path = os.path.join(self.tmp, "sub", "dir", "app.sock")
        fifo = os.path.join(self.tmp, "app.fifo")
        special = os.path.join(self.tmp, "special")
        with open(special, "w") as f:
            f.write("x")
        ctl = self.holder("app.socket", "--stream", "127.0.0.1:7101", "--stream", path,
                          "--datagram", "[::1]:7102", "--seqpacket", "@klein-test-abstract",
                          "--fifo", fifo, "--special", special,
                          "--socket-user", "nobody", "--socket-group", "65534",
                          "--socket-mode", "0640", "--directory-mode", "0750",
                          "--keep-alive", "--no-delay", "--reuse-port",
                          "--keep-alive-time", "7min", "--receive-buffer", "256K",
                          "--pass-credentials", "--bind-ipv6-only", "ipv6-only")
        self.service("app", [ctl])
        rec = self.one_record()[0]
        self.assertEqual(rec["LISTEN_FDS"], "6")
        self.assertEqual(rec["LISTEN_PID"], str(rec["pid"]), "LISTEN_PID is the daemon's pid")
        self.assertEqual(rec["LISTEN_FDNAMES"], ":".join(["app.socket"] * 6))
        fds = rec["fds"]
        self.assertEqual([f["fd"] for f in fds], [3, 4, 5, 6, 7, 8])
        for f in fds:
            self.assertEqual(f["cloexec"], 0, "passed fds survive exec")
            self.assertEqual(f["nonblock"], 1, "SOCK_NONBLOCK as socket_address_listen_do()")
        tcp, unix, udp, seq, fi, sp = fds
        self.assertEqual((tcp["family"], tcp["type"], tcp["addr"]), ("inet", "stream",
                                                                      "127.0.0.1:7101"))
        self.assertEqual((tcp["listening"], tcp["reuseaddr"], tcp["reuseport"]), (1, 1, 1))
        self.assertEqual((tcp["keepalive"], tcp["nodelay"], tcp["keepidle"]), (1, 1, 420))
        self.assertGreaterEqual(tcp["rcvbuf"], 256 * 1024)
        self.assertEqual((unix["family"], unix["type"], unix["addr"]), ("unix", "stream", path))
        # SocketUser=/SocketGroup= chown the node, SocketMode= is exact
        # (bind under umask ~mode), DirectoryMode= for created parents.
        self.assertEqual((unix["uid"], unix["gid"], unix["mode"]), (65534, 65534, "0640"))
        self.assertEqual(unix["passcred"], 1, "PassCredentials= (SO_PASSCRED)")
        self.assertEqual(os.stat(os.path.dirname(path)).st_mode & 0o7777, 0o750)
        self.assertEqual(os.stat(os.path.dirname(os.path.dirname(path))).st_mode & 0o7777, 0o750)
        self.assertEqual((udp["family"], udp["type"], udp["addr"], udp["v6only"]),
                         ("inet6", "dgram", "[::1]:7102", 1))
        self.assertEqual(udp["listening"], 0)
        self.assertEqual((seq["family"], seq["type"], seq["addr"]),
                         ("unix", "seqpacket", "@klein-test-abstract"))
        self.assertEqual((fi["kind"], fi["path"], fi["mode"], fi["uid"]), ("fifo", fifo, "0640",
                                                                           65534))
        self.assertEqual((sp["kind"], sp["path"], sp["accmode"]), ("file", special, os.O_RDONLY))
        # Connections are served by the daemon on the passed sockets.
        self.assertEqual(read_line(connect(("127.0.0.1", 7101))), "pid %d\n" % rec["pid"])
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.connect(path)
        self.assertEqual(read_line(u), "pid %d\n" % rec["pid"])

    def test_port_only_is_ipv6_any_and_fdname(self):
        # socket_address_parse(): a bare port is [::]:PORT when IPv6 exists;
        # BindIPv6Only=default leaves the kernel's dual-stack default.
        ctl = self.holder("web.socket", "--stream", "7111", "--fdname", "http")
        self.service("web", [ctl])
        rec = self.one_record()[0]
        self.assertEqual(rec["LISTEN_FDNAMES"], "http")
        self.assertEqual((rec["fds"][0]["family"], rec["fds"][0]["addr"],
                          rec["fds"][0]["v6only"]), ("inet6", "[::]:7111", 0))
        self.assertEqual(read_line(connect(("127.0.0.1", 7111))), "pid %d\n" % rec["pid"])

    def test_several_sockets_one_service(self):
        # A service triggered by several socket units (Service=, Sockets=)
        # gets all their fds, each socket's fds named after it.
        a = self.holder("a.socket", "--stream", "127.0.0.1:7121")
        b = self.holder("b.socket", "--stream", "127.0.0.1:7122", "--stream", "127.0.0.1:7123",
                        "--fdname", "bee")
        self.service("ab", [a, b])
        rec = self.one_record()[0]
        self.assertEqual(rec["LISTEN_FDS"], "3")
        self.assertEqual(rec["LISTEN_FDNAMES"], "a.socket:bee:bee")
        self.assertEqual([f["addr"] for f in rec["fds"]],
                         ["127.0.0.1:7121", "127.0.0.1:7122", "127.0.0.1:7123"])

    def test_restart_keeps_the_socket(self):
        # The socket outlives the service: during `sv restart` connections
        # queue in the holder's socket and the next daemon serves them;
        # none is refused.
        ctl = self.holder("r.socket", "--stream", "127.0.0.1:7131")
        self.service("r", [ctl])
        first = self.one_record()[0]
        results, stop = [], threading.Event()

        def client():
            while not stop.is_set():
                try:
                    results.append(read_line(connect(("127.0.0.1", 7131))))
                except OSError as e:
                    results.append("error: %s" % e)
                time.sleep(0.005)

        t = threading.Thread(target=client)
        t.start()
        try:
            time.sleep(0.2)
            for _ in range(3):
                old = self._pid("r")
                r = self.sv.sv("restart", "r")
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                pid = self.wait_for(lambda: self._pid("r") not in (None, old) and self._pid("r"),
                                    what="a new daemon")
                self.wait_for(lambda: "pid %s\n" % pid in results, what="the new daemon serving")
        finally:
            stop.set()
            t.join()
        errors = [r for r in results if not r.startswith("pid ")]
        self.assertEqual(errors, [], "no connection refused or dropped during restarts")
        pids = set(results)
        self.assertGreaterEqual(len(pids), 4, "each restart's daemon served: %r" % pids)
        recs = records(self.out)
        self.assertTrue(all(r["fds"][0]["addr"] == first["fds"][0]["addr"] for r in recs))

    def _pid(self, name):
        m = re.match(r"run: [^:]*: \(pid (\d+)\)", self.sv.sv("status", name).stdout)
        return m.group(1) if m else None

    def test_remove_on_stop(self):
        # socket_close_fds(): nodes stay unless RemoveOnStop=yes; symlinks too.
        keep = os.path.join(self.tmp, "keep.sock")
        gone = os.path.join(self.tmp, "gone.sock")
        link = os.path.join(self.tmp, "links", "gone.link")
        self.holder("keep.socket", "--stream", keep)
        self.holder("gone.socket", "--stream", gone, "--remove-on-stop", "--symlink", link)
        self.wait_for(lambda: os.path.exists(os.path.join(self.run_dir, "sockets", "keep.socket"))
                      and os.path.exists(os.path.join(self.run_dir, "sockets", "gone.socket")),
                      what="holders ready")
        self.assertEqual(os.readlink(link), gone)
        for name in ("keep.socket", "gone.socket"):
            r = self.sv.sv("down", name)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(os.path.exists(keep))
        self.assertFalse(os.path.exists(gone))
        self.assertFalse(os.path.lexists(link))
        # The next start replaces the stale node (bind: EADDRINUSE, unlink, bind)
        # and a regular file in the way alike.
        with open(gone, "w") as f:
            f.write("in the way")
        for name in ("keep.socket", "gone.socket"):
            r = self.sv.sv("up", name)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # A stale node refuses connections (ECONNREFUSED): connecting proves a new one.
        for p in (keep, gone):
            self.wait_for(lambda: stat.S_ISSOCK(os.stat(p).st_mode)
                          and self._connects(p), what="%s replaced" % p)

    def _connects(self, path):
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            u.connect(path)
            return True
        except OSError:
            return False
        finally:
            u.close()

    def test_no_holder_times_out(self):
        # A service whose socket never comes up fails (exit 1) after
        # --sockets-timeout, with a message; runsv retries it.
        r = subprocess.run([SVC, "exec", "--sockets", os.path.join(self.tmp, "none"),
                            "--sockets-timeout", "0.3", "--", "true"],
                           capture_output=True, text=True, timeout=10, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot get the listening sockets", r.stderr)

    def test_bad_address_is_a_usage_error(self):
        for addr in ("0", "65536", "1.2.3.4", "::1", "[::1]", "x:80", "[::1]:0"):
            r = subprocess.run([SVC, "listen", "--control", "/nonexistent/c", "--name", "x",
                                "--stream", addr], capture_output=True, text=True,
                               timeout=10, check=False)
            self.assertEqual(r.returncode, 2, addr)
            self.assertIn("invalid socket address", r.stderr)


class AcceptYes(Case):
    def acceptor(self, name, *opts):
        args = " ".join(sh_quote(o) for o in opts)
        self.sv.add(name, "PROBE_OUT=%s exec %s accept %s -- %s" % (
            sh_quote(self.out), SVC, args, PROBE))

    def test_one_instance_per_connection(self):
        # instance_from_socket(): "N-LOCAL:PORT-REMOTE:PORT", N counting the
        # accepted connections from 0; IPv6 without brackets; the connection
        # is fd 3 (LISTEN_FDS=1, named "connection"), blocking; REMOTE_ADDR
        # and REMOTE_PORT are the peer's.
        self.acceptor("echo.socket", "--stream", "127.0.0.1:7201", "--stream", "[::1]:7202")
        # One at a time (each answered before the next connects), so N is known.
        conns, lines = [], []
        for addr, family in ((("127.0.0.1", 7201), socket.AF_INET),
                             (("127.0.0.1", 7201), socket.AF_INET),
                             (("::1", 7202), socket.AF_INET6)):
            c = self.wait_for(lambda: self._try(addr, family), what="acceptor")
            conns.append(c)
            lines.append(read_line(c))
        c6 = conns.pop()
        recs = self.wait_for(lambda: len(records(self.out)) >= 3 and records(self.out),
                             what="3 instances")
        by_pid = {r["pid"]: r for r in recs}
        self.assertEqual(len(by_pid), 3, "one process per connection")
        for n, (c, line) in enumerate(zip(conns + [c6], lines)):
            pid = int(line.split()[1])
            rec = by_pid[pid]
            local, peer = c.getpeername()[:2], c.getsockname()[:2]
            want = "%d-%s:%d-%s:%d" % (n, local[0], local[1], peer[0], peer[1])
            self.assertEqual(line.split()[3], want)
            self.assertEqual(rec["KLEIN_INSTANCE"], want)
            self.assertEqual((rec["LISTEN_FDS"], rec["LISTEN_FDNAMES"], rec["LISTEN_PID"]),
                             ("1", "connection", str(pid)))
            self.assertEqual((rec["REMOTE_ADDR"], rec["REMOTE_PORT"]), (peer[0], str(peer[1])))
            self.assertEqual((rec["fds"][0]["fd"], rec["fds"][0]["nonblock"],
                              rec["fds"][0]["listening"]), (3, 0, 0))
        for c in conns + [c6]:
            c.close()

    def _try(self, addr, family=socket.AF_INET):
        try:
            return connect(addr, family)
        except OSError:
            return None

    def test_unix_instance_and_stdio(self):
        # AF_UNIX instances are "N-PID-UID" (the peer's credentials), no
        # REMOTE_*; --stdio (StandardInput=socket) also puts it on 0 and 1.
        path = os.path.join(self.tmp, "u.sock")
        self.sv.add("cat.socket", "exec %s accept --stdio --stream %s -- sh -c %s" % (
            SVC, sh_quote(path),
            sh_quote('echo "$KLEIN_INSTANCE ${REMOTE_ADDR-none}"; read -r x; echo "got $x"')))
        u = self.wait_for(lambda: self._try(path, socket.AF_UNIX), what="unix acceptor")
        self.assertEqual(read_line(u), "0-%d-%d none\n" % (os.getpid(), os.getuid()))
        u.sendall(b"hello\n")
        self.assertEqual(read_line(u), "got hello\n")

    def test_max_connections(self):
        # socket_enter_running(): past MaxConnections= a new connection is
        # accepted and closed at once (not left queued); when one instance
        # ends, a new one is served again. Refused ones do not count in N.
        self.acceptor("m.socket", "--stream", "127.0.0.1:7211", "--max-connections", "2")
        held = [self.wait_for(lambda: self._try(("127.0.0.1", 7211)), what="acceptor")]
        held.append(connect(("127.0.0.1", 7211)))
        self.assertTrue(all(read_line(c).startswith("pid ") for c in held))
        extra = connect(("127.0.0.1", 7211))
        self.assertEqual(extra.recv(100), b"", "the third connection is closed")
        held[0].close()
        self.wait_for(lambda: self._served(("127.0.0.1", 7211)), what="a free slot again")
        recs = records(self.out)
        self.assertEqual(len(recs), 3)
        self.assertTrue(recs[2]["KLEIN_INSTANCE"].startswith("2-"), recs[2]["KLEIN_INSTANCE"])

    def _served(self, addr, source=None):
        try:
            c = connect(addr, source=source)
            line = read_line(c)
            self._keep = getattr(self, "_keep", []) + [c]
            return line.startswith("pid ")
        except OSError:
            return False

    def test_max_connections_per_source(self):
        # MaxConnectionsPerSource=: counted per peer IP address.
        self.acceptor("p.socket", "--stream", "127.0.0.1:7221", "--max-connections-per-source",
                      "1")
        a = self.wait_for(lambda: self._try(("127.0.0.1", 7221)), what="acceptor")
        self.assertTrue(read_line(a).startswith("pid "))
        again = connect(("127.0.0.1", 7221), source="127.0.0.1")
        self.assertEqual(again.recv(100), b"", "a second connection from 127.0.0.1 is closed")
        other = connect(("127.0.0.1", 7221), source="127.0.0.2")
        self.assertTrue(read_line(other).startswith("pid "), "another source is served")

    def test_datagram_refused(self):
        r = subprocess.run([SVC, "accept", "--datagram", "127.0.0.1:7231", "--", "true"],
                           capture_output=True, text=True, timeout=10, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("Accept=yes needs stream", r.stderr)


class Clean(Case):
    def test_term_exits_clean(self):
        # TERM ends the holder and the acceptor with status 0 (in the test
        # build also: no leak found), RemoveOnStop= removing their nodes.
        for cmd in (["listen", "--control", os.path.join(self.tmp, "ctl"), "--name", "c.socket"],
                    ["accept"]):
            path = os.path.join(self.tmp, "c.sock")
            args = [SVC, *cmd, "--stream", path, "--remove-on-stop"]
            if cmd == ["accept"]:
                args += ["--", "true"]
            p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
            self.wait_for(lambda: os.path.exists(path), what="socket " + path)
            if cmd == ["accept"]:
                self.wait_for(lambda: self._served(path), what="a connection served")
            p.send_signal(signal.SIGTERM)
            out, _ = p.communicate(timeout=30)
            self.assertEqual(p.returncode, 0, out)
            self.assertFalse(os.path.exists(path))

    def _served(self, path):
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            u.connect(path)
            return u.recv(10) == b""
        except OSError:
            return False
        finally:
            u.close()


PORTER = os.environ.get("KLEIN_PORTER", "")


@unittest.skipUnless(PORTER and os.access(PORTER, os.X_OK), "KLEIN_PORTER not set")
class Converted(Case):
    """klein-porter convert --enabled of real-shaped units, run as generated."""

    def unit(self, path, text):
        p = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)

    def test_enabled_socket_units_run(self):
        # sockets.target.wants/ finds both sockets; app.service (not enabled
        # itself) is converted with app.socket's fds; echo.socket (Accept=yes)
        # runs echo@.service's command per connection with the connection on
        # stdin/stdout (StandardInput=socket).
        self.root = os.path.join(self.tmp, "root")
        lib = "/lib/systemd/system/"
        self.unit(lib + "app.socket", "[Socket]\nListenStream=127.0.0.1:7401\n"
                  "ListenStream=/run/app/app.sock\nSocketMode=0600\nFileDescriptorName=web\n"
                  "[Install]\nWantedBy=sockets.target\n")
        self.unit(lib + "app.service", "[Service]\nEnvironment=PROBE_OUT=%s\nExecStart=%s\n"
                  % (self.out, PROBE))
        self.unit(lib + "echo.socket", "[Socket]\nListenStream=127.0.0.1:7402\nAccept=yes\n")
        # systemd passes a StandardInput=socket connection on stdio only:
        # no fd 3, no LISTEN_FDS (sshd -i would take fd 3 for a listener).
        self.unit(lib + "echo@.service", "[Service]\nExecStart=/bin/sh -c 'echo \"$$KLEIN_INSTANCE"
                  " $$REMOTE_ADDR $${LISTEN_FDS:-none} $${LISTEN_PID:-none} $$(if { true >&3; }"
                  " 2>/dev/null; then echo fd3; else echo no-fd3; fi)\"'\nStandardInput=socket\n")
        wants = os.path.join(self.root, "etc/systemd/system/sockets.target.wants")
        os.makedirs(wants)
        for s in ("app.socket", "echo.socket"):
            os.symlink(lib + s, os.path.join(wants, s))
        r = subprocess.run([PORTER, "convert", "--root", self.root, "--enabled",
                            "--service-dir", "/service"], capture_output=True, text=True,
                           check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("app", "app.socket", "echo.socket"):
            os.makedirs("/run/runit/supervise/" + name, exist_ok=True)
            os.makedirs("/run/runit/supervise/%s.log" % name, exist_ok=True)
            os.symlink(os.path.join(self.root, "etc/sv", name), os.path.join(self.sv.dir, name))
        rec = self.wait_for(lambda: records(self.out), what="the probe's record")[0]
        self.assertEqual((rec["LISTEN_FDS"], rec["LISTEN_FDNAMES"], rec["LISTEN_PID"]),
                         ("2", "web:web", str(rec["pid"])))
        self.assertEqual([f["addr"] for f in rec["fds"]], ["127.0.0.1:7401", "/run/app/app.sock"])
        self.assertEqual(rec["fds"][1]["mode"], "0600")
        self.assertEqual(read_line(connect(("127.0.0.1", 7401))), "pid %d\n" % rec["pid"])
        c = self.wait_for(lambda: self._try(("127.0.0.1", 7402)), what="the echo acceptor")
        local, peer = c.getpeername(), c.getsockname()
        self.assertEqual(read_line(c), "0-%s:%d-%s:%d %s none none no-fd3\n" % (
            local[0], local[1], peer[0], peer[1], peer[0]))

    def test_socket_commands_run(self):
        # systemd.socket(5): ExecStartPre= before the sockets are created,
        # ExecStartPost= after, ExecStopPre= before they are closed,
        # ExecStopPost= last; a failing ExecStartPre= fails the socket
        # (not retried).
        self.root = os.path.join(self.tmp, "root")
        lib = "/lib/systemd/system/"
        log = os.path.join(self.tmp, "cmds")
        sock = "/run/cmd/cmd.sock"

        def step(tag):
            return ("/bin/sh -c 'if test -S %s; then s=socket; else s=none; fi; "
                    "echo %s $$s >>%s'" % (sock, tag, log))
        self.unit(lib + "cmd.socket", "[Socket]\nListenStream=%s\n"
                  "ExecStartPre=%s\nExecStartPost=%s\nExecStopPre=%s\nExecStopPost=%s\n"
                  % (sock, step("pre"), step("post"), step("stoppre"), step("stoppost")))
        self.unit(lib + "cmd.service", "[Service]\nExecStart=/bin/sleep 1000\n")
        self.unit(lib + "bad.socket", "[Socket]\nListenStream=127.0.0.1:7403\n"
                  "ExecStartPre=/bin/false\n")
        self.unit(lib + "bad.service", "[Service]\nExecStart=/bin/sleep 1000\n")
        r = subprocess.run([PORTER, "convert", "--root", self.root, "--service-dir", "/service",
                            "cmd.socket", "bad.socket"], capture_output=True, text=True,
                           check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("ExecStartPre", r.stderr)  # no "not run" warning any more
        for name in ("cmd.socket", "bad.socket"):
            os.makedirs("/run/runit/supervise/" + name, exist_ok=True)
            os.symlink(os.path.join(self.root, "etc/sv", name), os.path.join(self.sv.dir, name))

        def lines():
            try:
                with open(log) as f:
                    return f.read().split("\n")[:-1]
            except OSError:
                return []
        self.wait_for(lambda: len(lines()) >= 2, what="ExecStartPost=")
        self.assertEqual(lines(), ["pre none", "post socket"])
        # A loaded machine (ctest -j2 beside the sanitizer builds) can take
        # seconds for the holder's control/t and finish: wait generously.
        r = subprocess.run(["sv", "-w", "60", "down", os.path.join(self.sv.dir, "cmd.socket")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.wait_for(lambda: len(lines()) >= 4, what="ExecStopPost=")
        # Without RemoveOnStop= the socket file stays, for systemd too.
        self.assertEqual(lines()[2:], ["stoppre socket", "stoppost socket"])
        # bad.socket: ExecStartPre= failed, so nothing listens and runsv was
        # told not to start it again.
        self.wait_for(lambda: b"want down" in subprocess.run(
            ["sv", "status", os.path.join(self.sv.dir, "bad.socket")],
            capture_output=True).stdout or b"down:" in subprocess.run(
            ["sv", "status", os.path.join(self.sv.dir, "bad.socket")],
            capture_output=True).stdout, what="bad.socket down")
        self.assertIsNone(self._try(("127.0.0.1", 7403)))

    def _try(self, addr):
        try:
            return connect(addr)
        except OSError:
            return None


def outer():
    if os.geteuid() != 0:
        print("SKIP: needs root (namespaces)")
        return 77
    for tool in ("unshare", "runsvdir", "sv", "ip"):
        if not shutil.which(tool):
            print("SKIP: %s not installed" % tool)
            return 77
    env = dict(os.environ, **{INNER: "1"})
    cmd = ["unshare", "--pid", "--net", "--fork", "--mount-proc", "--kill-child",
           sys.executable, os.path.abspath(__file__), SVC, PROBE] + sys.argv[3:]
    return subprocess.run(cmd, env=env, check=False).returncode


def inner():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # A private /run: generated scripts use /run/klein/sockets and /run/runit/supervise.
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    os.environ["PATH"] = os.path.dirname(SVC) + ":" + os.environ["PATH"]
    time.sleep(0.05)  # ::1 becomes usable once lo is up (no DAD on loopback)
    # Extra arguments after the two binaries select tests (unittest names).
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[3:], exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(inner() if os.environ.get(INNER) else outer())
