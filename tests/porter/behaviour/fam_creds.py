# SPDX-License-Identifier: MIT
"""behaviour.credentials: LoadCredential=, SetCredential=, ImportCredential=
($CREDENTIALS_DIRECTORY) and OpenFile= (LISTEN_FDS), as systemd.exec(5) and
systemd 253+ pass them, seen by the probe running as User=."""
import os
import time

from harness import env_of, passwd

O_ACCMODE, O_RDWR, O_APPEND = 0o3, 0o2, 0o2000


def result(sb, svc):
    """supervise/klein.result of a service (the finish script writes it)."""
    try:
        with open(sb.ns_path("/run/runit/supervise/%s/klein.result" % svc)) as f:
            return dict(l.split("=", 1) for l in f.read().split())
    except OSError:
        return {}


def wait_result(sb, svc, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = result(sb, svc)
        if r:
            return r
        time.sleep(0.05)
    return {}


def fam_credentials(ck, T, Sandbox):
    d = passwd("daemon")
    with Sandbox(T, "creds") as sb:
        src = sb.write("files/secret", b"s3cret\n", 0o600)  # root's: the service cannot read it
        sb.write("files/tree/a", b"A", 0o600)
        sb.write("files/tree/sub/b", b"B", 0o600)
        tree = sb.path("files", "tree")
        cfg = sb.write("files/app.conf", b"conf\n", 0o644)
        log = sb.write("files/app.log", b"old\n", 0o644)
        sb.extra_setup = [
            "mkdir -p /run/credstore /run/credstore.encrypted",
            "printf store > /run/credstore/store.key",
            "printf one > /run/credstore/imp.one",
            "printf two > /run/credstore/imp.two",
            "printf enc > /run/credstore.encrypted/imp.enc",
            "chmod 0600 /run/credstore/*",
        ]
        sb.unit("c.service", "[Service]\nUser=daemon\n"
                "LoadCredential=secret:%s\nLoadCredential=tree:%s\nLoadCredential=store.key\n"
                "LoadCredential=absent.key\n"
                "SetCredential=secret:shadowed\nSetCredential=lit:a\\x00b\\n\n"
                "ImportCredential=imp.*\n"
                "LoadCredentialEncrypted=enc:/etc/credstore.encrypted/enc\n"
                "OpenFile=%s:cfg:read-only\nOpenFile=%s::append\n"
                "OpenFile=/nonexistent/bh-file::graceful\n"
                "ExecStartPre=+/bin/sh -c 'printf late > /run/credstore/late.key'\n"
                "LoadCredential=late.key\n"
                "ExecStart=@PROBE@ --probe-stay\n" % (src, tree, cfg, log))
        sb.unit("m.service", "[Service]\nLoadCredential=gone:/nonexistent/bh-cred\n"
                "ExecStart=@PROBE@\n")
        sb.unit("f.service", "[Service]\nLoadCredential=gone:/nonexistent/bh-cred\n"
                "SetCredential=gone:fallback\nExecStart=@PROBE@\n")
        sb.unit("o.service", "[Service]\nOpenFile=/nonexistent/bh-file\nExecStart=@PROBE@\n")
        if not sb.convert("c.service", "m.service", "f.service", "o.service",
                          args=("--systemd", "257"), ck=ck):
            return
        sb.start()

        ck.start("credentials-directory")
        recs = sb.wait_for("c")
        if ck.ok("probe ran", bool(recs), sb.output()[-1500:]):
            r = recs[0]
            env = dict(env_of(r))
            ck.eq("$CREDENTIALS_DIRECTORY", env.get(b"CREDENTIALS_DIRECTORY"),
                  b"/run/credentials/c.service",
                  "systemd.exec(5) $CREDENTIALS_DIRECTORY: /run/credentials/UNIT")
            c = r["creds"] or {}
            ck.eq("directory mode/owner", (c.get("mode"), c.get("uid")), ("0500", d.pw_uid),
                  "exec-credential.c: read-only, accessible to User= only")
            files = c.get("files", {})
            want = {"secret": "s3cret\\u000a", "tree_a": "A", "tree_sub_b": "B",
                    "store.key": "store", "lit": "a\\u0000b\\u000a", "imp.one": "one",
                    "imp.two": "two", "late.key": "late"}
            got = {k: v.get("data") for k, v in files.items()}
            want = {k: v.encode().decode("unicode_escape") for k, v in want.items()}
            ck.eq("credentials (read as User=)", got, want,
                  "LoadCredential= (file, directory as ID_PATH, store name), SetCredential= "
                  "only as a fallback, ImportCredential= from /run/credstore, written afresh "
                  "before ExecStart= (late.key made by ExecStartPre=); encrypted ones are "
                  "dropped, a missing store name is skipped")
            ck.eq("file modes/owners", sorted({(v["mode"], v["uid"]) for v in files.values()}),
                  [("0400", d.pw_uid)], "exec-credential.c write_credential(): 0400, User=")

        ck.start("open-file")
        if recs:
            r = recs[0]
            env = dict(env_of(r))
            ck.eq("LISTEN_FDS/LISTEN_FDNAMES",
                  (env.get(b"LISTEN_FDS"), env.get(b"LISTEN_FDNAMES"),
                   env.get(b"LISTEN_PID") == str(r["pid"]).encode()),
                  (b"2", b"cfg:app.log", True),
                  "systemd.exec(5) OpenFile=: fds 3.. named FDNAME (default the file name); "
                  "graceful skips a missing file")
            ck.eq("fds", (r["fds"].get("3"), r["fds"].get("4")), (cfg, log),
                  "OpenFile= opened as root before dropping privileges")
            fl = {k: int(v, 8) for k, v in r["fdflags"].items()}
            ck.eq("flags", (fl.get("3", -1) & O_ACCMODE, fl.get("4", 0) & (O_ACCMODE | O_APPEND)),
                  (0, O_RDWR | O_APPEND), "read-only: O_RDONLY; append: O_RDWR|O_APPEND")

        ck.start("missing-source")
        res = wait_result(sb, "m")
        ck.eq("result", (res.get("EXIT_CODE"), res.get("EXIT_STATUS")), ("exited", "243"),
              "a missing LoadCredential= file fails the start: 243/CREDENTIALS")
        ck.eq("probe never ran", sb.records("m"), [], "")
        recs = sb.wait_for("f")
        ck.ok("SetCredential= fallback", bool(recs) and
              (recs[0]["creds"] or {}).get("files", {}).get("gone", {}).get("data") == "fallback",
              str(recs[:1])[:500], "a SetCredential= of the same ID makes a missing file fine")
        res = wait_result(sb, "o")
        ck.eq("OpenFile= missing", (res.get("EXIT_CODE"), res.get("EXIT_STATUS")),
              ("exited", "202"), "a missing OpenFile= without graceful fails: 202/FDS")

        ck.start("removed-on-stop")
        rc, out, _ = sb.sv("-w", "10", "down", "c")
        ck.eq("sv down c", rc, 0, out)
        p = sb.ns_path("/run/credentials/c.service")
        deadline = time.monotonic() + 3
        while os.path.exists(p) and time.monotonic() < deadline:
            time.sleep(0.05)
        ck.ok("/run/credentials/c.service removed", not os.path.exists(p), "",
              "unit_destroy_runtime_data(): the credentials go when the service stops")
