# SPDX-License-Identifier: MIT
"""Behaviour tests, one family per ctest: python3 behaviour.py FAMILY.

Each case writes a unit, converts it with `klein-porter convert`, runs the
service under runsvdir in a private PID namespace and compares what the probe
received with what systemd 252 gives. Every expectation cites its rule.
KLEIN_BH_KEEP=1 keeps the temp roots for debugging."""
import os
import re
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (PRIVATE_DIRS, Checker, Sandbox, Tools, argv_of, check_defaults,  # noqa: E402
                     check_env, env_of, oracle, passwd, sh_quote, systemd_env)
import fam_creds  # noqa: E402

T = Tools()


def probe_out(sb, name):
    return (b"PROBE_OUT", sb.rec(name).encode())


def oracle_argv(ck, unit_path, key="ExecStart", index=0, instance=None):
    """systemd's own load-time argv of one Exec line (None without systemd)."""
    if not T.oracle_ok():
        return None
    cmds, _, _ = oracle(T, unit_path, instance)
    try:
        return cmds[key][index]
    except (KeyError, IndexError):
        ck.ok("oracle shows %s[%d]" % (key, index), False)
        return None


# --- argv ------------------------------------------------------------------

def fam_argv(ck):
    # systemd.service(5) "Command lines" and §3.B/§3.C of the porter
    # reference: quotes group words, C escapes are decoded at load time;
    # at exec time a word that is exactly $NAME splits on whitespace, a word
    # that is exactly $UNSET is dropped, ${NAME} inside a word substitutes
    # one word, an unset ${NAME} is empty, `$$` is `$`, and `$NAME` that is
    # not the whole word stays literal (replace_env without braceless).
    ck.start("quoting-and-expansion")
    unit = ("[Service]\nEnvironment=X=\"1 2\" E=\n"
            "ExecStart=@PROBE@ plain \"two words\" 'single q' \"esc\\ttab\" a\\x41b"
            " \"$X\" ${X} $X $UNSET ${UNSET} pre${X}post pre$X $$X $$ \"a\\\"b\" 'x\"y'"
            " \\; semi;colon ${E} $E \"\"\n")
    want_load = [T.probe.encode(), b"plain", b"two words", b"single q", b"esc\ttab", b"aAb",
                 b"$X", b"${X}", b"$X", b"$UNSET", b"${UNSET}", b"pre${X}post", b"pre$X",
                 b"$$X", b"$$", b'a"b', b'x"y', b";", b"semi;colon", b"${E}", b"$E", b""]
    want = [T.probe.encode(), b"plain", b"two words", b"single q", b"esc\ttab", b"aAb",
            b"1", b"2",          # "$X": the quotes are gone at exec time; whole-word $X splits
            b"1 2",              # ${X}: one word
            b"1", b"2",          # $X: split on whitespace
            # $UNSET: dropped
            b"",                 # ${UNSET}: empty word
            b"pre1 2post", b"pre$X", b"$X", b"$", b'a"b', b'x"y', b";", b"semi;colon",
            b"",                 # ${E} with E set to "": empty word
            # $E (set, empty): splits into no words
            b""]
    with Sandbox(T, "argv") as sb:
        path = sb.unit("q.service", unit)
        o = oracle_argv(ck, path)
        if o is not None:
            ck.eq("oracle load-time argv matches the test's model", o, want_load,
                  "systemd --test dump")
        if sb.convert("q.service", ck=ck):
            sb.start()
            recs = sb.wait_for("q")
            if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
                ck.eq("argv", argv_of(recs[0]), want,
                      "systemd.service(5) Command lines; env-util.c replace_env_argv")

    ck.start("prefixes-at-colon")
    with Sandbox(T, "argv-prefix") as sb:
        # '@': the second word is argv[0] (systemd.service(5) Table 1);
        # ':': no environment variable substitution on this line.
        sb.unit("a.service", "[Service]\nEnvironment=X=\"1 2\"\n"
                "ExecStart=@@PROBE@ my-argv0 ${X}\n")
        sb.unit("c.service", "[Service]\nEnvironment=X=\"1 2\"\n"
                "ExecStart=:@PROBE@ ${X} $X $$ %%\n")
        sb.unit("m.service", "[Service]\nEnvironment=X=\"1 2\"\n"
                "ExecStart=-@@PROBE@ zero $X\n")
        if sb.convert("a.service", "c.service", "m.service", ck=ck):
            sb.start()
            for name, want in (("a", [b"my-argv0", b"1 2"]),
                               ("c", [T.probe.encode(), b"${X}", b"$X", b"$$", b"%"]),
                               ("m", [b"zero", b"1", b"2"])):
                recs = sb.wait_for(name)
                if ck.ok("probe %s ran" % name, bool(recs), sb.output()[-1500:]):
                    ck.eq("argv of %s" % name, argv_of(recs[0]), want,
                          "systemd.service(5) '@', ':' and '-' prefixes")

    ck.start("specifiers")
    with Sandbox(T, "argv-spec") as sb:
        # systemd.unit(5) Specifiers: %n full unit name, %N without suffix,
        # %p prefix, %i instance, %I unescaped instance, %% a percent sign.
        sb.unit("spec@.service", "[Service]\n"
                "ExecStart=@PROBE@ %n %N %p %i %I %% a%%b\n")
        path = sb.path("units", "spec@.service")
        want = [T.probe.encode(), b"spec@x-y.service", b"spec@x-y", b"spec", b"x-y", b"x/y",
                b"%", b"a%b"]
        o = oracle_argv(ck, path, instance="x-y")
        if o is not None:
            ck.eq("oracle argv matches the test's model", o, want, "systemd --test dump")
        if sb.convert("spec@.service", args=["--instance", "x-y"], ck=ck):
            sb.start()
            # PROBE_OUT names the template ("spec_"), whatever the instance.
            recs = sb.wait_for("spec_")
            if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
                ck.eq("argv", argv_of(recs[0]), want, "systemd.unit(5) Specifiers")


# --- environment -----------------------------------------------------------

ENV_FILE_1 = (b"# comment\n"
              b"F1=from-file-1\n"
              b"SHARED=file1\n"
              b"BOTH=file1\n"
              b"export_not=x\n"
              b"Q1='single $X \\n literal'\n"
              b"Q2=\"double \\$ \\\" \\\\ \\n kept\"\n"
              b"CONT=a\\\n"
              b"b\n"
              b"SPACES=  lead and trail  \n"
              b"NL=\"line1\nline2\"\n"
              b"; semicolon comment\n"
              b"no equals line\n"
              b"EMPTY=\n")
ENV_FILE_2 = b"BOTH=file2\nF2=two\n"


