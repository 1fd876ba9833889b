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

/* A failed reload: control/h still exits 0 (else runsv sends its own HUP);
 * klein-systemctl reload reports the marker as the job's failure. */
#define RELOAD_FAILED "{ echo 'reload failed'; : >supervise/klein.reload-failed; exit 0; }"

/* klein-svc reload for Type=notify-reload: wait "yes" (the whole reload),
 * "no" (only the signal) or "if-reloading" (after ExecReload=). */
static void
notify_reload(struct emit_buf *b, const struct run_plan *p, const char *wait)
{
	char sig[16];
	bool send = strcmp(wait, "if-reloading") != 0;
	emit_addf(b, "klein-svc reload --signal %s --wait %s",
		  send ? signal_abbrev(p->reload_signal, sig, sizeof(sig)) : "none", wait);
	if (strcmp(wait, "no")) {
		emit_add(b, " --timeout ");
		sh_seconds(b, p->timeout_start_usec);
	}
	emit_add(b, send ? " \"$mainpid\"" : "");
	emit_add(b, " || " RELOAD_FAILED "\n");
}

char *
emit_control_h(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	if (p->notify_reload && !p->reload.n)
		sh_header(
			&b, p,
			"control/h: sv reload (and sv hup), Type=notify-reload: ReloadSignal= to the\n"
			"# main process, then wait for its RELOADING=1 and READY=1 (TimeoutStartSec=).");
	else if (p->notify_reload)
		sh_header(
			&b, p,
			"control/h: sv reload (and sv hup), Type=notify-reload: ReloadSignal= to the\n"
			"# main process, ExecReload=, then READY=1 if the service says RELOADING=1.");
	else
		sh_header(
			&b, p,
			"control/h: sv reload (and sv hup) run ExecReload= instead of sending SIGHUP.");
	emit_add(&b, "exec 2>&1\nrm -f supervise/klein.reload-failed\n");
	sh_mainpid(&b, p, true);
	if (p->notify_reload && !p->reload.n) {
		notify_reload(&b, p, "yes");
		emit_add(&b, "exit 0\n");
		return b.oom ? (free(b.s), NULL) : b.s;
	}
	if (p->notify_reload) /* systemd sends the signal, then runs ExecReload= too */
		notify_reload(&b, p, "no");
	sh_env_block(&b, p);
	emit_add(&b, "exec </dev/null\n# ExecReload=\n");
	sh_command_lines(&b, p, &p->reload, "ExecReload", "--env \"MAINPID=$mainpid\"",
			 RELOAD_FAILED, "");
	if (p->notify_reload) {
		emit_add(&b,
			 "# Still reloading (RELOADING=1 without READY=1)? Wait for READY=1.\n");
		notify_reload(&b, p, "if-reloading");
	}
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

/* svlogd: DIR/NAME (porter.conf log_dir, else /var/log); log_max_size goes
 * to svlogd's own DIR/NAME/config as its `s` (rotate at) line. */
static void
log_run_svlogd(struct emit_buf *b, const struct run_plan *p)
{
	struct emit_buf dir = { 0 }, config = { 0 };
	const char *base = p->log_dir ? p->log_dir : "/var/log";
	sh_header(b, p, "log/run: the service's output, as svlogd logs.");
	emit_addf(&dir, "%s/%s", base, p->name);
	emit_addf(&config, "%s/%s/config", base, p->name);
	emit_add(b, "mkdir -p"), sh_word(b, dir.s ? dir.s : ""), emit_add(b, " || exit 1\n");
	if (p->log_max_size) {
		emit_addf(b, "echo s%llu >", p->log_max_size);
		emit_quote(b, config.s ? config.s : "");
		emit_add(b, " || exit 1\n");
	}
	emit_add(b, "exec svlogd -tt");
	sh_word(b, dir.s ? dir.s : "");
	emit_add(b, "\n");
	if (dir.oom || config.oom)
		b->oom = true;
	emit_buf_done(&dir);
	emit_buf_done(&config);
}

char *
emit_log_run(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	if (p->log == PLAN_LOG_SVLOGD) {
		log_run_svlogd(&b, p);
		return b.oom ? (free(b.s), NULL) : b.s;
	}
	/* klein-systemctl reads --dir back from this file (svc/ctl/journal.c). */
	sh_header(
		&b, p,
		p->log_dir
			? "log/run: the service's output, each line prefixed with its name, to the\n"
			  "# container's output (docker logs), and stamped to the bounded log that\n"
			  "# journalctl and systemctl status read (--dir: porter.conf log_dir)."
			: "log/run: the service's output, each line prefixed with its name, to the\n"
			  "# container's output (docker logs), and stamped to the bounded log that\n"
			  "# journalctl and systemctl status read ($KLEIN_LOG_DIR, else "
			  "/run/klein/log).");
	emit_add(&b, "exec klein-svc log");
	if (p->log_dir)
		emit_add(&b, " --dir"), sh_word(&b, p->log_dir);
	if (p->log_max_size)
		emit_addf(&b, " --max-size %llu", p->log_max_size);
	sh_word(&b, p->name);
	emit_add(&b, "\n");
	return b.oom ? (free(b.s), NULL) : b.s;
}
