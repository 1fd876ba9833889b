#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""klein-systemctl at run time, black-box: units converted by klein-porter run
under runsvdir in a private PID namespace (the behaviour harness); every verb's
output shape and exit code is checked against systemctl(1)'s table."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "porter",
                                "behaviour"))
from harness import Checker, Sandbox, Tools  # noqa: E402

CTL = os.environ.get("KLEIN_SYSTEMCTL", "")

UNITS = {
    "web": """[Unit]
Description=Web test daemon
[Service]
ExecStart=/bin/sh -c 'trap "echo hup >>@ROOT@/files/web.hup" HUP; while :; do sleep 0.2; done'
ExecReload=/bin/sh -c 'echo reload >>@ROOT@/files/web.reload'
[Install]
WantedBy=multi-user.target
""",
    "plain": """[Service]
ExecStart=/bin/sleep 1000
""",
    "crash": """[Unit]
Description=Crashes with exit 3
[Service]
ExecStart=/bin/sh -c 'sleep 0.3; exit 3'
Restart=no
""",
    "once": """[Service]
Type=oneshot
ExecStart=/bin/true
""",
    "bad": """[Service]
ExecStartPre=/bin/false
ExecStart=/bin/sleep 1000
""",
    "later": """[Service]
ExecStart=/bin/sleep 1000
""",
    "talk": """[Service]
ExecStart=/bin/sh -c 'echo "talk says hello"; echo "talk to stderr" >&2; exec sleep 1000'
""",
    # Ready 1.5 s after it starts (READY=1; the parent's exit): a start waits for it.
    "ready": """[Service]
Type=notify
ExecStart=@PROBE@ --probe-out=@REC@ --probe-notify=1500 --probe-stay
""",
    "fork": """[Service]
Type=forking
PIDFile=@ROOT@/files/fork.pid
ExecStart=@PROBE@ --probe-out=@REC@ --probe-fork --probe-pidfile=@ROOT@/files/fork.pid --probe-sleep=1500
""",
    # A main process with a child of its own: kill (--kill-whom=all) reaches both.
    "family": """[Service]
ExecStart=/bin/sh @ROOT@/files/family.sh
""",
}

FAMILY_SH = """trap 'echo main >>@ROOT@/files/family.hup' HUP
sh -c 'trap "echo child >>@ROOT@/files/family.hup" HUP; while :; do sleep 0.2; done' &
while :; do sleep 0.2; done
"""

# A runit service written by hand (no unit file, no .klein-porter): runit's own
# semantics (sv up/down, HUP for reload).
HAND_RUN = """#!/bin/sh
exec 2>&1
trap 'echo hup >>@ROOT@/files/hand.hup' HUP
echo "hand says hi"
while :; do sleep 0.2; done
"""

# On the search path (a private /lib/systemd/system in the namespace), so that
# enable/disable/mask act on it; converted with --no-enable.
TOGGLE = """[Unit]
Description=Toggled at run time
[Service]
ExecStart=/bin/sleep 1000
[Install]
WantedBy=multi-user.target
"""

# A private /etc/systemd/system and /lib/systemd/system in the namespace: the
# run-time enable/mask write links there, never on the machine.
PRIVATE_UNIT_DIRS = """if [ -d /etc/systemd/system ] && [ -d /lib/systemd/system ]; then
  mount -t tmpfs -o mode=0755 klein-bh /etc/systemd/system
  mount -t tmpfs -o mode=0755 klein-bh /lib/systemd/system
  cp @ROOT@/units/toggle.service /lib/systemd/system/toggle.service
  printf '[Unit]\nDescription=Multi-User System\n' >/lib/systemd/system/multi-user.target
  : >/run/klein-bh-unit-dirs
fi"""

# porter.conf log_dir: the log/run names the directory, journalctl and status find it.
KEPT_CONF = """log_dir = "/var/log/klein"
log_max_size = "64K"
"""

# Sockets and timers: each is a runit service named after its unit.
OTHER_UNITS = {
    "lsn.socket": """[Unit]
Description=Listening test socket
[Socket]
ListenStream=@ROOT@/files/lsn.sock
""",
    "lsn.service": """[Service]
ExecStart=/bin/sleep 1000
""",
    "far.timer": """[Unit]
Description=Far future timer
[Timer]
OnCalendar=2099-01-01
""",
    "far.service": """[Service]
Type=oneshot
ExecStart=/bin/true
""",
    "soon.timer": """[Timer]
OnActiveSec=1
Unit=soon-job.service
""",
    "soon-job.service": """[Service]
ExecStart=/bin/sleep 1000
""",
}

# Read as systemd 257 (Type=notify-reload is 253+): ready at once, and its
# reload never sends RELOADING=1, so the reload job times out.
UNITS_257 = {
    "mute": """[Service]
Type=notify-reload
TimeoutStartSec=1
ExecStart=@PROBE@ --probe-notify=0 --probe-stay --probe-survive=HUP
""",
}