def fam_environment(ck):
    ck.start("merge-files-order")
    with Sandbox(T, "env") as sb:
        f1 = sb.write("files/env1", ENV_FILE_1)
        f2 = sb.write("files/env2", ENV_FILE_2)
        # Environment= lines merge in order, a later assignment of a name
        # replaces the earlier value (systemd.exec(5) Environment=).
        sb.unit("e.service", "[Service]\n"
                "Environment=A=1 \"B=two words\" SHARED=unit\n"
                "Environment=A=override 'C=x$y%%%%z' D=\n"
                "Environment=PATH=/custom/bin:/usr/bin\n"
                "Environment=GOOD=after-bad\n"
                "EnvironmentFile=-@ROOT@/files/missing\n"
                "EnvironmentFile=%s\nEnvironmentFile=%s\n"
                "UnsetEnvironment=D\n"
                "ExecStart=@PROBE@\n" % (f1, f2))
        unit_env = [probe_out(sb, "e"),
                    (b"A", b"override"), (b"B", b"two words"), (b"SHARED", b"unit"),
                    (b"C", b"x$y%z"), (b"D", b""),
                    (b"PATH", b"/custom/bin:/usr/bin"), (b"GOOD", b"after-bad")]
        if T.oracle_ok():
            _, oenv, _ = oracle(T, sb.path("units", "e.service"))
            ck.eq("oracle Environment= matches the test's model", oenv, unit_env,
                  "systemd --test dump")
        if sb.convert("e.service", ck=ck):
            sb.start()
            recs = sb.wait_for("e")
            if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
                r = recs[0]
                # EnvironmentFile= (env-file.c, porter reference §3.E): read
                # in order, files override Environment=, later files win;
                # '-' makes a missing file fine. Comments (# ;) and lines
                # without '=' are skipped, single quotes are literal, double
                # quotes keep \n but unescape \$ \" \\, a trailing backslash
                # continues, unquoted whitespace around the value is trimmed,
                # newlines inside quotes are kept.
                files = [(b"F1", b"from-file-1"), (b"SHARED", b"file1"), (b"BOTH", b"file2"),
                         (b"export_not", b"x"), (b"Q1", b"single $X \\n literal"),
                         (b"Q2", b"double $ \" \\ \\n kept"), (b"CONT", b"ab"),
                         (b"SPACES", b"lead and trail"), (b"NL", b"line1\nline2"),
                         (b"EMPTY", b""), (b"F2", b"two")]
                want = systemd_env(r, container=sb.base_env, unit_env=unit_env + files)
                # UnsetEnvironment=D removes D as the very last step.
                del want[b"D"]
                check_env(ck, r, want)

    ck.start("invalid-utf8-ignored")
    with Sandbox(T, "env-utf8") as sb:
        # "BAD=\xff" is not UTF-8: systemd ignores that one assignment
        # ("Invalid environment assignment, ignoring") and keeps the others
        # on the line; the service runs.
        sb.unit("u.service", "[Service]\n"
                "Environment=\"BAD=\\xff\" GOOD=after-bad \"CTRL=\\x01\\x1b\"\n"
                "ExecStart=@PROBE@\n")
        unit_env = [probe_out(sb, "u"), (b"GOOD", b"after-bad"), (b"CTRL", b"\x01\x1b")]
        if T.oracle_ok():
            _, oenv, _ = oracle(T, sb.path("units", "u.service"))
            ck.eq("oracle Environment= matches the test's model", oenv, unit_env,
                  "systemd --test dump")
        if sb.convert("u.service", ck=ck):
            sb.start()
            recs = sb.wait_for("u")
            if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
                check_env(ck, recs[0], systemd_env(recs[0], container=sb.base_env,
                                                   unit_env=unit_env))

    ck.start("missing-env-file-fails")
    with Sandbox(T, "env-missing") as sb:
        # Without '-', a missing EnvironmentFile= is a start failure: the
        # process is never executed (systemd.exec(5) EnvironmentFile=).
        sb.unit("m.service", "[Service]\nEnvironmentFile=@ROOT@/files/nope\n"
                "ExecStart=@PROBE@\n")
        if sb.convert("m.service", ck=ck):
            sb.start()
            recs = sb.wait_for("m", timeout=2.5)
            ck.eq("probe started", len(recs), 0, "systemd.exec(5) EnvironmentFile=")


# --- identity --------------------------------------------------------------

GROUP_LINES = ["klein-bh:x:4242:daemon,www-data"]


def gids(*names):
    import grp
    return sorted(grp.getgrnam(n).gr_gid for n in names)


def fam_identity(ck):
    # The namespace's /etc/group adds daemon and www-data to klein-bh (4242);
    # other memberships come from the host's file.
    import grp

    def member_gids(user, primary):
        # initgroups(user, primary): primary + every group listing the user
        out = {primary}
        with open(sb.group_file) as f:
            for line in f:
                p = line.rstrip("\n").split(":")
                if len(p) >= 4 and user in p[3].split(","):
                    out.add(int(p[2]))
        return sorted(out)

    with Sandbox(T, "ident", group_lines=GROUP_LINES) as sb:
        sb.unit("u.service", "[Service]\nUser=daemon\nExecStart=@PROBE@\n")
        sb.unit("g.service", "[Service]\nUser=daemon\nGroup=www-data\nExecStart=@PROBE@\n")
        sb.unit("s.service", "[Service]\nUser=www-data\nSupplementaryGroups=adm\n"
                "SupplementaryGroups=tty\nExecStart=@PROBE@\n")
        sb.unit("n.service", "[Service]\nUser=nobody\nExecStart=@PROBE@ --probe-tag=main\n"
                "ExecStartPre=@PROBE@ --probe-tag=pre\n"
                "ExecStartPre=+@PROBE@ --probe-tag=plus\n"
                "ExecStartPre=!@PROBE@ --probe-tag=bang\n")
        sb.unit("p.service", "[Service]\nUser=nobody\nPermissionsStartOnly=yes\n"
                "ExecStartPre=@PROBE@ --probe-tag=pre\nExecStart=@PROBE@ --probe-tag=main\n")
        if not sb.convert("u.service", "g.service", "s.service", "n.service", "p.service",
                          ck=ck):
            return
        sb.start()
        d = passwd("daemon")

        ck.start("user")
        recs = sb.wait_for("u")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            r = recs[0]
            # systemd.exec(5) User=: uid and the user's primary gid;
            # initgroups() gives all /etc/group memberships.
            ck.eq("uid/euid", (r["uid"], r["euid"]), (d.pw_uid, d.pw_uid), "User=")
            ck.eq("gid/egid", (r["gid"], r["egid"]), (d.pw_gid, d.pw_gid), "User=")
            ck.eq("groups", sorted(r["groups"]), member_gids("daemon", d.pw_gid),
                  "User=: initgroups() with the primary group")
            check_env(ck, r, systemd_env(r, container=sb.base_env,
                                         unit_env=[probe_out(sb, "u")], user="daemon"),
                      "systemd.exec(5): $USER $LOGNAME $HOME $SHELL set when User= is set")
            check_defaults(ck, r)

        ck.start("group")
        recs = sb.wait_for("g")
        if ck.ok("probe ran", bool(recs)):
            r = recs[0]
            w = grp.getgrnam("www-data").gr_gid
            ck.eq("gid/egid", (r["gid"], r["egid"]), (w, w), "Group=")
            # initgroups(user, Group=): the user's passwd gid is not added
            # (systemd#33654).
            ck.eq("groups", sorted(r["groups"]), sorted(
                set(member_gids("daemon", w))), "Group=: initgroups(user, group)")

        ck.start("supplementary")
        recs = sb.wait_for("s")
        if ck.ok("probe ran", bool(recs)):
            r = recs[0]
            w = passwd("www-data")
            ck.eq("uid", r["uid"], w.pw_uid, "User=")
            ck.eq("groups", sorted(r["groups"]),
                  sorted(set(member_gids("www-data", w.pw_gid)) | set(gids("adm", "tty"))),
                  "SupplementaryGroups= (a list; lines accumulate) added to initgroups()")

        ck.start("prefixes-plus-bang")
        recs = sb.wait_for("n", count=4)
        by = {r["tag"]: r for r in recs}
        nb = passwd("nobody")
        if ck.ok("all four lines ran", set(by) >= {"pre", "plus", "bang", "main"},
                 repr(sorted(by))):
            ck.eq("ExecStartPre as User=", by["pre"]["uid"], nb.pw_uid, "User=")
            ck.eq("'+' runs as root", (by["plus"]["uid"], by["plus"]["gid"]), (0, 0),
                  "systemd.service(5) '+': full privileges")
            ck.eq("'!' runs as root", (by["bang"]["uid"], by["bang"]["gid"]), (0, 0),
                  "systemd.service(5) '!': no user/group switch")
            ck.eq("main as User=", by["main"]["uid"], nb.pw_uid, "User=")
            ck.eq("order", [r["tag"] for r in recs], ["pre", "plus", "bang", "main"],
                  "ExecStartPre= lines run in order before ExecStart=")
            # '+'/'!' change credentials only: $USER etc. still name the
            # User= (exec-child sets the variables from the unit's User=).
            for tag in ("plus", "bang"):
                ck.eq("%s keeps USER=" % tag, dict(env_of(by[tag])).get(b"USER"), b"nobody",
                      "systemd.exec(5): $USER set for units with User=")
            # systemd.exec(5): $SYSTEMD_EXEC_PID is the pid of each unit
            # process; $INVOCATION_ID is "passed to all processes run as part
            # of the unit" -- one id for the whole start.
            for tag in ("pre", "plus", "bang", "main"):
                ck.eq("%s SYSTEMD_EXEC_PID" % tag, dict(env_of(by[tag])).get(b"SYSTEMD_EXEC_PID"),
                      str(by[tag]["pid"]).encode(), "systemd.exec(5) $SYSTEMD_EXEC_PID")
            ids = {dict(env_of(by[tag])).get(b"INVOCATION_ID") for tag in by}
            ck.ok("one INVOCATION_ID for all lines", len(ids) == 1 and None not in ids, repr(ids),
                  "systemd.exec(5) $INVOCATION_ID")

        ck.start("permissions-start-only")
        recs = sb.wait_for("p", count=2)
        by = {r["tag"]: r for r in recs}
        if ck.ok("both lines ran", set(by) >= {"pre", "main"}, repr(sorted(by))):
            ck.eq("ExecStartPre as root", by["pre"]["uid"], 0,
                  "PermissionsStartOnly=yes: only ExecStart= gets User=")
            ck.eq("ExecStart as User=", by["main"]["uid"], nb.pw_uid, "PermissionsStartOnly=")


