# SPDX-License-Identifier: MIT
# Black-box tests of `klein-svc credentials` ($CREDENTIALS_DIRECTORY: LoadCredential=,
# SetCredential=, ImportCredential=) and `klein-svc exec --open-file` (OpenFile=).
import os
import socket
import stat
import threading

import svctest
from svctest import Case

PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\n"
GROUP = "root:x:0:\napp:x:1001:\nadm:x:4:\n"


class Credentials(Case):
    def setUp(self):
        super().setUp()
        self.write("root/etc/passwd", PASSWD)
        self.write("root/etc/group", GROUP)
        self.env = dict(os.environ, KLEIN_SVC_ROOT=self.path("root"))
        self.dir = self.path("run", "credentials", "x.service")

    def creds(self, *opts, user=None):
        args = ["credentials", "--dir", self.dir] + (["--user", user] if user else []) + list(opts)
        return self.svc(*args, env=self.env)

    def store(self, name, data, sub="credstore"):
        return self.write(os.path.join("root/etc", sub, name), data, 0o600)

    def files(self):
        out = {}
        for n in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, n), "rb") as f:
                out[n] = f.read()
        return out

    def test_sources_order_and_ownership(self):
        src = self.write("src/key", "K\n", 0o600)
        self.write("src/tree/a", "A")
        self.write("src/tree/sub/b", "B")
        self.write("src/tree/.hidden", "H")
        os.symlink(src, self.path("src/tree/link"))
        self.store("store.key", "from-etc")
        self.write("root/run/credstore/store.key", "from-run")
        self.write("root/run/credstore/imp.a", "run-a")
        self.store("imp.a", "etc-a")
        self.store("imp.b", "etc-b")
        self.store("imp.c", "sealed", sub="credstore.encrypted")
        r = self.creds("--load", "key:" + src, "--load", "tree:" + self.path("src/tree"),
                       "--load", "store.key", "--load", "absent.key",
                       "--set", "key:ignored", "--set", "lit:a\\x00b\\n",
                       "--import", "imp.*", "--import", "imp.b:renamed",
                       user="app:adm")
        self.assertEqual(r.returncode, 0, r.stderr)
        # LoadCredential= wins over SetCredential=; a directory gives ID_PATH
        # (dot files and symlinks skipped); the store is searched /etc first;
        # per glob /etc/credstore before /run/credstore; encrypted ones are
        # only reported; SetCredential= takes C escapes with NUL bytes.
        self.assertEqual(self.files(), {
            "key": b"K\n", "tree_a": b"A", "tree_sub_b": b"B", "store.key": b"from-etc",
            "lit": b"a\0b\n", "imp.a": b"etc-a", "imp.b": b"etc-b", "renamed": b"etc-b"})
        self.assertIn("imp.c", r.stderr)
        self.assertIn("absent.key", r.stderr)
        st = os.stat(self.dir)
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid), (0o500, 1000, 4))
        for n in os.listdir(self.dir):
            st = os.stat(os.path.join(self.dir, n))
            self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid), (0o400, 1000, 4))
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.dir)).st_mode), 0o755)

    def test_missing_source_fails_and_keeps_the_old(self):
        self.assertEqual(self.creds("--set", "a:old").returncode, 0)
        r = self.creds("--load", "b:" + self.path("nonexistent"))
        self.assertEqual(r.returncode, 243, r.stderr)
        self.assertIn("nonexistent", r.stderr)
        self.assertEqual(self.files(), {"a": b"old"})
        self.assertEqual([n for n in os.listdir(os.path.dirname(self.dir))], ["x.service"])
        # A SetCredential= of the same ID makes a missing file fine.
        r = self.creds("--load", "b:" + self.path("nonexistent"), "--set", "b:fallback")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.files(), {"b": b"fallback"})

    def test_unknown_user(self):
        self.assertEqual(self.creds("--set", "a:b", user="nosuch").returncode, 217)

    def test_socket_source(self):
        path = self.path("cred.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)

        def serve():
            c, _ = srv.accept()
            c.sendall(b"from-socket")
            c.close()
        t = threading.Thread(target=serve)
        t.start()
        r = self.creds("--load", "sock:" + path)
        t.join(5)
        srv.close()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.files(), {"sock": b"from-socket"})

    def test_size_limit_and_special_files(self):
        big = self.write("big", "x" * (1024 * 1024 + 1))
        r = self.creds("--load", "big:" + big)
        self.assertEqual(r.returncode, 243)
        half = self.write("half", "y" * (600 * 1024))
        r = self.creds("--load", "a:" + half, "--load", "b:" + half)
        self.assertEqual(r.returncode, 243, "1 MiB in total per unit")
        self.assertIn("does not fit", r.stderr)
        os.mkfifo(self.path("fifo"))
        r = self.creds("--load", "f:" + self.path("fifo"))
        self.assertEqual(r.returncode, 243, "a FIFO is refused, never waited on")

    def test_empty_leaves_no_directory_and_remove(self):
        self.assertEqual(self.creds("--load", "absent").returncode, 0)
        self.assertFalse(os.path.exists(self.dir))
        self.assertEqual(self.creds("--set", "a:1").returncode, 0)
        self.assertEqual(self.svc("credentials", "--dir", self.dir, "--remove").returncode, 0)
        self.assertFalse(os.path.exists(self.dir))

    def test_bad_arguments(self):
        for opts in (["--load", "a/b:/x"], ["--load", "a:rel/x"], ["--set", "novalue"],
                     ["--import", "a?*"], ["--import", "a*:bad/name"], ["--set", ":x"],
                     ["--load", "x" * 300 + ":/x"]):
            r = self.creds(*opts)
            self.assertEqual(r.returncode, 2, opts)
        self.assertEqual(self.svc("credentials", "--dir", "relative").returncode, 2)
        self.assertFalse(os.path.exists(self.dir))


