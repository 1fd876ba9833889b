/* SPDX-License-Identifier: MIT */
/* translate: loaded unit -> struct run_plan. Each setting goes through the
 * translation rule its table row names (table.h, tr_*.c); this file holds the
 * defaults, porter.conf's overrides and the checks on the whole plan. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"
#include "table.h"
#include "tr.h"
#include "translate.h"

char *
translate_service_name(const char *unit)
{
	size_t n = strlen(unit);
	if (n > 8 && !strcmp(unit + n - 8, ".service"))
		n -= 8;
	return strndup(unit, n);
}

static bool
has_setting(const struct unit *u, const char *section, const char *key)
{
	for (size_t i = 0; i < u->n_settings; i++)
		if (!strcmp(u->settings[i].section, section) && !strcmp(u->settings[i].key, key))
			return true;
	return false;
}

/* Each setting through its row's translation rule, in the unit's order. A
 * hand-built unit may hold keys no table knows: they are unknown directives. */
static int
apply_settings(struct run_plan *p, const struct unit *u, struct diag *d)
{
	const struct unit_type *t = unit_type_for(u->name);

	if (!t)
		t = unit_type_for(".service");
	for (size_t i = 0; i < u->n_settings; i++) {
		const struct setting *s = &u->settings[i];
		if (!strncmp(s->key, "X-", 2))
			continue; /* systemd ignores X- keys silently */
		const struct directive *dr = directive_find(t, s->section, s->key, u->systemd);
		int e = dr ? dr->translate(p, s, dr->why, d) : tr_unknown(p, s, NULL, d);
		if (e < 0)
			return e;
	}
	return 0;
}

static void
plan_defaults(struct run_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->umask = -1;
	p->ignore_sigpipe = true;
	p->restart_usec = 100000;
	p->restart_max_delay_usec = PLAN_INFINITY;
	p->reload_signal = SIGHUP;
	p->kill_signal = SIGTERM;
	p->final_kill_signal = SIGKILL;
	p->send_sigkill = true;
	p->timeout_stop_usec = 90000000;
	p->timeout_start_usec = 90000000;
	p->start_limit_interval_usec = 10000000; /* DefaultStartLimitIntervalSec= */
	p->start_limit_burst = 5;		 /* DefaultStartLimitBurst= */
	for (int i = 0; i < PLAN_DIR_N; i++)
		p->dirs[i].mode = 0755;
}