# --- process attributes ----------------------------------------------------

def fam_process(ck):
    with Sandbox(T, "proc") as sb:
        wd = sb.path("files", "wd")
        os.makedirs(wd)
        sb.unit("w.service", "[Service]\nWorkingDirectory=%s\nUMask=0077\nNice=5\n"
                "OOMScoreAdjust=100\nLimitNOFILE=100:200\nLimitCORE=infinity\n"
                "LimitNPROC=300\nLimitSTACK=4M:16M\nIgnoreSIGPIPE=no\nExecStart=@PROBE@\n" % wd)
        sb.unit("d.service", "[Service]\nWorkingDirectory=-@ROOT@/files/absent\n"
                "ExecStart=@PROBE@\n")
        sb.unit("h.service", "[Service]\nUser=daemon\nWorkingDirectory=~\n"
                "LimitNOFILE=64\nExecStart=@PROBE@\n")
        sb.unit("f.service", "[Service]\nWorkingDirectory=@ROOT@/files/absent\n"
                "ExecStart=@PROBE@\n")
        sb.unit("z.service", "[Service]\nExecStart=@PROBE@\n")
        if not sb.convert("w.service", "d.service", "h.service", "f.service", "z.service",
                          ck=ck):
            return
        sb.start()

        ck.start("defaults")
        recs = sb.wait_for("z")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            check_defaults(ck, recs[0])
            check_env(ck, recs[0], systemd_env(recs[0], container=sb.base_env,
                                               unit_env=[probe_out(sb, "z")]))

        ck.start("attributes")
        recs = sb.wait_for("w")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            r = recs[0]
            ck.eq("cwd", r["cwd"], wd, "WorkingDirectory=")
            ck.eq("umask", r["umask"], "0077", "UMask=")
            ck.eq("nice", r["nice"], 5, "Nice= (absolute)")
            ck.eq("oom_score_adj", r["oom_score_adj"], "100", "OOMScoreAdjust=")
            # systemd.exec(5) Limit*=: "soft:hard"; one value sets both;
            # sizes take K/M/G (base 1024).
            lim = r["rlimits"]
            ck.eq("LimitNOFILE", lim["NOFILE"], [100, 200], "LimitNOFILE=100:200")
            ck.eq("LimitCORE", lim["CORE"], ["infinity", "infinity"], "LimitCORE=infinity")
            ck.eq("LimitNPROC", lim["NPROC"], [300, 300], "a single value sets soft and hard")
            ck.eq("LimitSTACK", lim["STACK"], [4 << 20, 16 << 20], "sizes base 1024")
            ck.eq("SigIgn", int(r["sigign"], 16), 0, "IgnoreSIGPIPE=no: SIGPIPE default")

        ck.start("working-directory-dash")
        recs = sb.wait_for("d")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            # '-': a missing directory is not fatal; the process stays in
            # the manager's cwd, which is / for PID 1.
            ck.eq("cwd", recs[0]["cwd"], "/", "WorkingDirectory=-PATH")

        ck.start("working-directory-home")
        recs = sb.wait_for("h")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            ck.eq("cwd", recs[0]["cwd"], passwd("daemon").pw_dir,
                  "WorkingDirectory=~: the home directory of User=")
            ck.eq("LimitNOFILE under User=", recs[0]["rlimits"]["NOFILE"], [64, 64],
                  "limits are set for the service whatever its user")

        ck.start("working-directory-missing")
        # Without '-' a missing directory fails the start (exit 200/CHDIR):
        # the process never runs.
        ck.eq("probe started", len(sb.wait_for("f", timeout=1.5)), 0, "WorkingDirectory=")


# --- directories -----------------------------------------------------------

def stat_of(sb, p):
    st = os.lstat(sb.ns_path(p))
    return (oct(st.st_mode & 0o7777), st.st_uid, st.st_gid)


def fam_directories(ck):
    d = passwd("daemon")
    with Sandbox(T, "dirs") as sb:
        if sb.private_dirs() != PRIVATE_DIRS:
            print("SKIP: the build or temp dir is under /var/lib, /var/cache or /var/log, "
                  "which this test must hide")
            sys.exit(77)
        sb.unit("r.service", "[Service]\nUser=daemon\nRuntimeDirectory=bh-rt bh-rt2/sub\n"
                "RuntimeDirectoryMode=0750\nStateDirectory=bh-state\nCacheDirectory=bh-cache\n"
                "LogsDirectory=bh-logs\nLogsDirectoryMode=0700\n"
                "ExecStart=@PROBE@ --probe-stay\n")
        sb.unit("k.service", "[Service]\nRuntimeDirectory=bh-keep\n"
                "RuntimeDirectoryPreserve=yes\nExecStart=@PROBE@ --probe-stay\n")
        if not sb.convert("r.service", "k.service", ck=ck):
            return
        sb.start()

        ck.start("created")
        recs = sb.wait_for("r")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            r = recs[0]
            # systemd.exec(5) RuntimeDirectory= etc.: created under /run,
            # /var/lib, /var/cache, /var/log, owned by User=/Group= with
            # *Mode= (default 0755); parents of nested names are root 0755.
            want = {"/run/bh-rt": ("0o750", d.pw_uid, d.pw_gid),
                    "/run/bh-rt2": ("0o755", 0, 0),
                    "/run/bh-rt2/sub": ("0o750", d.pw_uid, d.pw_gid),
                    "/var/lib/bh-state": ("0o755", d.pw_uid, d.pw_gid),
                    "/var/cache/bh-cache": ("0o755", d.pw_uid, d.pw_gid),
                    "/var/log/bh-logs": ("0o700", d.pw_uid, d.pw_gid)}
            for p, w in want.items():
                try:
                    got = stat_of(sb, p)
                except OSError as e:
                    got = str(e)
                ck.eq("mode/owner of " + p, got, w, "systemd.exec(5) RuntimeDirectory= ...Mode=")
            env = dict(env_of(r))
            for k, v in ((b"RUNTIME_DIRECTORY", b"/run/bh-rt:/run/bh-rt2/sub"),
                         (b"STATE_DIRECTORY", b"/var/lib/bh-state"),
                         (b"CACHE_DIRECTORY", b"/var/cache/bh-cache"),
                         (b"LOGS_DIRECTORY", b"/var/log/bh-logs")):
                ck.eq("env " + k.decode(), env.get(k), v,
                      "systemd.exec(5) $RUNTIME_DIRECTORY etc.: colon-separated absolute paths")

        ck.start("removed-on-stop")
        sb.wait_for("k")
        rc, out, _ = sb.sv("-w", "10", "down", "r")
        ck.eq("sv down r", rc, 0, out)
        rc, out, _ = sb.sv("-w", "10", "down", "k")
        ck.eq("sv down k", rc, 0, out)
        # finish may still be running when sv reports "down"
        deadline = time.monotonic() + 3
        while os.path.exists(sb.ns_path("/run/bh-rt")) and time.monotonic() < deadline:
            time.sleep(0.05)
        ck.ok("/run/bh-rt removed", not os.path.exists(sb.ns_path("/run/bh-rt")), "",
              "RuntimeDirectoryPreserve=no (default): removed when the service stops")
        ck.ok("/var/lib/bh-state kept", os.path.isdir(sb.ns_path("/var/lib/bh-state")), "",
              "StateDirectory= is never removed")
        ck.ok("/run/bh-keep kept", os.path.isdir(sb.ns_path("/run/bh-keep")), "",
              "RuntimeDirectoryPreserve=yes")


