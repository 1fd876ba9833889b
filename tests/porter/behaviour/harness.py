# SPDX-License-Identifier: MIT
"""Behaviour-test machinery: write units, convert them with klein-porter, run
the service directories under runsvdir (or klein-init) in a private PID and
mount namespace, and read what the probe recorded.

Isolation: every sandbox gets its own temp dir, and its services run in their
own PID namespace (`unshare --pid --fork --mount-proc --kill-child`), so
killing the namespace's PID 1 ends every stray process. Inside the namespace
/run, /var/lib, /var/cache and /var/log are private tmpfs mounts, so the
RuntimeDirectory=/StateDirectory= a unit asks for never touch the host, and the
/run/runit/supervise links of the generated directories resolve privately.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

# systemd.exec(5) "$PATH": the fixed value of the system manager; Debian 12's
# systemd 252 is built for unmerged /usr, so ":/sbin:/bin" is appended
# (verified: the string in libsystemd-shared-252.so).
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# What runsvdir's environment looks like in the container: Docker's variables
# and whatever klein-init passes on. The canary must never reach a service,
# because systemd's system services do not inherit the manager's environment
# (systemd.exec(5) "Environment Variables in Spawned Processes").
CANARY = "KLEIN_BEHAVIOUR_CANARY"

# Klein's one documented deviation from systemd's environment (docs/porter.md
# "Environment" and "Known gaps"): services start from the container's
# environment (what klein-init gives runsvdir, e.g. `docker run -e`) instead
# of systemd's near-empty one with a fixed PATH. With this on, the expected
# environment is that base, then exactly what systemd adds; set it to False
# to assert systemd's own rule (KLEIN_BH_STRICT_ENV=1 does; the canary and
# runsvdir's PATH then fail).
CONTAINER_ENV_BASE = not os.environ.get("KLEIN_BH_STRICT_ENV")


# Hidden (a private tmpfs) inside each namespace, so that what services
# create there (RuntimeDirectory=, StateDirectory=, ...) never reaches the host.
PRIVATE_DIRS = ["/run", "/var/lib", "/var/cache", "/var/log"]


def fail_exit(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(SKIP)


class Tools:
    def __init__(self):
        self.probe = os.environ.get("KLEIN_PROBE", "")
        self.porter = os.environ.get("KLEIN_PORTER", "")
        self.svc = os.environ.get("KLEIN_SVC", "")
        self.init = os.environ.get("KLEIN_INIT", "")
        self.oracle = os.environ.get("KLEIN_ORACLE", "")
        self.corpus = os.environ.get("KLEIN_CORPUS", "")

    def require(self, svc=True):
        if os.geteuid() != 0:
            skip("behaviour tests need root (namespaces, setuid)")
        for tool in ("unshare", "nsenter", "runsvdir", "runsv", "sv", "chpst"):
            if not shutil.which(tool):
                skip("%s not installed" % tool)
        if not os.access(self.probe, os.X_OK):
            fail_exit("probe not built: %r" % self.probe)
        if not os.access(self.porter, os.X_OK):
            skip("klein-porter not built")
        # The placeholder convert refuses everything; real convert handles a
        # trivial unit.
        d = tempfile.mkdtemp(prefix="klein-bh-check-")
        try:
            u = os.path.join(d, "x.service")
            with open(u, "w") as f:
                f.write("[Service]\nExecStart=/bin/true\n")
            r = subprocess.run([self.porter, "convert", "--root", "/", "--sv-dir",
                                os.path.join(d, "sv"), "--service-dir",
                                os.path.join(d, "service"), "--dry-run", u],
                               capture_output=True, text=True, errors="replace")
            if "not implemented" in r.stderr:
                skip("klein-porter convert is a placeholder")
        finally:
            shutil.rmtree(d, ignore_errors=True)
        if svc and not (self.svc and os.access(self.svc, os.X_OK)):
            skip("klein-svc not built")

    def oracle_ok(self):
        return bool(self.oracle) and os.access(self.oracle, os.X_OK) and \
            os.path.exists("/lib/systemd/systemd")


class Checker:
    """Collects failed expectations so one run reports all of them."""

    def __init__(self, family):
        self.family = family
        self.failures = []
        self.passed = 0
        self.case = "?"

    def start(self, case):
        self.case = case
        print("== %s/%s" % (self.family, case), flush=True)

    def eq(self, what, got, want, rule=""):
        if got == want:
            self.passed += 1
            return True
        self.failures.append("%s: %s: got %r, want %r%s" % (
            self.case, what, got, want, ("  [" + rule + "]") if rule else ""))
        print("   FAIL " + self.failures[-1], flush=True)
        return False

    def ok(self, what, cond, detail="", rule=""):
        if cond:
            self.passed += 1
            return True
        self.failures.append("%s: %s%s%s" % (
            self.case, what, (": " + detail) if detail else "",
            ("  [" + rule + "]") if rule else ""))
        print("   FAIL " + self.failures[-1], flush=True)
        return False

    def finish(self):
        print("\n%s: %d checks passed, %d failed" % (
            self.family, self.passed, len(self.failures)))
        for f in self.failures:
            print("FAILED " + f)
        sys.exit(1 if self.failures else 0)


def b(s):
    """Record strings are latin-1-decoded bytes; give the bytes back."""
    return s.encode("latin-1")


def env_of(rec):
    """The record's environment as a list of (name, value) byte pairs."""
    out = []
    for e in rec["env"]:
        raw = b(e)
        k, _, v = raw.partition(b"=")
        out.append((k, v))
    return out


