/* SPDX-License-Identifier: MIT */
/* tr_lifecycle: rules for the service's life cycle: type, readiness, restart, timeouts,
 * stopping, and which exit statuses count as success. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"
#include "lib/values.h"
#include "lib/words.h"

int
tr_type(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = tr_last(s);
	if (!strcmp(v, "simple") || !strcmp(v, "exec") || !strcmp(v, "idle"))
		p->type = PLAN_SIMPLE;
	else if (!strcmp(v, "dbus")) {
		p->type = PLAN_SIMPLE;
		tr_warn(d, s, NULL,
			"run as Type=simple: there is no D-Bus name tracking, so readiness "
			"is when the process starts, and D-Bus activation of this service does not work");
	} else if (!strcmp(v, "forking"))
		p->type = PLAN_FORKING;
	else if (!strcmp(v, "notify")) {
		p->type = PLAN_NOTIFY;
		p->notify_reload = false;
	} else if (!strcmp(v, "notify-reload")) {
		/* systemd 253+: started as notify; control/h's klein-svc reload
		 * sends ReloadSignal= and waits for RELOADING=1, READY=1. */
		p->type = PLAN_NOTIFY;
		p->notify_reload = true;
	} else if (!strcmp(v, "oneshot"))
		p->type = PLAN_ONESHOT;
	else {
		tr_warn(d, s, NULL, "unknown service type, ignored (systemd keeps the default)");
		return 0;
	}
	return tr_set_str(&p->type_name, v);
}

/* ReloadSignal= (253): what Type=notify-reload's reload sends (systemd uses
 * it for no other type). */
int
tr_reload_signal(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_signal(s, &p->reload_signal, d);
}

int
tr_remain(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_bool(s, &p->remain_after_exit, d);
}

int
tr_guess(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_bool(s, &p->guess_main_pid, d);
}

int
tr_pidfile(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	const char *v = tr_last(s);
	if (v[0] == '/')
		return tr_set_str(&p->pidfile, v);
	/* systemd 252: a relative PIDFile= is under /run. */
	char *abs = malloc(strlen(v) + 6);
	if (!abs)
		return -ENOMEM;
	strcpy(abs, "/run/");
	strcat(abs, v);
	free(p->pidfile);
	p->pidfile = abs;
	return 0;
}

static const struct {
	const char *name;
	enum plan_restart r;
} restarts[] = {
	{ "no", PLAN_RESTART_NO },
	{ "always", PLAN_RESTART_ALWAYS },
	{ "on-success", PLAN_RESTART_ON_SUCCESS },
	{ "on-failure", PLAN_RESTART_ON_FAILURE },
	{ "on-abnormal", PLAN_RESTART_ON_ABNORMAL },
	{ "on-abort", PLAN_RESTART_ON_ABORT },
	{ "on-watchdog", PLAN_RESTART_ON_WATCHDOG },
};

int
tr_restart(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	for (size_t i = 0; i < ARRAY_SIZE(restarts); i++)
		if (!strcmp(restarts[i].name, tr_last(s))) {
			p->restart = restarts[i].r;
			if (p->restart == PLAN_RESTART_ON_WATCHDOG)
				tr_warn(d, s, NULL,
					"there is no watchdog under runit, so this never restarts");
			return 0;
		}
	tr_warn(d, s, NULL, "unknown restart policy, ignored");
	return 0;
}

int
tr_restart_sec(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_time(s, &p->restart_usec, d);
}

/* RestartSteps= (254): how many restarts the delay takes to grow. */
int
tr_restart_steps(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	const char *v = tr_last(s);
	unsigned long long n = 0;
	for (; *v >= '0' && *v <= '9'; v++)
		n = n > UINT_MAX / 10 ? UINT_MAX : n * 10 + (unsigned)(*v - '0');
	p->restart_steps = n > UINT_MAX ? UINT_MAX : (unsigned)n;
	return 0;
}

int
tr_restart_max_delay(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_time(s, &p->restart_max_delay_usec, d);
}

/* RestartMode= (254): a klein service never passes through a failed state on
 * an automatic restart (failed is "down and wanted down"), so normal and
 * direct behave alike: direct's behaviour (docs/porter.md). */