# --- stdio -----------------------------------------------------------------

def fam_stdio(ck):
    with Sandbox(T, "stdio") as sb:
        fo = sb.write("files/out.txt", b"X" * 30, 0o644)
        fa = sb.write("files/app.txt", b"old\n", 0o644)
        ft = sb.write("files/trunc.txt", b"Y" * 30, 0o644)
        fe = sb.path("files", "err.txt")
        sb.unit("o.service", "[Service]\nStandardOutput=file:%s\n"
                "ExecStart=@PROBE@ --probe-print=out1 --probe-eprint=err1\n" % fo)
        sb.unit("a.service", "[Service]\nStandardOutput=append:%s\n"
                "ExecStart=@PROBE@ --probe-print=out2 --probe-eprint=err2\n" % fa)
        sb.unit("t.service", "[Service]\nStandardOutput=truncate:%s\n"
                "ExecStart=@PROBE@ --probe-print=out3\n" % ft)
        sb.unit("n.service", "[Service]\nStandardOutput=null\nStandardError=file:%s\n"
                "ExecStart=@PROBE@ --probe-print=out4 --probe-eprint=err4\n" % fe)
        if not sb.convert("o.service", "a.service", "t.service", "n.service", ck=ck):
            return
        sb.start()
        for n in "oatn":
            sb.wait_for(n)
        time.sleep(0.3)

        def content(p):
            with open(p, "rb") as f:
                return f.read()

        ck.start("file")
        # file: opens without truncation, writing from offset 0; stderr
        # (inherit) shares the same open file description.
        ck.eq("file content", content(fo), b"out1\nerr1\n" + b"X" * 20,
              "systemd.exec(5) StandardOutput=file:")
        ck.start("append")
        ck.eq("file content", content(fa), b"old\nout2\nerr2\n", "StandardOutput=append:")
        ck.start("truncate")
        ck.eq("file content", content(ft), b"out3\n", "StandardOutput=truncate:")
        ck.start("null-and-stderr-file")
        recs = sb.records("n")
        if ck.ok("probe ran", bool(recs)):
            ck.eq("stdout", recs[0]["fds"].get("1"), "/dev/null", "StandardOutput=null")
            ck.eq("stderr", recs[0]["fds"].get("2"), fe, "StandardError=file:")
            ck.eq("stdin", recs[0]["fds"].get("0"), "/dev/null", "StandardInput= default null")
        ck.eq("stderr file", content(fe) if os.path.exists(fe) else None, b"err4\n",
              "StandardError=file: (created when missing)")


# --- Type=forking ----------------------------------------------------------

def fam_forking(ck):
    with Sandbox(T, "fork") as sb:
        sb.unit("f.service", "[Service]\nType=forking\nPIDFile=/run/bh-fork.pid\n"
                "ExecStart=@PROBE@ --probe-fork --probe-pidfile=/run/bh-fork.pid\n")
        sb.unit("g.service", "[Service]\nType=forking\n"
                "ExecStart=@PROBE@ --probe-fork\n")
        sb.unit("h.service", "[Service]\nType=forking\n"
                "ExecStart=@PROBE@ --probe-fork --probe-exit=1\n")
        if not sb.convert("f.service", "g.service", "h.service", ck=ck):
            return
        sb.start()
        ck.start("parent-fails")
        d = sb.wait_for("h", lambda r: r["event"] == "forked")
        if ck.ok("parent forked", bool(d), sb.output()[-1500:]):
            time.sleep(2.5)
            # The parent's non-zero exit fails the start; the unit goes to
            # "failed" and KillMode=control-group kills what it left behind;
            # Restart=no: no second start.
            starts = [r for r in sb.records("h") if r["event"] == "start"]
            ck.eq("started once", len(starts), 1, "Type=forking start failure, Restart=no")
            ck.ok("leftover daemon killed", not sb.alive(d[0]["child"]), "",
                  "systemd.kill(5) KillMode=control-group on failure")
        for name, rule in (("f", "Type=forking with PIDFile="),
                           ("g", "Type=forking without PIDFile= (GuessMainPID=yes)")):
            ck.start(name)
            d = sb.wait_for(name, lambda r: r["event"] == "daemon")
            if not ck.ok("daemon started", bool(d), sb.output()[-1500:]):
                continue
            time.sleep(2.5)
            starts = [r for r in sb.records(name) if r["event"] == "start"]
            # The parent's exit 0 completes the start; the daemon is the main
            # process and the service stays active: no restart.
            ck.eq("started once", len(starts), 1, "systemd.service(5) " + rule)
            ck.ok("daemon alive", sb.alive(d[0]["pid"]), "", rule)
            rc, out, _ = sb.sv("status", name)
            ck.ok("sv status up", out.startswith("run:"), out, rule)
            rc, out, _ = sb.sv("-w", "10", "down", name)
            sig = sb.wait_for(name, lambda r: r["event"] == "signal" and r["pid"] == d[0]["pid"],
                              timeout=3)
            ck.ok("stop sends TERM to the daemon",
                  any(s["name"] == "TERM" for s in sig), repr(sig),
                  "systemd.kill(5) KillSignal= default SIGTERM to the main process")
            time.sleep(0.3)
            ck.ok("daemon gone", not sb.alive(d[0]["pid"]), "", "stop")


# --- Type=notify -----------------------------------------------------------

def fam_notify(ck):
    with Sandbox(T, "notify") as sb:
        sb.unit("n.service", "[Service]\nType=notify\n"
                "ExecStart=@PROBE@ --probe-notify=1500 --probe-stay\n")
        # Never sends READY=1: the start times out.
        sb.unit("late.service", "[Service]\nType=notify\nTimeoutStartSec=1\n"
                "ExecStart=@PROBE@ --probe-tag=main --probe-stay\n"
                "ExecStopPost=@PROBE@ --probe-tag=post\n")
        if not sb.convert("n.service", "late.service", ck=ck):
            return
        sb.start()
        ck.start("ready")
        recs = sb.wait_for("n")
        if not ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            return
        env = dict(env_of(recs[0]))
        ck.ok("NOTIFY_SOCKET set", bool(env.get(b"NOTIFY_SOCKET")),
              repr(env.get(b"NOTIFY_SOCKET")), "systemd.exec(5) $NOTIFY_SOCKET for Type=notify")
        ck.eq("SYSTEMD_EXEC_PID", env.get(b"SYSTEMD_EXEC_PID"), str(recs[0]["pid"]).encode(),
              "systemd.exec(5) $SYSTEMD_EXEC_PID: the pid of the unit process")
        rc, out, secs = sb.sv("-w", "10", "start", "n")
        t1 = time.monotonic_ns()
        ready = sb.wait_for("n", lambda r: r["event"] == "ready", timeout=0.5)
        ck.eq("sv start", rc, 0, out)
        if ck.ok("READY=1 sent", bool(ready) and ready[0]["result"] == 0, repr(ready)):
            # systemd.service(5) Type=notify: the start completes only when
            # the service sends READY=1; `sv start` stands for the start job.
            # The probe cannot send READY=1 before 1.5 s after its start.
            early = recs[0]["t"] + 1_500_000_000 - t1
            ck.ok("sv start returned after READY=1", early <= 0,
                  "returned %.2fs before READY=1 could be sent" % (early / 1e9),
                  "Type=notify readiness")

        ck.start("start-timeout")
        # systemd.service(5) TimeoutStartSec=: "If a daemon service does not
        # signal start-up completion within the configured time, the service
        # will be considered failed"; its Result= is "timeout".
        post = sb.wait_for("late", lambda r: r["tag"] == "post" and r["event"] == "start",
                           timeout=8)
        if ck.ok("ExecStopPost ran", bool(post), sb.output()[-1500:]):
            env = dict(env_of(post[0]))
            ck.eq("SERVICE_RESULT", env.get(b"SERVICE_RESULT"), b"timeout",
                  "systemd.exec(5) $SERVICE_RESULT: timeout")
        # The finish writes it after ExecStopPost=; read inside the sandbox
        # (supervise/ is a link into its private /run).
        path = os.path.join(sb.sv_dir, "late", "supervise", "klein.result")
        result, deadline = "", time.monotonic() + 5
        while "RESULT=" not in result and time.monotonic() < deadline:
            result = sb.ns(["cat", path])[1]
            time.sleep(0.1)
        ck.ok("klein.result says timeout", "RESULT=timeout\n" in result, result,
              "docs/runtime.md: supervise/klein.result")


