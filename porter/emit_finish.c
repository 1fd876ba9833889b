/* SPDX-License-Identifier: MIT */
/* emit_finish: the finish script: ExecStop=/ExecStopPost= after the main process
 * exits, success and restart decisions, the start limit. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_files.h"
#include "emit_sh.h"

/* supervise/klein.result, written whole then renamed into place. */
#define RESULT_WRITE(result, code, status, nrestarts)                                              \
	"printf 'RESULT=%s\\nEXIT_CODE=%s\\nEXIT_STATUS=%s\\nNRESTARTS=%s\\n' \"" result           \
	"\" \"" code "\" \"" status "\" \"" nrestarts                                              \
	"\" >supervise/klein.result.new &&\n\tmv -f supervise/klein.result.new supervise/klein.result\n"

static void
status_case(struct emit_buf *b, const char *var, const int *v, size_t n, const char *set)
{
	if (!n)
		return;
	emit_addf(b, "case \" $%s \" in", var);
	for (size_t i = 0; i < n; i++)
		emit_addf(b, "%s*\" %d \"*", i ? "|" : " ", v[i]);
	emit_addf(b, ") %s ;; esac\n", set);
}

static void
status_match(struct emit_buf *b, const struct plan_status_set *s, const char *set)
{
	if (s->n_codes) {
		emit_add(b, "[ \"$EXIT_CODE\" != exited ] || ");
		status_case(b, "code", s->codes, s->n_codes, set);
	}
	if (s->n_signals) {
		emit_add(b, "[ \"$EXIT_CODE\" = exited ] || ");
		status_case(b, "sig", s->signals, s->n_signals, set);
	}
}

/* systemd's start rate limit (ratelimit_below(): a window of IntervalSec that
 * opens at the first start, at most Burst starts in it). run records when each
 * start began (supervise/klein.starttime, /proc/uptime); finish counts that start
 * in supervise/klein.limit and, when the restart after RestartSec= would be
 * one too many, the unit fails with start-limit-hit and stays down. */
static void
start_limit(struct emit_buf *b, const struct run_plan *p)
{
	if (!sh_has_start_limit(p))
		return;
	bool inf = p->start_limit_interval_usec == PLAN_INFINITY;
	unsigned long long ivl = inf ? 0 : (p->start_limit_interval_usec + 9999) / 10000;
	unsigned long long rs =
		p->restart_usec == PLAN_INFINITY ? 0 : (p->restart_usec + 9999) / 10000;
	emit_add(b, "\n# Start limit (StartLimitIntervalSec=");
	sh_seconds(b, p->start_limit_interval_usec);
	emit_addf(b, ", StartLimitBurst=%u): every start counts; times in 1/100 s since boot.\n",
		  p->start_limit_burst);
	emit_add(
		b,
		"csec() { set -- \"${1%.*}\" \"${1#*.}\"; echo $(($1 * 100 + ${2#0})); }\n"
		"read -r now _ </proc/uptime && now=$(csec \"$now\") || now=0\n"
		"started=$now\n"
		"if [ -s supervise/klein.starttime ]; then started=$(csec \"$(cat supervise/klein.starttime)\"); fi\n"
		"begin=0 num=0\n"
		"if [ -s supervise/klein.limit ]; then read -r begin num <supervise/klein.limit || :; fi\n");
	if (inf)
		emit_add(b, "if [ \"$begin\" -le 0 ]; then begin=$started num=0; fi\n");
	else
		emit_addf(
			b,
			"if [ \"$begin\" -le 0 ] || [ \"$started\" -gt $((begin + %llu)) ]; then begin=$started num=0; fi\n",
			ivl);
	emit_add(b, "num=$((num + 1))\necho \"$begin $num\" >supervise/klein.limit\n");
	emit_addf(b, "if [ \"$restart\" = yes ] && [ \"$num\" -ge %u ]", p->start_limit_burst);
	if (!inf && p->n_restart_delays) /* the next start is after this restart's delay */
		emit_addf(b, " && [ $((now + delay_cs)) -le $((begin + %llu)) ]", ivl);
	else if (!inf)
		emit_addf(b, " && [ $((now + %llu)) -le $((begin + %llu)) ]", rs, ivl);
	emit_add(
		b,
		"; then\n\techo 'start request repeated too quickly (start-limit-hit), not restarting'\n"
		"\trestart=no result=start-limit-hit\nfi\n");
}

static void
delay_case(struct emit_buf *b, const char *pattern, uint64_t usec)
{
	emit_addf(b, "%s) delay=", pattern);
	sh_seconds(b, usec);
	emit_addf(b, " delay_cs=%llu ;;\n", (unsigned long long)((usec + 9999) / 10000));
}

/* RestartSteps=/RestartMaxDelaySec=: supervise/klein.restarts counts the
 * automatic restarts in a row (systemd's n_restarts: a stop, a run that is
 * not restarted or the start limit begins again at 0); the Nth waits the
 * delay the translation computed for it. */