int
tr_restart_mode(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)why;
	if (!strcmp(tr_last(s), "debug"))
		tr_warn(d, s, NULL,
			"approximated as normal: restarts after a failure do not get "
			"DEBUG_INVOCATION=1");
	return 0;
}

/* Restarts the porter writes a delay for; later ones wait RestartMaxDelaySec=. */
#define RESTART_STEPS_WRITTEN 1000

int
tr_restart_growth(struct run_plan *p, const char *file, struct diag *d)
{
	uint64_t r0 = p->restart_usec, max = p->restart_max_delay_usec;
	/* service_verify(): the max caps RestartSec=. */
	if (max < r0)
		p->restart_usec = r0 = max;
	if (!p->restart_steps || !r0 || max == PLAN_INFINITY || r0 >= max)
		return 0;
	size_t n =
		p->restart_steps > RESTART_STEPS_WRITTEN ? RESTART_STEPS_WRITTEN : p->restart_steps;
	if (n < p->restart_steps)
		diag_add(d, file, 0, DIAG_WARNING,
			 "RestartSteps=%u approximated: the delay grows over the first %d "
			 "restarts as systemd's does, then is RestartMaxDelaySec=",
			 p->restart_steps, RESTART_STEPS_WRITTEN);
	p->restart_delays = calloc(n, sizeof(*p->restart_delays));
	if (!p->restart_delays)
		return -ENOMEM;
	p->n_restart_delays = n;
	/* Restart i (from 1): r0 * (max / r0) ^ ((i - 1) / steps). */
	for (size_t i = 0; i < n; i++)
		p->restart_delays[i] =
			(uint64_t)((long double)r0 * powl((long double)max / (long double)r0,
							  (long double)i / p->restart_steps));
	return 0;
}

int
tr_timeout_stop(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_time(s, &p->timeout_stop_usec, d);
}

int
tr_timeout_start(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_time(s, &p->timeout_start_usec, d);
}

int
tr_timeout(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int r = tr_get_time(s, &p->timeout_stop_usec, d);
	if (r == 0)
		r = tr_get_time(s, &p->timeout_start_usec, d);
	return r;
}

int
tr_kill_signal(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_signal(s, &p->kill_signal, d);
}

int
tr_final_signal(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_signal(s, &p->final_kill_signal, d);
}

int
tr_kill_mode(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = tr_last(s);
	if (!strcmp(v, "none")) {
		tr_warn(d, s, NULL,
			"approximated as KillMode=process: a runit service is down only when "
			"its main process has exited");
		return tr_set_str(&p->kill_mode, "process");
	}
	if (strcmp(v, "control-group") && strcmp(v, "mixed") && strcmp(v, "process")) {
		tr_warn(d, s, NULL, "unknown kill mode, ignored");
		return 0;
	}
	if (strcmp(v, "process"))
		tr_warn(d, s, NULL,
			"approximated: there is no cgroup; the stop signals go to the main "
			"process and its descendants (and its process group when it leads one); "
			"processes that detached and were reparented escape");
	return tr_set_str(&p->kill_mode, v);
}

int
tr_sighup(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_bool(s, &p->send_sighup, d);
}

int
tr_sigkill(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	/* klein-svc stop --final-signal none: no final kill, as systemd; a stuck
	 * service then stays up (wanted down) until it exits by itself. */
	return tr_get_bool(s, &p->send_sigkill, d);
}

static int
tr_status_set(const struct setting *s, struct plan_status_set *set, struct diag *d)
{
	for (size_t i = 0; i < s->n_values; i++) {
		if (!s->values[i][0]) { /* empty assignment resets */
			free(set->codes), free(set->signals);
			memset(set, 0, sizeof(*set));
			continue;
		}
		int r = tv_status_list(s->values[i], &set->codes, &set->n_codes, &set->signals,
				       &set->n_signals);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			tr_warn(d, s, NULL,
				"has a word that is not an exit status or signal; that word is ignored");
	}
	return 0;
}

int
tr_success(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_status_set(s, &p->success_status, d);
}

int
tr_prevent(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_status_set(s, &p->restart_prevent, d);
}

int
tr_force(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_status_set(s, &p->restart_force, d);
}