# --- Type=oneshot ----------------------------------------------------------

def fam_oneshot(ck):
    with Sandbox(T, "oneshot") as sb:
        sb.unit("o.service", "[Service]\nType=oneshot\n"
                "ExecStart=@PROBE@ --probe-tag=first\nExecStart=@PROBE@ --probe-tag=second\n")
        sb.unit("r.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                "ExecStart=@PROBE@ --probe-tag=start\nExecStop=@PROBE@ --probe-tag=stop\n")
        sb.unit("x.service", "[Service]\nType=oneshot\n"
                "ExecStart=@PROBE@ --probe-tag=fails --probe-exit=1\n"
                "ExecStart=@PROBE@ --probe-tag=never\n")
        if not sb.convert("o.service", "r.service", "x.service", ck=ck):
            return
        sb.start()
        time.sleep(3)

        ck.start("lines-in-order-once")
        tags = [r["tag"] for r in sb.records("o") if r["event"] == "start"]
        ck.eq("runs", tags, ["first", "second"],
              "systemd.service(5) Type=oneshot: every ExecStart= in order; then inactive")
        rc, out, _ = sb.sv("status", "o")
        ck.ok("sv status down", out.startswith("down:"), out, "Type=oneshot without RemainAfterExit")

        ck.start("remain-after-exit")
        tags = [r["tag"] for r in sb.records("r") if r["event"] == "start"]
        ck.eq("runs", tags, ["start"], "RemainAfterExit=yes: run once, stay active")
        rc, out, _ = sb.sv("status", "r")
        ck.ok("sv status up", out.startswith("run:"), out, "RemainAfterExit=yes: active (exited)")
        rc, out, _ = sb.sv("-w", "10", "down", "r")
        ck.eq("sv down", rc, 0, out)
        stop = sb.wait_for("r", lambda r: r["tag"] == "stop", timeout=3)
        ck.eq("ExecStop ran once", len(stop), 1, "ExecStop= runs when the unit is stopped")

        ck.start("failure-stops-the-list")
        tags = [r["tag"] for r in sb.records("x") if r["event"] == "start"]
        ck.eq("runs", tags, ["fails"],
              "Type=oneshot: the first failing ExecStart= (no '-') aborts; Restart=no")


# --- timers ----------------------------------------------------------------

def fam_timer(ck):
    """A .timer converted with its service: the service gets a down file and
    runs only when the timer's klein-svc timer starts it (docs/timers.md)."""
    with Sandbox(T, "timer") as sb:
        sb.unit("job.service", "[Service]\nType=oneshot\nExecStart=@PROBE@ --probe-tag=run\n")
        sb.write("units/job.timer", "[Timer]\nOnActiveSec=1\nOnUnitActiveSec=2\n")
        sb.unit("bad.service", "[Service]\nType=oneshot\n"
                "ExecStart=@PROBE@ --probe-tag=bad --probe-exit=3\n")
        sb.write("units/bad.timer", "[Timer]\nOnActiveSec=1\n")
        if not sb.convert("job.timer", "bad.timer", ck=ck):
            return
        ck.start("converted")
        ck.ok("target has a down file", os.path.exists(os.path.join(sb.sv_dir, "job", "down")),
              "", "the target is not started by runsvdir, only by the timer")
        run = sb.script("job.timer") or ""
        ck.ok("timer runs klein-svc timer", "klein-svc timer" in run and "--on-active '1'" in run
              and "--on-unit-active '2'" in run, run)
        sb.start()
        ck.start("runs")
        starts = sb.wait_for("job", count=3, timeout=20)
        ck.eq("three runs", len(starts), 3)
        # The probe's clock runs a little after the trigger (sh, exec), and
        # on a loaded machine one probe can lag more than the next: judge the
        # period by the span of two gaps (a lag moves only its own end), and
        # each gap only against running early (a CI run beside Docker builds
        # was seen to start the first probe 1 s late: gaps [0.95, 2.0]). That
        # the period counts from each start is svc.blackbox.timer's to check.
        gaps = [(b["t"] - a["t"]) / 1e9 for a, b in zip(starts, starts[1:])]
        ck.ok("OnUnitActiveSec=2 counts from each start",
              len(gaps) == 2 and 2.5 <= sum(gaps) <= 6.5 and all(g >= 0.5 for g in gaps),
              str(gaps), "systemd.timer(5): OnActiveSec= once, then OnUnitActiveSec= after "
              "each start")
        sb.wait_for("bad", count=1, timeout=10)
        rc, out, _ = sb.sv("status", sb.path("service", "job.timer"))
        ck.ok("the timer is a runit service", out.startswith("run:"), out)
        ck.start("failure")
        ck.eq("failing job ran once", len([r for r in sb.records("bad")
                                           if r["event"] == "start"]), 1)
        # systemd: "Main process exited, code=exited, status=3/NOTIMPLEMENTED"
        # and Result=exit-code; the timer logs the job's own status once the
        # job's finish has run.
        finished = re.compile(r"bad' finished: exit-code exited 3$", re.M)
        deadline = time.monotonic() + 10
        while not finished.search(sb.output()) and time.monotonic() < deadline:
            time.sleep(0.05)
        ck.ok("failure logged with its status", finished.search(sb.output()), sb.output(),
              "systemd.service(5): $EXIT_STATUS is the main process's exit status")
        ck.ok("next elapse logged", "next elapse:" in sb.output(), sb.output())


# --- restart policies ------------------------------------------------------

def fam_restart(ck):
    cases = {
        # name: (unit lines, probe exit, want restart?, rule)
        "no": ("Restart=no", 3, False, "Restart=no: never restarted"),
        "onfail": ("Restart=on-failure\nRestartSec=2", 1, True,
                   "Restart=on-failure: non-zero exit restarts after RestartSec="),
        "onfail0": ("Restart=on-failure", 0, False, "Restart=on-failure: a clean exit does not"),
        "success": ("Restart=on-failure\nSuccessExitStatus=42", 42, False,
                    "SuccessExitStatus=42: exit 42 is clean"),
        "prevent": ("Restart=always\nRestartPreventExitStatus=7", 7, False,
                    "RestartPreventExitStatus=7 overrides Restart=always"),
        "always": ("Restart=always\nRestartSec=1", 0, True, "Restart=always: restarts a clean exit"),
    }
    # '-' on the main command: a failure exit "is recorded, but has no
    # further effect and is considered equivalent to success"
    # (systemd.service(5) Table 1), so on-failure does not restart.
    dash = "Restart=on-failure\nExecStart=-@PROBE@ --probe-exit=1"
    with Sandbox(T, "restart") as sb:
        for name, (lines, code, _, _) in cases.items():
            sb.unit(name + ".service", "[Service]\n%s\nExecStart=@PROBE@ --probe-exit=%d\n"
                    % (lines, code))
        sb.unit("dash.service", "[Service]\n%s\n" % dash)
        # A failing ExecStartPre= (no '-') fails the start: ExecStart= never
        # runs (systemd.service(5) ExecStartPre=).
        sb.unit("pre.service", "[Service]\nExecStartPre=@PROBE@ --probe-tag=pre --probe-exit=1\n"
                "ExecStart=@PROBE@ --probe-tag=main\n")
        if not sb.convert(*[n + ".service" for n in cases], "dash.service", "pre.service",
                          ck=ck):
            return
        sb.start()
        time.sleep(4.5)
        for name, (_, code, restart, rule) in cases.items():
            ck.start(name)
            starts = [r for r in sb.records(name) if r["event"] == "start"]
            if not ck.ok("probe ran", bool(starts), sb.output()[-1500:]):
                continue
            if restart:
                ck.ok("restarted", len(starts) >= 2, "%d starts" % len(starts), rule)
            else:
                ck.eq("starts", len(starts), 1, rule)
                rc, out, _ = sb.sv("status", name)
                ck.ok("sv status down", out.startswith("down:"), out, rule)
        ck.start("nrestarts")
        # systemd's NRestarts=: the automatic restarts so far; the finish
        # records it with the result (docs/runtime.md, klein.result).
        def nrestarts(name):
            out = sb.ns(["cat", os.path.join(sb.sv_dir, name, "supervise", "klein.result")])[1]
            m = re.search(r"^NRESTARTS=(\d+)$", out, re.M)
            return int(m.group(1)) if m else None
        starts = [r for r in sb.records("always") if r["event"] == "start"]
        n = nrestarts("always")
        ck.ok("counts the restarts of Restart=always", n is not None and
              len(starts) - 1 <= n <= len(starts), "NRESTARTS=%r, %d starts" % (n, len(starts)),
              "systemd.service(5) NRestarts: automatic restarts")
        ck.eq("none for Restart=no", nrestarts("no"), 0, "Restart=no: never restarted")
        ck.start("dash")
        starts = [r for r in sb.records("dash") if r["event"] == "start"]
        ck.eq("starts", len(starts), 1, "'-' prefix: a failure counts as success")
        ck.start("pre-fails")
        tags = [r["tag"] for r in sb.records("pre") if r["event"] == "start"]
        ck.eq("runs", tags, ["pre"], "a failing ExecStartPre= fails the start; Restart=no")
        starts = [r for r in sb.records("onfail") if r["event"] == "start"]
        if len(starts) >= 2:
            gap = (starts[1]["t"] - starts[0]["t"]) / 1e9
            ck.ok("RestartSec=2 honoured", 2.0 <= gap < 4.0, "gap %.2fs" % gap,
                  "systemd.service(5) RestartSec=")
    restart_steps(ck)


def restart_steps(ck):
    # systemd.service(5) RestartSteps=/RestartMaxDelaySec= (254): the delay
    # grows from RestartSec= to RestartMaxDelaySec= in RestartSteps= steps,
    # RestartSec * (Max / RestartSec) ^ (n / Steps): here 1, 2, then 4 s.
    # systemd 252 does not know the keys: the delay stays 1 s.
    unit = ("[Service]\nRestart=on-failure\nRestartSec=1\nRestartSteps=2\n"
            "RestartMaxDelaySec=4\nRestartMode=direct\n[Unit]\nStartLimitIntervalSec=0\n"
            "[Service]\nExecStart=@PROBE@ --probe-exit=1\n")
    with Sandbox(T, "restart-steps") as sb:
        sb.unit("grow.service", unit)
        sb.unit("flat.service", unit)
        if not (sb.convert("grow.service", args=("--systemd", "257"), ck=ck) and
                sb.convert("flat.service", args=("--systemd", "252"), ck=ck)):
            return
        sb.start()
        sb.wait_for("grow", count=4, timeout=15)
        gaps = {}
        for name in ("grow", "flat"):
            ts = [r["t"] for r in sb.records(name) if r["event"] == "start"]
            gaps[name] = [(b - a) / 1e9 for a, b in zip(ts, ts[1:])]
        ck.start("restart-steps")
        g = gaps["grow"]
        if ck.ok("4 starts", len(g) >= 3, repr(g)):
            # Only differences: a loaded machine adds the same lag to each gap.
            ck.ok("delay grows", g[1] - g[0] >= 0.5 and g[2] - g[1] >= 1.5, repr(g),
                  "RestartSteps=2: 1 s, 2 s, then RestartMaxDelaySec=4")
        f = gaps["flat"]
        if ck.ok("flat restarts", len(f) >= 3, repr(f)):
            ck.ok("252: the delay stays RestartSec=", max(f[:3]) - min(f[:3]) < 0.9, repr(f),
                  "systemd 252: RestartSteps= is an unknown key")
        ck.start("restart-steps-reset")
        rc, out, _ = sb.sv("down", "grow")  # during the 4 s delay
        time.sleep(4.5)
        ck.ok("counter reset by a stop", not os.path.exists(
            sb.ns_path("/run/runit/supervise/grow/klein.restarts")), out,
              "n_restarts starts again after a start that is not an automatic restart")


# --- stop ------------------------------------------------------------------

def fam_stop(ck):
    with Sandbox(T, "stop") as sb:
        sb.unit("t.service", "[Service]\nTimeoutStopSec=2\n"
                "ExecStart=@PROBE@ --probe-stay --probe-survive=TERM\n")
        sb.unit("s.service", "[Service]\n"
                "ExecStart=@PROBE@ --probe-tag=main --probe-stay\n"
                "ExecStop=@PROBE@ --probe-tag=stop $MAINPID\n")
        # Survives both so that each delivery is observable (a process that
        # died of INT could not see the HUP sent right after it).
        sb.unit("k.service", "[Service]\nKillSignal=SIGINT\nSendSIGHUP=yes\n"
                "TimeoutStopSec=2\n"
                "ExecStart=@PROBE@ --probe-stay --probe-survive=HUP,INT\n")
        sb.unit("x.service", "[Service]\nExecStart=@PROBE@ --probe-tag=main --probe-exit=3\n"
                "ExecStopPost=@PROBE@ --probe-tag=post\n")
        sb.unit("y.service", "[Service]\nExecStart=@PROBE@ --probe-tag=main --probe-stay\n"
                "ExecStopPost=@PROBE@ --probe-tag=post\n")
        if not sb.convert("t.service", "s.service", "k.service", "x.service", "y.service",
                          ck=ck):
            return
        sb.start()

        # systemd.exec(5) $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS: set for
        # ExecStop= and ExecStopPost=; EXIT_STATUS is the exit code or the
        # signal name without "SIG"; a SIGTERM from the stop is "success".
        for name, want, why in (
                ("x", {b"SERVICE_RESULT": b"exit-code", b"EXIT_CODE": b"exited",
                       b"EXIT_STATUS": b"3"}, "main exited 3"),
                ("y", {b"SERVICE_RESULT": b"success", b"EXIT_CODE": b"killed",
                       b"EXIT_STATUS": b"TERM"}, "stopped with SIGTERM")):
            ck.start("stop-post-" + name)
            if name == "y" and sb.wait_for("y"):
                sb.sv("-w", "10", "down", "y")
            post = sb.wait_for(name, lambda r: r["tag"] == "post" and r["event"] == "start",
                               timeout=5)
            if ck.ok("ExecStopPost ran", bool(post), sb.output()[-1500:]):
                env = dict(env_of(post[0]))
                ck.eq("result variables (%s)" % why,
                      {k: env.get(k) for k in want}, want,
                      "systemd.exec(5) $SERVICE_RESULT $EXIT_CODE $EXIT_STATUS")

        ck.start("escalation")
        recs = sb.wait_for("t")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            pid = recs[0]["pid"]
            rc, out, secs = sb.sv("-w", "15", "down", "t")
            sigs = [r["name"] for r in sb.records("t") if r["event"] == "signal"]
            ck.ok("TERM delivered", "TERM" in sigs, repr(sigs), "KillSignal= default SIGTERM")
            ck.ok("killed after TimeoutStopSec", 1.8 <= secs < 7, "sv down took %.2fs" % secs,
                  "systemd.kill(5)/service(5): SIGKILL after TimeoutStopSec=2")
            ck.ok("process gone", not sb.alive(pid), "", "SendSIGKILL=yes (default)")
            ck.eq("sv down", rc, 0, out)

        ck.start("exec-stop")
        recs = sb.wait_for("s", lambda r: r["tag"] == "main")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            pid = recs[0]["pid"]
            rc, out, secs = sb.sv("-w", "10", "down", "s")
            stop = sb.wait_for("s", lambda r: r["tag"] == "stop" and r["event"] == "start",
                               timeout=2)
            if ck.ok("ExecStop ran", bool(stop), sb.output()[-1500:]):
                ck.eq("ExecStop argv $MAINPID", argv_of(stop[0])[1:],
                      [b"--probe-tag=stop", str(pid).encode()],
                      "systemd.exec(5) $MAINPID for control processes")
                ck.eq("ExecStop env MAINPID", dict(env_of(stop[0])).get(b"MAINPID"),
                      str(pid).encode(), "$MAINPID")
                sig = [r for r in sb.records("s") if r["event"] == "signal"]
                if sig:
                    ck.ok("ExecStop ran before the kill signal", stop[0]["t"] < sig[0]["t"],
                          "", "systemd.service(5) ExecStop=: then KillSignal= to what is left")
            ck.ok("main gone", not sb.alive(pid), "")

        ck.start("kill-signal")
        recs = sb.wait_for("k")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            rc, out, secs = sb.sv("-w", "10", "down", "k")
            sigs = [r["name"] for r in sb.records("k") if r["event"] == "signal"]
            # systemd.kill(5): KillSignal=, then SIGHUP right after
            # (SendSIGHUP=yes); never SIGTERM. Both are pending together,
            # and the kernel delivers the lower number (HUP) first, so the
            # order is not observable -- under systemd either.
            ck.ok("INT delivered", "INT" in sigs, repr(sigs), "KillSignal=SIGINT")
            ck.ok("HUP delivered", "HUP" in sigs, repr(sigs), "SendSIGHUP=yes")
            ck.ok("no TERM", "TERM" not in sigs, repr(sigs), "KillSignal=SIGINT replaces SIGTERM")


# --- reload ----------------------------------------------------------------

def fam_reload(ck):
    with Sandbox(T, "reload") as sb:
        sb.unit("r.service", "[Service]\n"
                "ExecStart=@PROBE@ --probe-tag=main --probe-stay\n"
                "ExecReload=@PROBE@ --probe-tag=reload $MAINPID\n")
        sb.unit("h.service", "[Service]\n"
                "ExecStart=@PROBE@ --probe-tag=main --probe-stay --probe-survive=HUP\n"
                "ExecReload=/bin/kill -HUP $MAINPID\n")
        if not sb.convert("r.service", "h.service", ck=ck):
            return
        sb.start()
        ck.start("exec-reload")
        recs = sb.wait_for("r")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            pid = recs[0]["pid"]
            rc, out, _ = sb.sv("reload", "r")
            ck.eq("sv reload", rc, 0, out)
            rl = sb.wait_for("r", lambda r: r["tag"] == "reload", timeout=3)
            if ck.ok("ExecReload ran", bool(rl)):
                ck.eq("argv $MAINPID", argv_of(rl[0])[-1], str(pid).encode(),
                      "systemd.exec(5) $MAINPID")
                ck.eq("env MAINPID", dict(env_of(rl[0])).get(b"MAINPID"), str(pid).encode(),
                      "$MAINPID")
            time.sleep(0.3)
            sigs = [r for r in sb.records("r") if r["event"] == "signal"]
            ck.eq("main process got no signal", sigs, [],
                  "ExecReload= replaces any signal; the main process keeps running")
            ck.ok("main alive", sb.alive(pid), "")
        ck.start("kill-hup-mainpid")
        recs = sb.wait_for("h")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            pid = recs[0]["pid"]
            rc, out, _ = sb.sv("reload", "h")
            time.sleep(0.5)
            sigs = [r["name"] for r in sb.records("h") if r["event"] == "signal"]
            ck.eq("one HUP", sigs, ["HUP"], "ExecReload=/bin/kill -HUP $MAINPID")
            ck.ok("main alive", sb.alive(pid), "")
    notify_reload(ck)


def notify_reload(ck):
    # systemd.service(5) Type=notify-reload (253): the reload sends
    # ReloadSignal= to the main process and completes when the service has
    # sent RELOADING=1 and then READY=1; TimeoutStartSec= bounds it.
    with Sandbox(T, "notify-reload") as sb:
        sb.unit("nr.service", "[Service]\nType=notify-reload\nReloadSignal=SIGUSR1\n"
                "ExecStart=@PROBE@ --probe-notify=0 --probe-stay --probe-reload=USR1:1000\n")
        sb.unit("nt.service", "[Service]\nType=notify-reload\nTimeoutStartSec=1\n"
                "ExecStart=@PROBE@ --probe-notify=0 --probe-stay --probe-survive=HUP\n")
        if not sb.convert("nr.service", "nt.service", args=("--systemd", "257"), ck=ck):
            return
        sb.start()
        ck.start("notify-reload")
        recs = sb.wait_for("nr")
        rc, out, _ = sb.sv("-w", "10", "start", "nr")
        if not ck.ok("started", rc == 0 and bool(recs), out + sb.output()[-1500:]):
            return
        pid = recs[0]["pid"]
        rc, out, _ = sb.ns(["sh", "-c", "cd %s && exec ./control/h" % sh_quote(
            os.path.join(sb.sv_dir, "nr"))])
        t1 = time.monotonic_ns()
        done = sb.wait_for("nr", lambda r: r["event"] == "reloaded", timeout=0.5)
        ck.ok("reload completed", bool(done) and done[0]["result"] == 0 and
              "reload failed" not in out, out, "RELOADING=1, then READY=1")
        if done:
            ck.ok("reload waited for READY=1", done[0]["t"] <= t1,
                  "returned %.2fs before READY=1" % ((done[0]["t"] - t1) / 1e9),
                  "the reload job ends with READY=1")
        sigs = [r["name"] for r in sb.records("nr") if r["event"] == "signal"]
        ck.eq("signal", sigs, ["USR1"], "ReloadSignal=SIGUSR1, sent to the main process")
        rc, out, _ = sb.sv("reload", "nr")  # through runsv: control/h, no HUP of its own
        again = sb.wait_for("nr", lambda r: r["event"] == "reloaded", count=2, timeout=5)
        ck.eq("sv reload reloads", len(again), 2, out)
        ck.ok("main alive", sb.alive(pid), "")
        ck.start("notify-reload-timeout")
        recs = sb.wait_for("nt")
        rc, out, _ = sb.sv("-w", "10", "start", "nt")
        if ck.ok("started", rc == 0 and bool(recs), out):
            rc, out, _ = sb.ns(["sh", "-c", "cd %s && exec ./control/h" % sh_quote(
                os.path.join(sb.sv_dir, "nt"))])
            ck.ok("reload failed", "reload failed" in out and "timed out" in out, out,
                  "TimeoutStartSec= bounds the reload; the service keeps running")
            sigs = [r["name"] for r in sb.records("nt") if r["event"] == "signal"]
            ck.eq("signal", sigs, ["HUP"], "ReloadSignal= defaults to SIGHUP")
            ck.ok("main alive", sb.alive(recs[0]["pid"]), "")


# --- dependencies ----------------------------------------------------------

def fam_dependencies(ck):
    with Sandbox(T, "deps") as sb:
        sb.unit("bh-a.service", "[Service]\nType=notify\n"
                "ExecStart=@PROBE@ --probe-notify=1500 --probe-stay\n")
        sb.unit("bh-b.service", "[Unit]\nRequires=bh-a.service\nAfter=bh-a.service\n"
                "[Service]\nExecStart=@PROBE@ --probe-stay\n")
        if not sb.convert("bh-a.service", "bh-b.service", ck=ck):
            return
        sb.start()
        ck.start("after-requires")
        ready = sb.wait_for("bh-a", lambda r: r["event"] == "ready", timeout=8)
        bs = sb.wait_for("bh-b", timeout=8)
        if ck.ok("A ready", bool(ready), sb.output()[-1500:]) and \
                ck.ok("B ran", bool(bs), sb.output()[-1500:]):
            # systemd.unit(5) After=: B's start job waits until A's start job
            # completed, which for Type=notify is READY=1.
            ck.ok("B started after A was ready", bs[0]["t"] > ready[0]["t"],
                  "B %.2fs before A's READY=1" % ((ready[0]["t"] - bs[0]["t"]) / 1e9),
                  "After=/Requires=")


# --- klein-init as PID 1 ---------------------------------------------------

def fam_init(ck):
    if not T.init:
        print("SKIP: klein-init not built")
        sys.exit(77)
    with Sandbox(T, "init", init=True) as sb:
        sb.unit("i.service", "[Service]\nUser=daemon\nEnvironment=\"A=1 2\"\n"
                "ExecStart=@PROBE@ ${A} $A\n")
        if not sb.convert("i.service", ck=ck):
            return
        sb.start()
        ck.start("simple-under-klein-init")
        recs = sb.wait_for("i")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            r = recs[0]
            ck.eq("argv", argv_of(r)[1:], [b"1 2", b"1", b"2"], "replace_env_argv")
            ck.eq("uid", r["uid"], 1, "User=daemon")
            check_env(ck, r, systemd_env(r, container=sb.base_env, user="daemon",
                                         unit_env=[probe_out(sb, "i"), (b"A", b"1 2")]))
            check_defaults(ck, r)


# --- property: random argv and environment --------------------------------

def exec_quote(word):
    """One Exec word in double quotes that systemd reads back as `word`
    (bytes): C escapes for \\ " and non-printables, $$ for $, %% for %."""
    out = '"'
    for c in word:
        ch = chr(c)
        if ch == "\\":
            out += "\\\\"
        elif ch == '"':
            out += '\\"'
        elif ch == "$":
            out += "$$"
        elif ch == "%":
            out += "%%"
        elif c < 0x20 or c >= 0x7f:
            out += "\\x%02x" % c
        else:
            out += ch
    return out + '"'


def env_quote(name, value):
    """One Environment= word; no $ expansion happens there, % is a specifier."""
    out = '"' + name + "="
    for c in value:
        ch = chr(c)
        if ch in '\\"':
            out += "\\" + ch
        elif ch == "%":
            out += "%%"
        elif c < 0x20 or c >= 0x7f:
            out += "\\x%02x" % c
        else:
            out += ch
    return out + '"'


def rand_bytes(rng, n):
    special = b"$%\\\"' ;{}\t\n:-@+!"
    return bytes(rng.choice(special) if rng.random() < 0.3 else rng.randint(1, 255)
                 for _ in range(n))


def rand_utf8(rng, n):
    # Environment values must be valid UTF-8 (systemd ignores others, see the
    # environment family); every byte 1..127 and U+0080..U+00FF occurs, plus
    # some wider characters.
    chars = []
    for _ in range(n):
        x = rng.random()
        if x < 0.3:
            chars.append(chr(rng.choice(b"$%\\\"' ;{}\t\n=")))
        elif x < 0.7:
            chars.append(chr(rng.randint(1, 127)))
        elif x < 0.9:
            chars.append(chr(rng.randint(0x80, 0xff)))
        else:
            chars.append(chr(rng.choice([0x20ac, 0x4e2d, 0x1f600, 0xfffd, 0x10ffff - 2])))
    return "".join(chars).encode()


def fam_property(ck):
    seed = int(os.environ.get("KLEIN_BH_SEED", "20240607"))
    n = int(os.environ.get("KLEIN_BH_ITER", "24"))
    print("property seed=%d iterations=%d (KLEIN_BH_SEED/KLEIN_BH_ITER to change)" % (seed, n))
    rng = random.Random(seed)
    cases = []
    with Sandbox(T, "prop") as sb:
        # First a fixed case with every byte 1..255 in one argv word (and
        # each alone), and every character U+0001..U+00FF in one value.
        every = bytes(range(1, 256))
        allchars = "".join(chr(c) for c in range(1, 256)).encode()
        words = [every] + [bytes([c]) for c in range(1, 256)]
        env = [("PALL", allchars)]
        text = "[Service]\nEnvironment=%s\n" % env_quote("PALL", allchars)
        text += "ExecStart=@PROBE@ fixed " + " ".join(exec_quote(w) for w in words) + "\n"
        sb.unit("pall.service", text)
        cases.append(("pall", words, env))
        for i in range(n):
            words = [rand_bytes(rng, rng.randint(0, 12)) for _ in range(rng.randint(1, 6))]
            env = [("P%d_%d" % (i, j), rand_utf8(rng, rng.randint(0, 12)))
                   for j in range(rng.randint(1, 4))]
            text = "[Service]\n"
            text += "".join("Environment=%s\n" % env_quote(k, v) for k, v in env)
            text += "ExecStart=@PROBE@ fixed " + " ".join(exec_quote(w) for w in words) + "\n"
            name = "p%d" % i
            sb.unit(name + ".service", text.encode("latin-1").decode("latin-1"))
            cases.append((name, words, env))
        if T.oracle_ok():
            # Our quoting, read by systemd itself: the load-time words must be
            # the random ones with `$` doubled (expanded back at exec time).
            ck.start("quoting-vs-oracle")
            for name, words, env in cases[:9]:
                cmds, oenv, diags = oracle(T, sb.path("units", name + ".service"))
                want = [T.probe.encode(), b"fixed"] + [w.replace(b"$", b"$$") for w in words]
                ck.eq("oracle argv of " + name, cmds.get("ExecStart", [None])[0], want,
                      "systemd --test dump")
                # the dump prints values raw: a newline breaks its line
                nl = {k.encode() for k, v in env if b"\n" in v}
                ck.eq("oracle env of " + name,
                      [(k, v) for k, v in oenv if k != b"PROBE_OUT" and k not in nl],
                      [(k.encode(), v) for k, v in env if k.encode() not in nl],
                      "systemd --test dump")
        if not sb.convert(*[c[0] + ".service" for c in cases], ck=ck):
            return
        sb.start()
        for name, words, env in cases:
            ck.start(name)
            recs = sb.wait_for(name)
            if not ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
                continue
            ck.eq("argv", argv_of(recs[0])[2:], words, "systemd.service(5) quoting, seed %d" % seed)
            got = dict(env_of(recs[0]))
            for k, v in env:
                ck.eq("env " + k, got.get(k.encode()), v, "Environment=, seed %d" % seed)


FAMILIES = {
    "argv": (fam_argv, True), "environment": (fam_environment, True),
    "identity": (fam_identity, True), "process": (fam_process, True),
    "directories": (fam_directories, True), "stdio": (fam_stdio, True),
    "forking": (fam_forking, True), "notify": (fam_notify, True),
    "oneshot": (fam_oneshot, True), "restart": (fam_restart, True),
    "stop": (fam_stop, True), "reload": (fam_reload, True),
    "dependencies": (fam_dependencies, True), "init": (fam_init, True),
    "property": (fam_property, True), "timer": (fam_timer, True),
    "credentials": (lambda ck: fam_creds.fam_credentials(ck, T, Sandbox), True),
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in FAMILIES:
        print("usage: behaviour.py {%s}" % ",".join(FAMILIES), file=sys.stderr)
        return 2
    fn, need_svc = FAMILIES[sys.argv[1]]
    T.require(svc=need_svc)
    ck = Checker(sys.argv[1])
    fn(ck)
    ck.finish()


if __name__ == "__main__":
    sys.exit(main())