static int
apply_options(struct run_plan *p, const struct translate_options *o, struct diag *d)
{
	if (o->log) {
		if (!strcmp(o->log, "svlogd"))
			p->log = PLAN_LOG_SVLOGD;
		else if (!strcmp(o->log, "inherit"))
			p->log = PLAN_LOG_INHERIT;
	}
	p->log_dir = o->log_dir;
	p->log_max_size = o->log_max_size;
	p->restart_always_forced = o->restart && !strcmp(o->restart, "always");
	if (o->type) {
		free(p->type_name);
		p->type_name = NULL;
		p->notify_reload = false;
		if (!strcmp(o->type, "forking"))
			p->type = PLAN_FORKING;
		else if (!strcmp(o->type, "notify"))
			p->type = PLAN_NOTIFY;
		else if (!strcmp(o->type, "oneshot"))
			p->type = PLAN_ONESHOT;
		else
			p->type = PLAN_SIMPLE;
		if (!(p->type_name = strdup(o->type)))
			return -ENOMEM;
	}
	if (o->exec_start) {
		tr_cmds_free(&p->start);
		p->start.v = calloc(1, sizeof(*p->start.v));
		if (!p->start.v)
			return -ENOMEM;
		if (translate_split_exec(o->exec_start, &p->start.v[0]) < 0) {
			diag_add(d, NULL, 0, DIAG_ERROR,
				 "porter.conf exec_start for %s: cannot split \"%s\"", p->unit,
				 o->exec_start);
			free(p->start.v);
			p->start.v = NULL;
			return -EINVAL;
		}
		p->start.n = 1;
	}
	for (size_t i = 0; i < o->n_env; i++)
		if (tr_strv_push(&p->env, &p->n_env, o->env[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int
check_plan(struct run_plan *p, const struct unit *u, struct diag *d)
{
	const char *f = u->fragment;
	int r = tr_restart_growth(p, f, d);
	if (r < 0)
		return r;
	if (!p->start.n && !(p->type == PLAN_ONESHOT && p->stop.n)) {
		diag_add(d, f, 0, DIAG_ERROR,
			 "refused: the service has no ExecStart= (nothing to run)");
		return -EINVAL;
	}
	if (p->start.n > 1 && p->type != PLAN_ONESHOT) {
		diag_add(d, f, 0, DIAG_ERROR,
			 "refused: more than one ExecStart= is only allowed for Type=oneshot");
		return -EINVAL;
	}
	if (p->type == PLAN_ONESHOT &&
	    (p->restart == PLAN_RESTART_ALWAYS || p->restart == PLAN_RESTART_ON_SUCCESS)) {
		diag_add(d, f, 0, DIAG_ERROR,
			 "refused: Restart=always/on-success is not allowed for Type=oneshot");
		return -EINVAL;
	}
	if (p->working_directory) {
		const char *w = p->working_directory + (p->working_directory[0] == '-');
		if (w[0] != '/' && strcmp(w, "~")) {
			diag_add(d, f, 0, DIAG_ERROR,
				 "refused: WorkingDirectory=%s is not absolute",
				 p->working_directory);
			return -EINVAL;
		}
	}
	if (p->type == PLAN_FORKING && !p->pidfile)
		diag_add(
			d, f, 0, DIAG_WARNING,
			"Type=forking without PIDFile=: the main process is the one child left when "
			"the start command exits; porter.conf can run the daemon in the foreground instead");
	if (p->remain_after_exit && p->type != PLAN_ONESHOT)
		diag_add(
			d, f, 0, DIAG_WARNING,
			"RemainAfterExit=yes with Type=%s approximated: when the main process exits the "
			"runit service goes down (finish), so it does not stay active and ExecStop= "
			"does not run at a later stop; porter.conf type = \"oneshot\" keeps it up",
			p->type_name);
	if (p->start_post.n && p->type != PLAN_ONESHOT)
		diag_add(
			d, p->start_post.v[0].file, p->start_post.v[0].line, DIAG_WARNING,
			"ExecStartPost= approximated: runs in a background job %s; the service is "
			"ready (check) only after it, and its failure stops the service as failed, "
			"but the daemon already runs meanwhile",
			p->type == PLAN_SIMPLE ? "right after the main process is started"
					       : "once klein-svc reports the daemon up");
	return 0;
}

int
translate_unit(const struct unit *u, const struct translate_options *o, struct run_plan *ret,
	       struct diag *d)
{
	static const struct translate_options none;
	struct run_plan p;
	int r;

	if (!o)
		o = &none;
	if (u->state != UNIT_LOADED) {
		diag_add(d, u->fragment, 0, DIAG_ERROR, "refused: %s is %s", u->name,
			 unit_state_name(u->state));
		return -EINVAL;
	}
	plan_defaults(&p);
	r = -ENOMEM;
	if (!(p.unit = strdup(u->name)) ||
	    !(p.name = o->name ? strdup(o->name) : translate_service_name(u->name)) ||
	    !(p.type_name = strdup("simple")))
		goto fail;
	if (u->fragment && !(p.fragment = strdup(u->fragment)))
		goto fail;
	for (size_t i = 0; i < u->n_dropins; i++)
		if (tr_strv_push(&p.dropins, &p.n_dropins, u->dropins[i]) < 0)
			goto fail;
	for (size_t i = 0; i < u->n_environment; i++) {
		if (!utf8_valid(u->environment[i])) {
			/* systemd's env_assignment_is_valid(): the value must be UTF-8. */
			const char *eq = strchr(u->environment[i], '=');
			diag_add(
				d, u->fragment, 0, DIAG_WARNING,
				"Environment=%.*s=...: Invalid environment assignment (not UTF-8), ignoring",
				eq ? (int)(eq - u->environment[i]) : 0, u->environment[i]);
			continue;
		}
		if (tr_strv_push(&p.env, &p.n_env, u->environment[i]) < 0)
			goto fail;
	}
	if ((r = tr_exec_lists(&p, u, d)) < 0 || (r = apply_settings(&p, u, d)) < 0)
		goto fail;
	if (p.type == PLAN_SIMPLE && p.start.n == 0 && p.stop.n &&
	    !has_setting(u, "Service", "Type")) {
		/* systemd: no ExecStart= and no Type= means oneshot. */
		p.type = PLAN_ONESHOT;
		free(p.type_name);
		if (!(p.type_name = strdup("oneshot")))
			goto fail;
	}
	if (p.type == PLAN_ONESHOT && !has_setting(u, "Service", "TimeoutStartSec") &&
	    !has_setting(u, "Service", "TimeoutSec"))
		p.timeout_start_usec = PLAN_INFINITY;
	if ((r = apply_options(&p, o, d)) < 0 || (r = check_plan(&p, u, d)) < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	run_plan_done(&p);
	return r;
}

const char *
translate_strategy(const struct run_plan *p)
{
	switch (p->type) {
	case PLAN_FORKING:
		return "forking (klein-svc supervise)";
	case PLAN_NOTIFY:
		return "notify (klein-svc supervise)";
	case PLAN_ONESHOT:
		return p->remain_after_exit ? "oneshot, remain-after-exit" : "oneshot";
	case PLAN_SIMPLE:
		break;
	}
	return "simple (exec in the foreground)";
}

static void
status_set_free(struct plan_status_set *s)
{
	free(s->codes);
	free(s->signals);
}

void
run_plan_done(struct run_plan *p)
{
	if (!p)
		return;
	free(p->unit), free(p->name), free(p->fragment), free(p->description);
	tr_strv_free(p->dropins, p->n_dropins);
	tr_strv_free(p->sockets, p->n_sockets);
	free(p->type_name), free(p->pidfile), free(p->restart_delays);
	struct plan_cmds *all[] = { &p->exec_condition, &p->start_pre, &p->start,    &p->start_post,
				    &p->reload,		&p->stop,      &p->stop_post };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		tr_cmds_free(all[i]);
	free(p->exec_search_path);
	tr_strv_free(p->env, p->n_env);
	tr_strv_free(p->env_files, p->n_env_files);
	tr_strv_free(p->unset_env, p->n_unset_env);
	free(p->user), free(p->group);
	tr_strv_free(p->supplementary_groups, p->n_supplementary_groups);
	free(p->working_directory), free(p->root_directory);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].name), free(p->rlimits[i].value);
	free(p->rlimits);
	for (int i = 0; i < PLAN_DIR_N; i++)
		tr_strv_free(p->dirs[i].names, p->dirs[i].n), tr_dir_links_free(&p->dirs[i]);
	tr_strv_free(p->creds_load, p->n_creds_load);
	tr_strv_free(p->creds_set, p->n_creds_set);
	tr_strv_free(p->creds_import, p->n_creds_import);
	tr_strv_free(p->open_files, p->n_open_files);
	free(p->in.path), free(p->out.path), free(p->err.path);
	for (size_t i = 0; i < p->n_conds; i++)
		free(p->conds[i].value), free(p->conds[i].key), free(p->conds[i].file);
	free(p->conds);
	status_set_free(&p->success_status);
	status_set_free(&p->restart_prevent);
	status_set_free(&p->restart_force);
	free(p->kill_mode);
	tr_strv_free(p->requires, p->n_requires);
	tr_strv_free(p->wants, p->n_wants);
	memset(p, 0, sizeof(*p));
}