def argv_of(rec):
    return [b(a) for a in rec["argv"]]


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


class Sandbox:
    """One temp root: units/, sv/, service/, rec/, files/; one namespace."""

    def __init__(self, tools, name, group_lines=None, init=False):
        self.t = tools
        self.name = name
        self.root = tempfile.mkdtemp(prefix="klein-bh-%s-" % name)
        os.chmod(self.root, 0o755)
        for d in ("units", "sv", "service", "files"):
            os.mkdir(os.path.join(self.root, d))
            os.chmod(os.path.join(self.root, d), 0o755)
        self.rec_dir = os.path.join(self.root, "rec")
        os.mkdir(self.rec_dir)
        os.chmod(self.rec_dir, 0o1777)
        self.sv_dir = os.path.join(self.root, "sv")
        self.service_dir = os.path.join(self.root, "service")
        self.group_file = None
        if group_lines:
            # A private /etc/group for the namespace (bind-mounted over the
            # real one there): users get memberships without touching the host.
            self.group_file = os.path.join(self.root, "group")
            with open("/etc/group") as f:
                base = f.read()
            with open(self.group_file, "w") as f:
                f.write(base + "".join(l + "\n" for l in group_lines))
            os.chmod(self.group_file, 0o644)
        self.use_init = init
        # Shell lines run in the namespace before the services start (files
        # under the private /run, e.g. a credential store).
        self.extra_setup = []
        self.proc = None
        self.ns_pid = None
        self.out_path = os.path.join(self.root, "runsvdir.out")

    # --- units -----------------------------------------------------------
    def rec(self, name):
        return os.path.join(self.rec_dir, name + ".jsonl")

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, rel, text, mode=0o644):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        os.chmod(p, mode)
        return p

    def unit(self, name, text, probe_out=True):
        """Writes units/NAME (NAME with .service). @PROBE@ and @REC@ are
        replaced; with probe_out, Environment=PROBE_OUT=<record> is added as
        the first line of [Service] (the expectations account for it)."""
        base = name[:-len(".service")] if name.endswith(".service") else name
        if not name.endswith(".service"):
            name += ".service"
        rec = self.rec(base.replace("@", "_"))
        # Lines of one unit run as different users: the record file is
        # shared, so it must not end up owned by whichever wrote first.
        if not os.path.exists(rec):
            open(rec, "a").close()
            os.chmod(rec, 0o666)
        text = text.replace("@PROBE@", self.t.probe).replace("@REC@", rec).replace(
            "@ROOT@", self.root)
        if probe_out:
            text = text.replace("[Service]\n", "[Service]\nEnvironment=PROBE_OUT=%s\n" % rec, 1)
        return self.write(os.path.join("units", name), text.encode("latin-1")
                          if isinstance(text, str) else text)

    def private_dirs(self):
        """The system dirs the namespace hides under a tmpfs: those holding
        none of the programs under test or the temp root."""
        keep = [os.path.realpath(p) for p in (self.t.probe, self.t.porter, self.t.svc,
                                              self.t.init, self.root) if p]
        return [d for d in PRIVATE_DIRS
                if not any(k == d or k.startswith(d + "/") for k in keep)]

    def _setup_sh(self):
        dirs = self.private_dirs()
        if "/run" not in dirs:
            fail_exit("cannot run with the build or temp dir under /run")
        lines = ["set -e"]
        lines += ["mount -t tmpfs -o mode=0755 klein-bh %s" % d for d in dirs]
        lines += ["mkdir -p /run/runit/supervise /run/lock"]
        if self.group_file:
            lines.append("mount --bind %s /etc/group" % sh_quote(self.group_file))
        return "\n".join(lines) + "\n"

    def convert(self, *units, args=(), expect_rc=0, ck=None):
        """Runs klein-porter convert inside the namespace setup (so it sees the
        same /etc/group the services will)."""
        cmd = [self.t.porter, "convert", "--root", "/", "--sv-dir", self.sv_dir,
               "--service-dir", self.service_dir] + list(args)
        cmd += [self.path("units", u if "/" not in u else u) if not u.startswith("/") else u
                for u in units]
        script = self._setup_sh() + 'exec "$@"\n'
        r = subprocess.run(["unshare", "--mount", "--", "sh", "-c", script, "sh"] + cmd,
                           capture_output=True, errors="replace", text=True, timeout=60)
        self.last_convert = r
        if r.stderr.strip():
            print("   convert: " + r.stderr.strip().replace("\n", "\n   convert: "))
        if expect_rc is not None and r.returncode != expect_rc:
            msg = "klein-porter convert %s: exit %d, want %d: %s" % (
                " ".join(units), r.returncode, expect_rc, r.stderr.strip())
            if ck:
                ck.ok("convert", False, msg)
            else:
                fail_exit(msg)
            return None
        return r

    def script(self, svc, rel="run"):
        try:
            with open(os.path.join(self.sv_dir, svc, rel)) as f:
                return f.read()
        except OSError:
            return None

    # --- running ---------------------------------------------------------
    def start(self):
        svcbin = os.path.dirname(self.t.svc) if self.t.svc else ""
        path = ":".join(p for p in (svcbin, SYSTEMD_PATH) if p)
        setup = self._setup_sh() + "".join(l + "\n" for l in self.extra_setup)
        # klein-init (or the image) makes the supervise dirs the generated
        # links point to; for bare runsvdir the harness does it.
        setup += ('for l in %s/*/supervise %s/*/log/supervise; do\n'
                  '  if [ -L "$l" ]; then mkdir -p "$(readlink "$l")"; fi\n'
                  'done\n') % (sh_quote(self.sv_dir), sh_quote(self.sv_dir))
        self.base_env = {b"PATH": path.encode(), b"HOME": b"/root",
                         CANARY.encode(): b"from-runsvdir", b"TERM": b"dumb"}
        env = ["env", "-i"] + [(k + b"=" + v).decode() for k, v in self.base_env.items()]
        if self.use_init:
            for d in ("init", "env"):
                os.makedirs(self.path(d), exist_ok=True)
            self.write("init.conf", "")
            setup += "exec %s %s -c %s --init-dir %s --env-dir %s --service-dir %s\n" % (
                " ".join(env), sh_quote(self.t.init), sh_quote(self.path("init.conf")),
                sh_quote(self.path("init")), sh_quote(self.path("env")),
                sh_quote(self.service_dir))
        else:
            # as klein-init starts it (docs/init.md)
            setup += "exec %s runsvdir -P %s\n" % (" ".join(env), sh_quote(self.service_dir))
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--",
             "sh", "-c", setup], stdin=subprocess.DEVNULL, stdout=self.out,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                    kids = f.read().split()
                if kids:
                    self.ns_pid = int(kids[0])
                    # wait until the namespace's mounts are in place
                    if os.path.isdir("/proc/%d/root/run/runit/supervise" % self.ns_pid):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        fail_exit("namespace did not start: " + self.output())

    def output(self):
        try:
            with open(self.out_path, "rb") as f:
                return f.read().decode("latin-1")
        except OSError:
            return ""

    def ns(self, argv, timeout=30):
        """Runs argv inside the namespace; returns (rc, output, seconds)."""
        svcbin = os.path.dirname(self.t.svc) if self.t.svc else ""
        path = ":".join(p for p in (svcbin, SYSTEMD_PATH) if p)
        t0 = time.monotonic()
        r = subprocess.run(["nsenter", "-t", str(self.ns_pid), "-p", "-m", "--",
                            "env", "-i", "PATH=" + path] + list(argv),
                           capture_output=True, text=True, errors="replace", timeout=timeout)
        return r.returncode, r.stdout + r.stderr, time.monotonic() - t0

    def sv(self, *args, timeout=30):
        *opts, cmd, svc = args
        return self.ns(["sv"] + list(opts) + [cmd, os.path.join(self.service_dir, svc)],
                       timeout=timeout)

    def ns_path(self, p):
        """Host path of p as seen inside the namespace."""
        return "/proc/%d/root%s" % (self.ns_pid, p)

    def alive(self, ns_pid):
        """Is ns_pid a live (non-zombie) process in the namespace?"""
        try:
            with open(self.ns_path("/proc/%d/stat" % ns_pid)) as f:
                st = f.read()
        except OSError:
            return False
        return st.rsplit(")", 1)[1].split()[0] != "Z"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.proc:
            self.out.close()
        self.proc = None

    def cleanup(self):
        self.stop()
        if os.environ.get("KLEIN_BH_KEEP"):
            print("   kept " + self.root)
            return
        shutil.rmtree(self.root, ignore_errors=True)

    # --- records ---------------------------------------------------------
    def records(self, name):
        try:
            with open(self.rec(name), "rb") as f:
                data = f.read().decode("latin-1")
        except OSError:
            return []
        out = []
        for line in data.splitlines():
            if line.strip():
                out.append(json.loads(line))
        return out

    def wait_for(self, name, pred=lambda r: r["event"] == "start", count=1, timeout=10):
        """Waits until `count` records of NAME satisfy pred; returns them all
        (the matching ones) or the ones found at the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            got = [r for r in self.records(name) if pred(r)]
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


# --- what systemd gives ----------------------------------------------------

def locale_lang():
    """systemd PID 1 reads LANG from /etc/locale.conf (Debian falls back to
    /etc/default/locale); it is passed to every service (systemd.exec(5))."""
    for p in ("/etc/locale.conf", "/etc/default/locale"):
        try:
            with open(p) as f:
                for line in f:
                    m = re.match(r'\s*LANG=("?)(.*)\1\s*$', line)
                    if m:
                        return m.group(2).encode()
            return None
        except OSError:
            continue
    return None


def passwd(user):
    import pwd
    return pwd.getpwnam(user)


def systemd_env(rec, unit_env, user=None, extra=None, container=None):
    """The environment systemd 252 gives a system service process, as an
    ordered dict of bytes -> bytes (names we cannot predict map to a regex).

    systemd.exec(5) "Environment Variables in Spawned Processes": manager
    variables (PATH, LANG), then $USER $LOGNAME $HOME $SHELL only when User=
    is set, $INVOCATION_ID (32 hex chars, always), $SYSTEMD_EXEC_PID (the
    pid of the process itself, since v248), then Environment=, then
    EnvironmentFile= (later wins). $JOURNAL_STREAM is only set when the output
    is connected to journald, which does not exist under Klein: expected
    absent.

    container: runsvdir's environment, the base under CONTAINER_ENV_BASE
    (it then replaces systemd's fixed PATH too)."""
    if CONTAINER_ENV_BASE and container is not None:
        env = dict(container)
    else:
        env = {b"PATH": SYSTEMD_PATH.encode()}
    lang = locale_lang()
    if lang is not None:
        env[b"LANG"] = lang
    if user:
        pw = passwd(user)
        env[b"HOME"] = pw.pw_dir.encode()
        env[b"LOGNAME"] = user.encode()
        env[b"USER"] = user.encode()
        env[b"SHELL"] = pw.pw_shell.encode()
    env[b"INVOCATION_ID"] = re.compile(rb"^[0-9a-f]{32}$")
    env[b"SYSTEMD_EXEC_PID"] = str(rec["pid"]).encode() if rec else re.compile(rb"^\d+$")
    for k, v in unit_env:
        env[k] = v
    for k, v in (extra or {}).items():
        env[k] = v
    return env


def check_env(ck, rec, want, rule="systemd.exec(5) environment"):
    got = env_of(rec)
    names = [k for k, _ in got]
    dups = sorted(set(n for n in names if names.count(n) > 1))
    ck.ok("environment has no duplicate names", not dups, repr(dups), rule)
    gd = dict(got)
    missing = [k for k in want if k not in gd]
    extra = [k for k in gd if k not in want]
    ck.ok("no missing variables", not missing, repr(missing), rule)
    ck.ok("no extra variables", not extra,
          repr([(k, gd[k]) for k in extra]), rule)
    for k, v in want.items():
        if k not in gd:
            continue
        if isinstance(v, re.Pattern):
            ck.ok("env %s matches %s" % (k.decode("latin-1"), v.pattern), bool(v.match(gd[k])),
                  repr(gd[k]), rule)
        else:
            ck.eq("env %s" % k.decode("latin-1"), gd[k], v, rule)


def sig_bit(n):
    return 1 << (n - 1)


def check_defaults(ck, rec, cwd="/", umask="0022", nice=0, sigpipe_ignored=True,
                   oom="0", stdin="/dev/null"):
    """The process attributes systemd gives when the unit does not set them."""
    ck.eq("cwd", b(rec["cwd"]) if rec["cwd"] is not None else None, cwd.encode(),
          "systemd.exec(5) WorkingDirectory=: defaults to / for system services")
    ck.eq("umask", rec["umask"], umask, "systemd.exec(5) UMask=: defaults to 0022")
    ck.eq("nice", rec["nice"], nice, "systemd.exec(5) Nice=")
    ign = int(rec["sigign"], 16)
    want_ign = sig_bit(signal.SIGPIPE) if sigpipe_ignored else 0
    ck.eq("ignored signals (SigIgn)", hex(ign), hex(want_ign),
          "systemd.exec(5) IgnoreSIGPIPE= (default yes); all other dispositions reset")
    ck.eq("blocked signals (SigBlk)", int(rec["sigblk"], 16), 0,
          "systemd resets the signal mask before exec (exec-child)")
    ck.eq("oom_score_adj", rec["oom_score_adj"], oom, "systemd.exec(5) OOMScoreAdjust=")
    fds = rec["fds"]
    ck.eq("open fds", sorted(int(k) for k in fds), [0, 1, 2],
          "systemd passes only stdin/stdout/stderr (no socket activation)")
    if stdin is not None:
        ck.eq("stdin", fds.get("0"), stdin, "systemd.exec(5) StandardInput= default null")
    ck.eq("stderr is stdout", fds.get("2"), fds.get("1"),
          "systemd.exec(5) StandardError= default inherit")


# --- systemd's own parse (the oracle) --------------------------------------

def c_unescape_words(line):
    """Splits a `Command Line:` of systemd's dump back into argv bytes."""
    out, i, n = [], 0, len(line)
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11,
              "\\": 92, '"': 34, "'": 39, "$": 36, "s": 32}
    while i < n:
        while i < n and line[i] == " ":
            i += 1
        if i >= n:
            break
        w = bytearray()
        if line[i] == '"':
            i += 1
            while i < n and line[i] != '"':
                c = line[i]
                if c == "\\":
                    e = line[i + 1]
                    if e in simple:
                        w.append(simple[e])
                        i += 2
                    elif e == "x":
                        w.append(int(line[i + 2:i + 4], 16))
                        i += 4
                    elif e in "01234567":
                        w.append(int(line[i + 1:i + 4], 8))
                        i += 4
                    else:
                        w += e.encode("latin-1")
                        i += 2
                else:
                    w += c.encode("latin-1")
                    i += 1
            i += 1
        else:
            while i < n and line[i] != " ":
                w += line[i].encode("latin-1")
                i += 1
        out.append(bytes(w))
    return out


def oracle(tools, unit_path, instance=None):
    """Returns (commands: {key: [argv bytes...]}, env: [(k, v)], diags)."""
    cmd = [tools.oracle, unit_path] + (["-i", instance] if instance else [])
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    text = r.stdout.decode("latin-1")
    cmds, env, diags, key = {}, [], [], None
    for line in text.split("\n"):
        if line.startswith("diag: "):
            diags.append(line[6:])
            continue
        s = line.lstrip("\t")  # values may end in whitespace: strip only the indent
        m = re.match(r"-> (Exec\w+):$", s)
        if m:
            key = m.group(1)
            continue
        if s.startswith("Command Line: ") and key:
            cmds.setdefault(key, []).append(c_unescape_words(s[len("Command Line: "):]))
        elif s.startswith("Environment: "):
            k, _, v = s[len("Environment: "):].partition("=")
            env.append((k.encode("latin-1"), v.encode("latin-1")))
    return cmds, env, diags