class OpenFile(Case):
    def fds(self, *opts, extra=(), **kw):
        """LISTEN_* and, per fd 3.., its target and open flags, seen by the command."""
        script = ('echo "$LISTEN_FDS|$LISTEN_FDNAMES|$([ "$LISTEN_PID" = $$ ] && echo ok)"; '
                  'i=3; while [ $i -lt $((3 + ${LISTEN_FDS:-0})) ]; do '
                  'echo "$(readlink /proc/$$/fd/$i) $(sed -n "s/^flags:\\t*//p" '
                  '/proc/$$/fdinfo/$i)"; i=$((i + 1)); done')
        return self.svc("exec", "--no-expand", *opts, "--", "/bin/sh", "-c", script, *extra,
                        **kw)

    def test_open_files(self):
        cfg = self.write("app.conf", "conf\n")
        log = self.write("app.log", "old\n")
        tr = self.write("trunc", "gone\n")
        r = self.fds("--open-file", cfg + ":cfg:read-only", "--open-file", log + "::append",
                     "--open-file", self.path("missing") + "::graceful",
                     "--open-file", tr + ":t:truncate")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "3|cfg:app.log:t|ok")
        flags = [int(l.split()[1], 8) for l in lines[1:]]
        self.assertEqual([l.split()[0] for l in lines[1:]], [cfg, log, tr])
        self.assertEqual(flags[0] & 3, os.O_RDONLY)
        self.assertEqual(flags[1] & (3 | os.O_APPEND), os.O_RDWR | os.O_APPEND)
        self.assertEqual(os.path.getsize(tr), 0, "truncate")
        self.assertIn("ignoring", r.stderr)

    def test_missing_fails_with_202(self):
        r = self.fds("--open-file", self.path("missing"))
        self.assertEqual(r.returncode, 202, r.stderr)
        self.assertFalse(os.path.exists(self.path("missing")), "never created")

    def test_after_sockets_and_after_an_accepted_connection(self):
        ctl = self.path("holder.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        srv.bind(ctl)
        srv.listen(1)
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

        def serve():
            c, _ = srv.accept()
            socket.send_fds(c, [b"web.socket\0"], [lst.fileno()])
            c.close()
        t = threading.Thread(target=serve)
        t.start()
        cfg = self.write("app.conf", "conf\n")
        r = self.fds("--sockets", ctl, "--open-file", cfg + ":cfg")
        t.join(5)
        srv.close()
        lst.close()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], "2|web.socket:cfg|ok")
        self.assertTrue(r.stdout.splitlines()[1].startswith("socket:"))
        # klein-svc accept leaves the connection on fd 3 with LISTEN_* for this
        # pid: the opened file comes after it.
        wrap = ('LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=connection exec "$0" exec '
                '--no-expand --open-file "$1:cfg" -- /bin/sh -c \'echo "$LISTEN_FDS|$LISTEN_FDNAMES"; '
                'readlink /proc/$$/fd/3 /proc/$$/fd/4\'')
        r = self.svc("exec", "--no-expand", "--", "/bin/sh", "-c",
                     "exec 3<" + cfg + "; " + wrap.replace('"$0"', svctest.SVC), "sh", cfg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), ["2|connection:cfg", cfg, cfg])

    def test_bad_specs(self):
        for spec in ("relative", "/x:a:b:c", "/x::read-only,append", "/x::bogus", "/x:a\\x3ab",
                     "/x::graceful,graceful"):
            self.assertEqual(self.fds("--open-file", spec).returncode, 2, spec)


if __name__ == "__main__":
    svctest.main()