static void
restart_growth(struct emit_buf *b, const struct run_plan *p)
{
	emit_addf(b, "\n# RestartSteps=%u, RestartMaxDelaySec=", p->restart_steps);
	sh_seconds(b, p->restart_max_delay_usec);
	emit_add(b, ": the delay grows with each automatic restart in a row.\n"
		    "n=$((nrestarts + 1))\ncase $n in\n");
	for (size_t i = 0; i < p->n_restart_delays; i++) {
		char pattern[24];
		snprintf(pattern, sizeof(pattern), "%zu", i + 1);
		delay_case(b, pattern, p->restart_delays[i]);
	}
	delay_case(b, "*", p->restart_max_delay_usec);
	emit_add(b, "esac\n");
}

static const char *const restart_names[] = { "no",	    "always",	"on-success", "on-failure",
					     "on-abnormal", "on-abort", "on-watchdog" };

static void
finish_restart(struct emit_buf *b, const struct run_plan *p)
{
	emit_addf(b, "\n# Restart=%s%s: runsv restarts unless told to stay down.\nrestart=no\n",
		  restart_names[p->restart],
		  p->restart_always_forced ? " (porter.conf: restart = \"always\")" : "");
	/* systemd's n_restarts (NRestarts=): automatic restarts in a row; a
	 * stop, or a run that is not restarted, ends the series. */
	emit_add(b, "nrestarts=0\n[ ! -s supervise/klein.restarts ] || read -r nrestarts "
		    "<supervise/klein.restarts || :\n"
		    "case $nrestarts in '' | *[!0-9]*) nrestarts=0 ;; esac\n");
	if (p->restart_always_forced) {
		emit_add(b, "restart=yes\n");
	} else {
		switch (p->restart) {
		case PLAN_RESTART_ALWAYS:
			emit_add(b, "restart=yes\n");
			break;
		case PLAN_RESTART_ON_SUCCESS:
			emit_add(b, "[ \"$clean\" = no ] || restart=yes\n");
			break;
		case PLAN_RESTART_ON_FAILURE:
			emit_add(b, "[ \"$clean\" = yes ] || restart=yes\n");
			break;
		case PLAN_RESTART_ON_ABNORMAL:
		case PLAN_RESTART_ON_ABORT:
			emit_add(
				b,
				"[ \"$clean\" = yes ] || [ \"$EXIT_CODE\" = exited ] || restart=yes\n");
			/* systemd.service(5): on-abnormal also restarts on a timeout. */
			if (p->restart == PLAN_RESTART_ON_ABNORMAL &&
			    (p->type == PLAN_FORKING || p->type == PLAN_NOTIFY))
				emit_add(b, "[ \"$timedout\" = no ] || restart=yes\n");
			break;
		case PLAN_RESTART_NO:
		case PLAN_RESTART_ON_WATCHDOG:
			break;
		}
		status_match(b, &p->restart_force, "restart=yes");
		status_match(b, &p->restart_prevent, "restart=no");
	}
	emit_addf(b, "%s[ ! -e supervise/klein.stopping ] || restart=stopped\n",
		  sh_post_gates(p) ? "[ \"$failed\" = yes ] || " : "");
	if (p->n_restart_delays)
		restart_growth(b, p);
	start_limit(b, p);
	emit_add(b, "if [ \"$restart\" = yes ]; then\n\tnrestarts=$((nrestarts + 1))\n"
		    "\techo \"$nrestarts\" >supervise/klein.restarts\n"
		    "else\n\trm -f supervise/klein.restarts\nfi\n");
	bool preserve_restart = p->runtime_preserve == 2,
	     any = p->dirs[PLAN_DIR_RUNTIME].n && p->runtime_preserve != 1;
	if (any) {
		emit_addf(b, "\n# RuntimeDirectory= is removed when the service stops%s.\n",
			  preserve_restart
				  ? " (RuntimeDirectoryPreserve=restart: not between restarts)"
				  : "");
		if (preserve_restart)
			emit_add(b, "if [ \"$restart\" != yes ]; then\n");
		for (size_t i = 0; i < p->dirs[PLAN_DIR_RUNTIME].n; i++) {
			struct emit_buf path = { 0 };
			emit_addf(&path, "/run/%s", p->dirs[PLAN_DIR_RUNTIME].names[i]);
			emit_addf(b, "%srm -rf", preserve_restart ? "\t" : "");
			sh_word(b, path.s ? path.s : "");
			emit_add(b, "\n");
			emit_buf_done(&path);
		}
		for (size_t i = 0; i < p->dirs[PLAN_DIR_RUNTIME].n_links; i++) {
			struct emit_buf path = { 0 };
			emit_addf(&path, "/run/%s", p->dirs[PLAN_DIR_RUNTIME].links[i].dst);
			emit_addf(b, "%srm -f", preserve_restart ? "\t" : "");
			sh_word(b, path.s ? path.s : "");
			emit_add(b, "\n");
			emit_buf_done(&path);
		}
		if (preserve_restart)
			emit_add(b, "fi\n");
	}
	emit_add(b, "\n# How this run ended, for klein-svc health and systemctl is-failed (see\n"
		    "# docs/runtime.md): failed = wanted down and not success.\n");
	emit_add(b, RESULT_WRITE("$result", "$EXIT_CODE", "$EXIT_STATUS", "$nrestarts"));
	emit_add(b, "\ncase $restart in\nyes) sleep ");
	if (p->n_restart_delays) /* sv down meanwhile: the next start is not automatic */
		emit_add(b,
			 "\"$delay\"\n\tcase $(cat supervise/stat 2>/dev/null) in *'want down'* | "
			 "*'want exit'*) rm -f supervise/klein.restarts ;; esac");
	else
		sh_seconds(b, p->restart_usec);
	emit_add(b, " ;;\nno) printf d >supervise/control ;;\nesac\nexit 0\n");
}

