/* SPDX-License-Identifier: MIT */
/* emit_control: control/t (stop), control/h (reload), check (readiness) and log/run. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/status.h"
#include "emit_files.h"
#include "emit_sh.h"

char *
emit_control_t(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	char s1[16], s2[16];
	sh_header(&b, p,
		  "control/t: sv down, sv term and shutdown run this instead of a bare SIGTERM:\n"
		  "# ExecStop=, then the stop signal, escalating after TimeoutStopSec=.");
	emit_add(&b, ": >supervise/klein.stopping\n");
	bool stop = p->stop.n && !(p->type == PLAN_ONESHOT && !p->remain_after_exit);
	sh_mainpid(&b, p, stop);
	if (stop) {
		sh_env_block(&b, p);
		emit_add(&b, "exec </dev/null\n# ExecStop=\n");
		sh_command_lines(&b, p, &p->stop, "ExecStop", "--env \"MAINPID=$mainpid\"", NULL,
				 "");
	}
	emit_addf(&b, "exec klein-svc stop --signal %s --final-signal %s --timeout ",
		  signal_abbrev(p->kill_signal, s1, sizeof(s1)),
		  p->send_sigkill ? signal_abbrev(p->final_kill_signal, s2, sizeof(s2)) : "none");
	sh_seconds(&b, p->timeout_stop_usec);
	emit_addf(&b, " --mode %s%s \"$pid\"\n", p->kill_mode ? p->kill_mode : "control-group",
		  p->send_sighup ? " --sighup" : "");
	return b.oom ? (free(b.s), NULL) : b.s;
}

char *
emit_control_h(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	sh_header(&b, p,
		  "control/h: sv reload (and sv hup) run ExecReload= instead of sending SIGHUP.");
	emit_add(&b, "exec 2>&1\n");
	sh_mainpid(&b, p, true);
	sh_env_block(&b, p);
	emit_add(&b, "exec </dev/null\n# ExecReload=\n");
	sh_command_lines(&b, p, &p->reload, "ExecReload", "--env \"MAINPID=$mainpid\"",
			 "{ echo 'reload failed'; exit 0; }", "");
	emit_add(&b, "exit 0\n");
	return b.oom ? (free(b.s), NULL) : b.s;
}

char *
emit_check(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	sh_header(&b, p, "check: sv start/check -w and klein-svc health: is the service ready?");
	emit_add(&b, "exec test -e supervise/klein.ready\n");
	return b.oom ? (free(b.s), NULL) : b.s;
}

char *
emit_log_run(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	if (p->log == PLAN_LOG_SVLOGD) {
		sh_header(&b, p, "log/run: the service's output, as svlogd logs.");
		struct emit_buf dir = { 0 };
		emit_addf(&dir, "/var/log/%s", p->name);
		emit_add(&b, "mkdir -p"), sh_word(&b, dir.s ? dir.s : ""),
			emit_add(&b, " || exit 1\nexec svlogd -tt");
		sh_word(&b, dir.s ? dir.s : "");
		emit_add(&b, "\n");
		emit_buf_done(&dir);
	} else {
		sh_header(
			&b, p,
			"log/run: the service's output, each line prefixed with its name, to the\n"
			"# container's output (docker logs), and stamped to the bounded log that\n"
			"# journalctl and systemctl status read ($KLEIN_LOG_DIR, else /run/klein/log).");
		emit_add(&b, "exec klein-svc log");
		sh_word(&b, p->name);
		emit_add(&b, "\n");
	}
	return b.oom ? (free(b.s), NULL) : b.s;
}