class Ctl:
    def __init__(self, sb):
        self.sb = sb

    def __call__(self, *args, user=None, env=()):
        sb = self.sb
        pre = ["env", "KLEIN_SERVICE_DIR=" + sb.service_dir, "KLEIN_SV_DIR=" + sb.sv_dir,
               "KLEIN_LOG_DIR=" + sb.path("files", "log"),
               "KLEIN_PORTER=" + sb.t.porter, "ASAN_OPTIONS=detect_leaks=0"] + list(env)
        if user:
            pre = ["setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups"] + pre
        r = sb.ns(pre + [CTL] + list(args), timeout=60)
        return r[0], r[1]


def sv_pid(sb, name):
    rc, out, _ = sb.sv("status", name)
    m = re.search(r"\(pid (\d+)\)", out)
    return int(m.group(1)) if m else None


def wait(pred, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def read(sb, rel):
    try:
        with open(sb.path(rel)) as f:
            return f.read()
    except OSError:
        return ""


def check_queries(ck, sb, ctl):
    ck.start("is-active/is-failed")
    ck.eq("is-active web", ctl("is-active", "web"), (0, "active\n"))
    ck.eq("is-active unknown", ctl("is-active", "nope"), (3, "inactive\n"))
    ck.eq("is-active -q", ctl("is-active", "-q", "web.service"), (0, ""))
    ok = wait(lambda: ctl("is-active", "crash")[1] == "failed\n")
    ck.eq("is-active crashed Restart=no", ctl("is-active", "crash"), (3, "failed\n"))
    ck.ok("crash became failed", ok)
    ck.eq("is-failed crashed", ctl("is-failed", "crash"), (0, "failed\n"))
    ck.eq("is-failed running", ctl("is-failed", "web"), (1, "active\n"))
    ck.eq("is-active several: one active is enough", ctl("is-active", "nope", "web")[0], 0)
    ck.start("status")
    rc, out = ctl("status", "web")
    ck.eq("status active rc", rc, 0)
    ck.ok("status head", out.startswith("\u25cf web.service - Web test daemon\n"), out)
    ck.ok("status Loaded", re.search(r"^     Loaded: loaded \(\S+/web\.service; enabled; preset: "
                                     r"enabled\)$", out, re.M), out)
    ck.ok("status Active", re.search(r"^     Active: active \(running\) since \w{3} "
                                     r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+; \d+s ago$", out, re.M),
          out)
    ck.ok("status Main PID", re.search(r"^   Main PID: %d \(sh\)$" % sv_pid(sb, "web"), out, re.M),
          out)
    ck.ok("status Tasks", re.search(r"^      Tasks: \d+$", out, re.M), out)
    sb.write("files/log/web", "".join("2026-01-01_10:00:%02d.00000 line %d\n" % (i, i)
                                      for i in range(12)))
    rc, out = ctl("status", "-n", "3", "web")
    ck.ok("status ends with the last log lines", re.search(
        r"\n\n\w{3} \d\d \d\d:\d\d:09 \S+ web: line 9\n.* web: line 10\n.* web: line 11\n$",
        out), out)
    rc, out = ctl("status", "crash")
    ck.eq("status failed rc", rc, 3)
    ck.ok("status failed head", out.startswith("\u00d7 crash.service - Crashes with exit 3\n"), out)
    ck.ok("status failed Active", "     Active: failed (Result: exit-code) since " in out, out)
    # What finish records (supervise/klein.result) is shown as systemd shows it.
    with open(sb.ns_path("/run/runit/supervise/crash/klein.result"), "w") as f:
        f.write("RESULT=exit-code\nEXIT_CODE=exited\nEXIT_STATUS=3\nNRESTARTS=2\n")
    ck.eq("show from klein.result", ctl("show", "-p", "Result,ExecMainCode,ExecMainStatus,"
                                        "NRestarts", "--value", "crash"), (0, "exit-code\n1\n3\n2\n"))
    ck.ok("status shows the exit", "   Main PID: (code=exited, status=3/NOTIMPLEMENTED)\n" in
          ctl("status", "crash")[1])
    rc, out = ctl("status", "nope")
    ck.eq("status unknown", (rc, out), (4, "Unit nope.service could not be found.\n"))
    ck.start("show")
    ck.eq("show MainPID = sv pid", ctl("show", "-p", "MainPID", "--value", "web"),
          (0, "%d\n" % sv_pid(sb, "web")))
    ck.eq("show two props", ctl("show", "-p", "ActiveState,SubState", "web"),
          (0, "ActiveState=active\nSubState=running\n"))
    ck.eq("show failed", ctl("show", "-p", "ActiveState", "-p", "Result", "crash"),
          (0, "ActiveState=failed\nResult=exit-code\n"))
    ck.eq("show unknown", ctl("show", "-p", "LoadState", "-p", "ActiveState", "nope"),
          (0, "LoadState=not-found\nActiveState=inactive\n"))
    rc, out = ctl("show", "web")
    ck.ok("show default has Id and FragmentPath", rc == 0 and "Id=web.service\n" in out and
          re.search(r"^FragmentPath=/\S+/web\.service$", out, re.M), out)
    ck.start("cat")
    rc, out = ctl("cat", "web")
    ck.ok("cat prints the unit", rc == 0 and out.startswith("# ") and
          "Description=Web test daemon" in out, out)
    ck.eq("cat unknown", ctl("cat", "nope"), (1, "No files found for nope.service.\n"))
    ck.start("list-units")
    rc, out = ctl("list-units")
    ck.ok("list-units header", rc == 0 and re.match(r"  UNIT +LOAD +ACTIVE +SUB +DESCRIPTION\n",
                                                    out), out)
    ck.ok("list-units web", re.search(r"^  web\.service +loaded active +running +Web test daemon$",
                                      out, re.M), out)
    ck.ok("list-units failed mark", re.search(r"^\u25cf crash\.service +loaded failed +failed ",
                                              out, re.M), out)
    ck.ok("list-units hides inactive", "once.service" not in out, out)
    rc, out = ctl("list-units", "--all", "--no-legend", "--plain", "--state=inactive")
    ck.ok("list-units --all --state", rc == 0 and re.search(r"^once\.service +loaded inactive",
                                                            out, re.M) and "web" not in out, out)
    ck.eq("is-system-running degraded", ctl("is-system-running"), (1, "degraded\n"))


def check_sockets_timers(ck, sb, ctl):
    ck.start("list-units --type=socket|timer")
    rc, out = ctl("list-units", "--type=socket")
    ck.ok("socket listed, listening", rc == 0 and re.search(
        r"^  lsn\.socket +loaded active +listening +Listening test socket$", out, re.M), out)
    ck.ok("--type=socket: no services", ".service" not in out, out)
    ck.ok("legend counts it", "\n1 loaded units listed." in out, out)
    rc, out = ctl("list-units", "--type=timer", "--no-legend")
    ck.ok("far timer waiting, its Description=", rc == 0 and re.search(
        r"^  far\.timer +loaded active +waiting +Far future timer$", out, re.M), out)
    ck.ok("timers only", "lsn" not in out and "web" not in out, out)
    ok = wait(lambda: re.search(r"^  soon\.timer +loaded active +running ",
                                ctl("list-units", "--type=timer")[1], re.M))
    ck.ok("a timer whose unit runs is running", ok, ctl("list-units", "--type=timer")[1])
    ck.ok("the unit a timer started (sv once) becomes active, not deactivating",
          wait(lambda: ctl("is-active", "soon-job") == (0, "active\n")),
          ctl("is-active", "soon-job"))
    rc, out = ctl("list-units", "--no-legend", "--type=service,socket")
    ck.ok("--type=service,socket", re.search(r"^  lsn\.socket ", out, re.M) and
          re.search(r"^  web\.service ", out, re.M) and ".timer" not in out, out)
    rc, out = ctl("list-units", "--no-legend")
    units = [l.split()[0] for l in out.splitlines() if l.startswith("  ")]
    ck.ok("no --type: every type, sorted by unit name", "far.timer" in units and
          "lsn.socket" in units and "web.service" in units and units == sorted(units), out)
    ck.ok("no NAME.socket.service", ".socket.service" not in out and ".timer.service" not in out,
          out)
    ck.eq("is-active socket", ctl("is-active", "lsn.socket"), (0, "active\n"))
    ck.eq("show socket", ctl("show", "-p", "Id,ActiveState,SubState", "lsn.socket"),
          (0, "Id=lsn.socket\nActiveState=active\nSubState=listening\n"))
    ck.start("list-timers")
    now = int(time.time())
    # The timer runtime wrote its own; a known one (it rewrites it only at 2099).
    with open(sb.ns_path("/run/runit/supervise/far.timer/klein.timer"), "w") as f:
        f.write("next=%d\nlast=%d\n" % ((now + 3600) * 1000000, (now - 60) * 1000000))
    rc, out = ctl("list-timers")
    ck.ok("list-timers row", rc == 0 and re.search(
        r"^\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+ +(59min \d+s|1h 0min) left +\w{3} "
        r"[-\d]+ [:\d]+ \w+ +1min \d+s ago +far\.timer +far\.service$", out, re.M) and
        re.search(r" soon\.timer +soon-job\.service$", out, re.M) and
        "\n2 timers listed.\n" in out, out)
    order = [l.split()[-2] for l in out.splitlines() if l.endswith(".service")]
    ck.eq("soon.timer has fired and has no next elapse: listed after far.timer", order,
          ["far.timer", "soon.timer"])
    ck.ok("a running timer: NEXT n/a, LAST when it fired", re.search(
        r"^- +- +\w{3} [-\d]+ [:\d]+ \w+ +\d+s ago +soon\.timer +soon-job\.service$", out, re.M),
        out)
    # soon.timer (OnActiveSec=1) fired and will not schedule again: a next
    # elapse before far.timer's must put it first, as systemctl sorts by NEXT.
    with open(sb.ns_path("/run/runit/supervise/soon.timer/klein.timer"), "w") as f:
        f.write("next=%d\nlast=%d\n" % ((now + 600) * 1000000, (now - 5) * 1000000))
    rc, out = ctl("list-timers", "--no-legend")
    order = [l.split()[-2] for l in out.splitlines() if l.endswith(".service")]
    ck.eq("list-timers sorted by the next elapse", order, ["soon.timer", "far.timer"])


def check_journal(ck, sb, ctl):
    ck.start("journalctl: the default log/run keeps a bounded log")
    jctl = os.path.join(os.path.dirname(CTL), "klein-journalctl")
    # The services' log/run use klein-svc log's default directory.
    env = ["KLEIN_LOG_DIR=/run/klein/log"]
    pre = ["env", "ASAN_OPTIONS=detect_leaks=0"] + env + [jctl]
    ok = wait(lambda: "talk to stderr" in sb.ns(pre + ["-u", "talk", "-o", "cat"])[1])
    ck.ok("service output reached the log", ok)
    r = sb.ns(pre + ["-u", "talk", "-n", "5"])
    ck.ok("journalctl -u talk -n 5", r[0] == 0 and re.search(
        r"\A\w{3} \d\d \d\d:\d\d:\d\d \S+ talk: talk says hello\n"
        r"\w{3} \d\d \d\d:\d\d:\d\d \S+ talk: talk to stderr\n\Z", r[1]), r)
    rc, out = ctl("status", "talk", env=env)
    ck.ok("status shows the last lines", rc == 0 and out.endswith(" talk: talk to stderr\n"), out)


def check_jobs(ck, sb, ctl):
    ck.start("stop/start/restart")
    pid = sv_pid(sb, "web")
    ck.eq("stop", ctl("stop", "web"), (0, ""))
    ck.eq("stopped is inactive", ctl("is-active", "web"), (3, "inactive\n"))
    ck.eq("try-restart of a stopped unit", ctl("try-restart", "web"), (0, ""))
    ck.eq("still inactive", ctl("is-active", "web"), (3, "inactive\n"))
    ck.eq("start", ctl("start", "web.service"), (0, ""))
    ck.eq("started is active", ctl("is-active", "web"), (0, "active\n"))
    p2 = sv_pid(sb, "web")
    ck.ok("new pid", p2 and p2 != pid, "%r %r" % (pid, p2))
    ck.eq("restart", ctl("restart", "web"), (0, ""))
    ck.ok("restart gave a new pid", sv_pid(sb, "web") not in (None, p2))
    ck.eq("oneshot start", ctl("start", "once"), (0, ""))
    ck.eq("oneshot done: inactive", ctl("is-active", "once"), (3, "inactive\n"))
    ck.start("failures")
    rc, out = ctl("start", "bad")
    ck.eq("failed start rc", rc, 1)
    ck.ok("failed start message", "Job for bad.service failed because the control process "
          "exited with error code." in out, out)
    ck.eq("unknown start", ctl("start", "nope"), (5, "Failed to start nope.service: Unit "
                                                      "nope.service not found.\n"))
    ck.eq("unknown stop", ctl("stop", "nope")[0], 5)
    ck.start("reload/kill")
    ck.eq("reload", ctl("reload", "web"), (0, ""))
    ck.eq("ExecReload= ran before reload returned", read(sb, "files/web.reload"), "reload\n")
    rc, out = ctl("reload", "plain")
    ck.eq("reload without ExecReload=", (rc, out), (3, "Failed to reload plain.service: Job type "
                                                       "reload is not applicable for unit "
                                                       "plain.service.\n"))
    rc, out = ctl("reload", "mute")
    ck.eq("notify-reload without RELOADING=1: the reload fails", (rc, out), (
        1, "Job for mute.service failed because the control process exited with error code.\n"
        "See \"systemctl status mute.service\" and \"journalctl -xeu mute.service\" for details.\n"))
    ck.eq("after a failed reload: still active", ctl("is-active", "mute"), (0, "active\n"))
    ck.eq("kill -s HUP", ctl("kill", "-s", "HUP", "--kill-whom=main", "web"), (0, ""))
    ck.ok("HUP reached the main process", wait(lambda: "hup" in read(sb, "files/web.hup")))
    ck.eq("killed by HUP: still active (trap)", ctl("is-active", "web"), (0, "active\n"))
    ck.start("globs and several units")
    ck.eq("stop glob + name", ctl("stop", "w*", "plain"), (0, ""))
    ck.eq("both inactive", ctl("is-active", "web", "plain"), (3, "inactive\ninactive\n"))
    ck.eq("start both", ctl("start", "web", "plain"), (0, ""))
    ck.eq("both active", ctl("is-active", "web", "plain"), (0, "active\nactive\n"))
    ck.start("--no-block")
    ck.eq("stop --no-block", ctl("stop", "--no-block", "plain"), (0, ""))
    ck.ok("goes down", wait(lambda: ctl("is-active", "plain")[0] == 3))
    ck.start("unlinked converted service")
    ck.eq("start links it", ctl("start", "later"), (0, ""))
    ck.eq("later active", ctl("is-active", "later"), (0, "active\n"))


def timed(ctl, *args):
    t0 = time.monotonic()
    rc, out = ctl(*args)
    return rc, out, time.monotonic() - t0


def check_conditional_jobs(ck, sb, ctl):
    ck.start("reload-or-restart / try-* (systemctl(1))")
    before = read(sb, "files/web.reload").count("reload")
    pid = sv_pid(sb, "web")
    ck.eq("reload-or-restart, reloadable", ctl("reload-or-restart", "web"), (0, ""))
    ck.eq("  reloaded (ExecReload= ran)", read(sb, "files/web.reload").count("reload"), before + 1)
    ck.eq("  not restarted", sv_pid(sb, "web"), pid)
    ck.eq("try-reload-or-restart, active, reloadable", ctl("try-reload-or-restart", "web"), (0, ""))
    ck.eq("  reloaded", read(sb, "files/web.reload").count("reload"), before + 2)
    ck.eq("  not restarted", sv_pid(sb, "web"), pid)
    p1 = sv_pid(sb, "plain")
    ck.eq("reload-or-restart, no ExecReload=: restarts", ctl("reload-or-restart", "plain"), (0, ""))
    p2 = sv_pid(sb, "plain")
    ck.ok("  new pid", p2 and p2 != p1, "%r %r" % (p1, p2))
    ck.eq("try-reload-or-restart, active, no ExecReload=", ctl("try-reload-or-restart", "plain"),
          (0, ""))
    p3 = sv_pid(sb, "plain")
    ck.ok("  restarted", p3 and p3 != p2, "%r %r" % (p2, p3))
    ck.eq("try-restart of an active unit", ctl("try-restart", "plain"), (0, ""))
    ck.ok("  restarted", sv_pid(sb, "plain") not in (None, p3))
    ck.eq("  active", ctl("is-active", "plain"), (0, "active\n"))
    ck.eq("stop", ctl("stop", "plain", "web"), (0, ""))
    ck.eq("try-reload-or-restart, inactive: nothing", ctl("try-reload-or-restart", "plain", "web"),
          (0, ""))
    ck.eq("  still inactive", ctl("is-active", "plain", "web"), (3, "inactive\ninactive\n"))
    ck.eq("  no reload ran", read(sb, "files/web.reload").count("reload"), before + 2)
    ck.eq("try-restart, inactive: nothing", ctl("try-restart", "plain"), (0, ""))
    ck.eq("  still inactive", ctl("is-active", "plain"), (3, "inactive\n"))
    ck.eq("reload-or-restart, inactive: starts", ctl("reload-or-restart", "plain", "web"), (0, ""))
    ck.eq("  active", ctl("is-active", "plain", "web"), (0, "active\nactive\n"))
    ck.eq("  started, not reloaded", read(sb, "files/web.reload").count("reload"), before + 2)

    ck.start("kill --kill-whom=all (the default) / main")
    rc, out = ctl("kill", "-s", "HUP", "family")
    ck.eq("kill -s HUP (all)", (rc, out), (0, ""))
    ck.ok("the main process and its child got it", wait(
        lambda: sorted(read(sb, "files/family.hup").split()) == ["child", "main"]),
        read(sb, "files/family.hup"))
    ck.eq("  still active (both trap HUP)", ctl("is-active", "family"), (0, "active\n"))
    rc, out = ctl("kill", "-s", "HUP", "--kill-whom=main", "family")
    ck.eq("kill --kill-whom=main", (rc, out), (0, ""))
    ck.ok("  the main process only", wait(
        lambda: sorted(read(sb, "files/family.hup").split()) == ["child", "main", "main"]) and
        (time.sleep(0.5) or True) and
        sorted(read(sb, "files/family.hup").split()) == ["child", "main", "main"],
        read(sb, "files/family.hup"))
    ck.eq("kill (TERM to all)", ctl("kill", "family"), (0, ""))
    ck.ok("  the service went down", wait(lambda: ctl("is-active", "family")[0] == 3),
          repr(ctl("is-active", "family")))


def check_readiness(ck, sb, ctl):
    ck.start("start waits for readiness; --no-block does not")
    for name in ("ready", "fork"):
        ck.eq("stop " + name, ctl("stop", name), (0, ""))
        rc, out, secs = timed(ctl, "start", name)
        ck.eq("start %s" % name, (rc, out), (0, ""))
        ck.ok("  waited for readiness (1.5 s)", secs >= 1.3, "%.2fs" % secs)
        ck.eq("  active when start returns", ctl("is-active", name), (0, "active\n"))
    pid = open(sb.path("files", "fork.pid")).read().strip()
    ck.eq("forking: MainPID is the PIDFile= pid", ctl("show", "-p", "MainPID", "--value", "fork"),
          (0, pid + "\n"))
    ck.eq("stop ready", ctl("stop", "ready"), (0, ""))
    rc, out, secs = timed(ctl, "start", "--no-block", "ready")
    ck.eq("start --no-block", (rc, out), (0, ""))
    ck.ok("  returned before the service was ready", secs < 1.2, "%.2fs" % secs)
    ck.eq("  activating meanwhile", ctl("is-active", "ready"), (3, "activating\n"))
    ck.ok("  then active", wait(lambda: ctl("is-active", "ready") == (0, "active\n")))


def check_show_more(ck, sb, ctl):
    ck.start("show -p UnitFileState,ActiveEnterTimestamp,Names")
    rc, out = ctl("show", "-p", "UnitFileState,ActiveEnterTimestamp,Names", "web")
    ck.ok("show three properties", rc == 0 and re.fullmatch(
        r"UnitFileState=enabled\nActiveEnterTimestamp=\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+\n"
        r"Names=web\.service\n", out), out)
    ck.eq("inactive: no ActiveEnterTimestamp; linked, no unit file on the path: enabled",
          ctl("show", "-p", "UnitFileState,ActiveEnterTimestamp,Names", "--value", "once"),
          (0, "enabled\n\nonce.service\n"))


def check_hand_written(ck, sb, ctl):
    ck.start("a hand-written runit service")
    ck.ok("hand is up (runsvdir started it)", wait(lambda: ctl("is-active", "hand")[0] == 0),
          repr(ctl("is-active", "hand")))
    rc, out = ctl("status", "hand")
    ck.ok("status", rc == 0 and out.startswith("\u25cf hand.service\n") and re.search(
        r"^     Loaded: loaded \(%s; enabled; preset: enabled\)$" % re.escape(
            os.path.join(sb.service_dir, "hand")), out, re.M) and
        re.search(r"^     Active: active \(running\) since ", out, re.M) and
        re.search(r"^   Main PID: %d \(run\)$" % sv_pid(sb, "hand"), out, re.M), out)
    ck.eq("reload (runit: HUP)", ctl("reload", "hand"), (0, ""))
    ck.ok("  HUP reached run", wait(lambda: "hup" in read(sb, "files/hand.hup")))
    ck.eq("  still active", ctl("is-active", "hand"), (0, "active\n"))
    ck.eq("stop", ctl("stop", "hand"), (0, ""))
    ck.eq("  inactive (not failed)", ctl("is-active", "hand"), (3, "inactive\n"))
    ck.eq("  sv agrees", sb.sv("status", "hand")[1].split(":")[0], "down")
    rc, out = ctl("status", "hand")
    ck.ok("status inactive", rc == 3 and "     Active: inactive (dead) since " in out, out)
    ck.eq("start", ctl("start", "hand"), (0, ""))
    ck.eq("  active", ctl("is-active", "hand"), (0, "active\n"))
    ck.ok("  sv agrees", sb.sv("status", "hand")[1].startswith("run:"))
    p1 = sv_pid(sb, "hand")
    ck.eq("restart", ctl("restart", "hand"), (0, ""))
    ck.ok("  new pid", sv_pid(sb, "hand") not in (None, p1))


def check_install_runtime(ck, sb, ctl):
    if not os.path.exists(sb.ns_path("/run/klein-bh-unit-dirs")):
        print("   SKIP run-time enable/mask: no /etc/systemd/system or /lib/systemd/system")
        return
    ck.start("enable/disable/mask/unmask [--now], is-enabled, list-unit-files at run time")
    link = "/etc/systemd/system/multi-user.target.wants/toggle.service"
    unit = "/lib/systemd/system/toggle.service"
    ck.eq("is-enabled: disabled", ctl("is-enabled", "toggle"), (1, "disabled\n"))
    ck.eq("list-unit-files", ctl("list-unit-files", "toggle*"),
          (0, "UNIT FILE      STATE    PRESET\ntoggle.service disabled enabled\n\n"
              "1 unit files listed.\n"))
    ck.eq("enable", ctl("enable", "toggle"), (0, "Created symlink %s \u2192 %s.\n" % (link, unit)))
    ck.eq("  is-enabled", ctl("is-enabled", "toggle"), (0, "enabled\n"))
    ck.eq("  list-unit-files --no-legend", ctl("list-unit-files", "--no-legend", "toggle.service"),
          (0, "toggle.service enabled enabled\n"))
    ck.eq("  show UnitFileState", ctl("show", "-p", "UnitFileState", "toggle"),
          (0, "UnitFileState=enabled\n"))
    ck.eq("  not started", ctl("is-active", "toggle"), (3, "inactive\n"))
    ck.eq("disable", ctl("disable", "toggle"), (0, "Removed \"%s\".\n" % link))
    ck.eq("  is-enabled", ctl("is-enabled", "toggle"), (1, "disabled\n"))
    rc, out = ctl("enable", "--now", "toggle")
    ck.eq("enable --now", rc, 0, out)
    ck.eq("  enabled and active", (ctl("is-enabled", "toggle"), ctl("is-active", "toggle")),
          ((0, "enabled\n"), (0, "active\n")))
    rc, out = ctl("disable", "--now", "toggle")
    ck.eq("disable --now", rc, 0, out)
    ck.eq("  disabled and inactive", (ctl("is-enabled", "toggle"), ctl("is-active", "toggle")),
          ((1, "disabled\n"), (3, "inactive\n")))
    ck.eq("mask", ctl("mask", "toggle"),
          (0, "Created symlink /etc/systemd/system/toggle.service \u2192 /dev/null.\n"))
    ck.eq("  is-enabled", ctl("is-enabled", "toggle"), (1, "masked\n"))
    ck.eq("  list-unit-files", ctl("list-unit-files", "--no-legend", "toggle*"),
          (0, "toggle.service masked -\n"))
    ck.eq("start of a masked unit", ctl("start", "toggle"),
          (1, "Failed to start toggle.service: Unit toggle.service is masked.\n"))
    ck.eq("  still inactive", ctl("is-active", "toggle"), (3, "inactive\n"))
    ck.eq("unmask --now (systemctl 252: --now is for enable, disable, mask only)",
          ctl("unmask", "--now", "toggle"),
          (0, "Removed \"/etc/systemd/system/toggle.service\".\n"))
    ck.eq("  disabled, not started", (ctl("is-enabled", "toggle"), ctl("is-active", "toggle")),
          ((1, "disabled\n"), (3, "inactive\n")))
    ck.eq("start", ctl("start", "toggle"), (0, ""))
    rc, out = ctl("mask", "--now", "toggle")
    ck.eq("mask --now", rc, 0, out)
    ck.eq("  masked and stopped", (ctl("is-enabled", "toggle"), ctl("is-active", "toggle")),
          ((1, "masked\n"), (3, "inactive\n")))
    ck.eq("unmask", ctl("unmask", "toggle")[0], 0)
    # A unit file with no runit service (never converted): loaded and
    # inactive, exit 3, as systemctl; masked likewise; no file at all: 4.
    sb.ns(["sh", "-c", "printf '[Unit]\\nDescription=Never converted\\n[Service]\\n"
           "ExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n'"
           " >/lib/systemd/system/unconv.service"])
    ck.eq("status of an unconverted unit file", ctl("status", "unconv"),
          (3, "\u25cb unconv.service - Never converted\n"
              "     Loaded: loaded (/lib/systemd/system/unconv.service; disabled; preset: enabled)\n"
              "     Active: inactive (dead)\n"))
    ck.eq("  masked", (ctl("mask", "unconv")[0], ctl("status", "unconv")),
          (0, (3, "\u25cb unconv.service\n     Loaded: masked (Reason: Unit unconv.service is masked.)\n"
                  "     Active: inactive (dead)\n")))
    sb.ns(["rm", "-f", "/lib/systemd/system/unconv.service", "/etc/systemd/system/unconv.service"])
    # Off the search path again: daemon-reload must find it unchanged (check_reload).
    sb.ns(["rm", "-f", "/lib/systemd/system/toggle.service"])


def check_log_dir(ck, sb, ctl):
    ck.start("porter.conf log_dir: journalctl and status read where log/run writes")
    jctl = os.path.join(os.path.dirname(CTL), "klein-journalctl")
    ck.ok("log/run passes --dir and --max-size",
          "exec klein-svc log --dir '/var/log/klein' --max-size 65536 'kept'\n" in
          (sb.script("kept", "log/run") or ""), sb.script("kept", "log/run"))
    pre = ["env", "ASAN_OPTIONS=detect_leaks=0", "KLEIN_SERVICE_DIR=" + sb.service_dir,
           "KLEIN_SV_DIR=" + sb.sv_dir, jctl]
    ok = wait(lambda: "kept says hello" in sb.ns(pre + ["-u", "kept", "-o", "cat"])[1])
    ck.ok("journalctl -u kept (KLEIN_LOG_DIR unset)", ok, repr(sb.ns(pre + ["-u", "kept"])))
    ck.ok("written under log_dir", os.path.exists(sb.ns_path("/var/log/klein/kept")))
    rc, out = ctl("status", "kept")
    ck.ok("status shows its last lines", rc == 0 and out.endswith(" kept: kept says hello\n"), out)


def check_permissions(ck, sb, ctl):
    ck.start("non-root")
    before = sv_pid(sb, "web")
    rc, out = ctl("stop", "web", user="65534")
    ck.eq("non-root stop", (rc, out), (4, "Failed to stop web.service: Access denied\n"))
    rc, out = ctl("kill", "web", user="65534")
    ck.eq("non-root kill", rc, 4)
    rc, out = ctl("enable", "web", user="65534")
    ck.eq("non-root enable", rc, 4)
    ck.eq("non-root daemon-reload", ctl("daemon-reload", user="65534")[0], 4)
    ck.eq("nothing changed", sv_pid(sb, "web"), before)
    ck.eq("non-root may ask", ctl("is-active", "web", user="65534"), (0, "active\n"))


def check_reload(ck, sb, ctl):
    ck.start("daemon-reload")
    run = os.path.join(sb.sv_dir, "web", "run")
    st = os.stat(run)
    ck.eq("nothing changed: nothing rewritten", ctl("daemon-reload"), (0, ""))
    ck.eq("same inode", os.stat(run).st_ino, st.st_ino)
    time.sleep(0.02)
    text = read(sb, "units/web.service").replace("Web test daemon", "Web daemon v2")
    sb.write("units/web.service", text)
    rc, out = ctl("daemon-reload")
    ck.eq("changed unit reconverted", rc, 0, out)
    ck.ok("new description in run", "# Web daemon v2" in read(sb, "sv/web/run"))
    ck.eq("still linked, still running", ctl("is-active", "web"), (0, "active\n"))
    # dpkg installs a unit with the package's own (older) mtime: the change
    # shows in the ctime, which no one can set back.
    time.sleep(0.02)
    path = os.path.join(sb.root, "units", "web.service")
    sb.write("units/web.service", read(sb, "units/web.service").replace("v2", "v3"))
    os.utime(path, (946684800, 946684800))
    rc, out = ctl("daemon-reload")
    ck.eq("upgraded unit with an old mtime", rc, 0, out)
    ck.ok("reconverted after the upgrade", "# Web daemon v3" in read(sb, "sv/web/run"))


def check_system_states(ck, t):
    """is-system-running under klein-init: running, starting, stopping (degraded: above)."""
    ck.start("is-system-running under klein-init")
    if not t.init or not os.access(t.init, os.X_OK):
        ck.ok("KLEIN_INIT names klein-init", False, t.init)
        return
    sb = Sandbox(t, "ctl-init", init=True)
    try:
        sb.unit("steady.service", "[Service]\nExecStart=/bin/sleep 1000\n"
                "ExecStop=/bin/sleep 3\n", probe_out=False)
        sb.unit("slow.service", "[Service]\nType=notify\nExecStart=@PROBE@ --probe-out=@REC@ "
                "--probe-notify=1500 --probe-stay\n", probe_out=False)
        sb.convert("steady.service", "slow.service")
        # A /run kept from an earlier run of the container: klein-init removes it.
        sb.extra_setup.append("mkdir -p /run/klein && : >/run/klein/stopping")
        sb.start()
        ctl = Ctl(sb)
        ck.ok("services up", wait(lambda: ctl("is-active", "steady", "slow") ==
                                  (0, "active\nactive\n"), 15),
              repr(ctl("is-active", "steady", "slow")))
        ck.eq("running (the stale marker is gone)", ctl("is-system-running"), (0, "running\n"))
        ck.eq("-q", ctl("is-system-running", "-q"), (0, ""))
        ck.eq("restart --no-block slow", ctl("restart", "--no-block", "slow"), (0, ""))
        ck.eq("starting while a service is activating", ctl("is-system-running"),
              (1, "starting\n"))
        ck.ok("running again once it is ready",
              wait(lambda: ctl("is-system-running") == (0, "running\n")))
        os.kill(sb.ns_pid, signal.SIGTERM)  # klein-init: docker stop
        ck.ok("stopping while klein-init stops the services",
              wait(lambda: ctl("is-system-running") == (1, "stopping\n"), 3),
              repr(ctl("is-system-running")))
        ck.eq("status without a unit: the same word", ctl("status"), (0, "stopping\n"))
    finally:
        sb.cleanup()


def main():
    t = Tools()
    t.require(svc=True)
    if not os.access(CTL, os.X_OK):
        print("SKIP: klein-systemctl not built")
        sys.exit(77)
    ck = Checker("ctl.runtime")
    sb = Sandbox(t, "ctl")
    try:
        for name, text in UNITS.items():
            sb.unit(name + ".service", text, probe_out=False)
        for name, text in OTHER_UNITS.items():
            sb.write(os.path.join("units", name), text.replace("@ROOT@", sb.root))
        sb.convert(*[n + ".service" for n in UNITS if n != "later"])
        sb.convert("lsn.socket", "far.timer", "soon.timer")
        sb.convert("later.service", args=["--no-enable"])
        for name, text in UNITS_257.items():
            sb.unit(name + ".service", text)
        sb.convert(*[n + ".service" for n in UNITS_257], args=["--systemd", "257"])
        sb.write("files/family.sh", FAMILY_SH.replace("@ROOT@", sb.root))
        sb.write("units/toggle.service", TOGGLE)
        sb.convert("toggle.service", args=["--no-enable"])
        sb.unit("kept.service", "[Service]\nExecStart=/bin/sh -c 'echo kept says hello; "
                "exec sleep 1000'\n", probe_out=False)
        sb.write("kept.conf", KEPT_CONF)
        sb.convert("kept.service", args=["--config", sb.path("kept.conf")])
        sb.write("service/hand/run", HAND_RUN.replace("@ROOT@", sb.root), mode=0o755)
        sb.extra_setup.append(PRIVATE_UNIT_DIRS.replace("@ROOT@", sb.root))
        sb.start()
        ctl = Ctl(sb)
        ck.ok("services up", wait(lambda: ctl("is-active", "web", "plain", "mute")[1] ==
                                  "active\nactive\nactive\n", 15))
        check_queries(ck, sb, ctl)
        check_sockets_timers(ck, sb, ctl)
        check_journal(ck, sb, ctl)
        check_jobs(ck, sb, ctl)
        check_conditional_jobs(ck, sb, ctl)
        check_readiness(ck, sb, ctl)
        check_show_more(ck, sb, ctl)
        check_hand_written(ck, sb, ctl)
        check_install_runtime(ck, sb, ctl)
        check_log_dir(ck, sb, ctl)
        check_permissions(ck, sb, ctl)
        check_reload(ck, sb, ctl)
        ck.start("offline")
        rc, out = ctl("start", "web", env=["SYSTEMD_OFFLINE=1"])
        ck.eq("offline start", (rc, out), (0, "Running in chroot, ignoring command 'start'\n"))
        ck.eq("offline is-system-running", ctl("is-system-running", env=["SYSTEMD_OFFLINE=1"]),
              (1, "offline\n"))
    finally:
        sb.cleanup()
    check_system_states(ck, t)
    ck.finish()


main()