char *
emit_finish(const struct run_plan *p)
{
	struct emit_buf b = { 0 };
	sh_header(
		&b, p,
		"finish: runsv runs this when run exits, with its exit code (-1: killed) and signal.");
	emit_add(
		&b,
		"exec 2>&1\n[ $# -ge 2 ] || set -- -1 0\ncode=$1 sig=$(($2 & 127)) core=$(($2 & 128))\n"
		"if [ -e supervise/klein.skip ]; then\n\trm -f supervise/klein.skip\n"
		"\t# A failed condition is no failure (systemd: result success).\n\t" RESULT_WRITE(
			"success", "exited", "0", "0") "\texit 0\nfi\n");
	/* klein-svc supervise re-raises the signal that killed the daemon, so runsv
	 * gives forking/notify services the real -1 and signal too: an exit 143
	 * is an exit 143. */
	emit_add(&b, "\n# What systemd passes to ExecStopPost= and uses for Restart=.\n"
		     "if [ \"$code\" -eq -1 ]; then\n"
		     "\tif [ \"$core\" -ne 0 ]; then EXIT_CODE=dumped; else EXIT_CODE=killed; fi\n"
		     "\tEXIT_STATUS=$(kill -l \"$sig\" 2>/dev/null || echo \"$sig\")\nelse\n"
		     "\tEXIT_CODE=exited EXIT_STATUS=$code\nfi\nclean=no failed=no timedout=no\n");
	if (!p->stop_post.n)
		emit_add(&b, "export EXIT_CODE EXIT_STATUS\n");
	bool ignore =
		p->start.n && p->start.v[p->start.n - 1].ignore_failure && p->type != PLAN_ONESHOT;
	if (ignore)
		emit_add(&b, "clean=yes  # ExecStart=- : a failure counts as success\n");
	emit_add(&b, "[ \"$EXIT_CODE\" != exited ] || [ \"$code\" -ne 0 ] || clean=yes\n");
	if (p->type != PLAN_ONESHOT)
		emit_addf(
			&b,
			"[ \"$EXIT_CODE\" = exited ] || case $sig in %d|%d|%d|%d) clean=yes ;; esac\n",
			SIGHUP, SIGINT, SIGTERM, SIGPIPE);
	emit_add(
		&b,
		"[ ! -e supervise/klein.stopping ] || [ \"$EXIT_CODE\" = exited ] || case $sig in ");
	emit_addf(&b, "%d|%d) clean=yes ;; esac  # our own stop signals\n", p->kill_signal,
		  p->final_kill_signal);
	status_match(&b, &p->success_status, "clean=yes");
	if (sh_post_gates(p))
		emit_add(
			&b,
			"# ExecStartPost= failed: the start failed, whatever the exit (its stop).\n"
			"if [ -e supervise/klein.failed ]; then\n"
			"\trm -f supervise/klein.failed\n\tfailed=yes clean=no\nfi\n");
	if (p->type == PLAN_FORKING || p->type == PLAN_NOTIFY)
		emit_add(&b, "# klein-svc supervise gave up waiting for readiness.\n"
			     "if [ -e supervise/klein.timeout ]; then\n"
			     "\trm -f supervise/klein.timeout\n\ttimedout=yes clean=no\nfi\n");
	emit_add(&b,
		 "if [ \"$timedout\" = yes ]; then SERVICE_RESULT=timeout\n"
		 "elif [ \"$failed\" = yes ]; then SERVICE_RESULT=exit-code\n"
		 "elif [ \"$clean\" = yes ]; then SERVICE_RESULT=success\n"
		 "elif [ \"$EXIT_CODE\" = exited ]; then SERVICE_RESULT=exit-code\n"
		 "elif [ \"$EXIT_CODE\" = dumped ]; then SERVICE_RESULT='core-dump'\n"
		 "else SERVICE_RESULT=signal\nfi\nexport SERVICE_RESULT\nresult=$SERVICE_RESULT\n");
	if (p->stop_post.n) {
		emit_add(&b, "\n");
		sh_env_block(&b, p);
		emit_add(&b, "exec </dev/null\n# ExecStopPost=\n");
		sh_command_lines(
			&b, p, &p->stop_post, "ExecStopPost",
			"--env \"SERVICE_RESULT=$SERVICE_RESULT\" --env \"EXIT_CODE=$EXIT_CODE\" --env \"EXIT_STATUS=$EXIT_STATUS\"",
			NULL, "");
	}
	finish_restart(&b, p);
	return b.oom ? (free(b.s), NULL) : b.s;
}
