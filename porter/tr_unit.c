/* SPDX-License-Identifier: MIT */
/* tr_unit: [Unit] rules: description, dependencies between services, start limit, conditions. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"
#include "values.h"
#include "words.h"

int
tr_description(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_set_str(&p->description, tr_last(s));
}

/* Requires=/Wants=/After=: only .service units become runit dependencies. */
static int
deps(const struct setting *s, char ***v, size_t *n, struct diag *d, bool warn_others)
{
	char **words = NULL;
	size_t nw = 0;
	int r = tr_each_word(s, &words, &nw);
	for (size_t i = 0; r == 0 && i < nw; i++) {
		const char *dot = strrchr(words[i], '.');
		if (dot && !strcmp(dot, ".service")) {
			char *name = translate_service_name(words[i]);
			if (!name)
				r = -ENOMEM;
			else if (!tr_strv_has(*v, *n, name))
				r = tr_strv_push(v, n, name);
			free(name);
		} else if (warn_others && dot && strcmp(dot, ".target") && strcmp(dot, ".slice")) {
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "%s=%s: dropped: only .service units become runit services",
				 s->key, words[i]);
		}
	}
	tr_strv_free(words, nw);
	return r;
}

int
tr_requires(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	size_t before = p->n_requires;
	int r = deps(s, &p->requires, &p->n_requires, d, true);
	if (r == 0 && p->n_requires > before && !strcmp(s->key, "BindsTo"))
		tr_warn(d, s, NULL,
			"approximated as Requires=: the dependency is started and waited "
			"for, but this service is not stopped when it stops");
	else if (r == 0 && p->n_requires > before && !strcmp(s->key, "Requisite"))
		tr_warn(d, s, NULL,
			"approximated as Requires=: the dependency is started instead of "
			"failing this start when it is not already up");
	return r;
}

int
tr_wants(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return deps(s, &p->wants, &p->n_wants, d, strcmp(s->key, "After") != 0);
}

int
tr_before(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	char **v = NULL;
	size_t n = 0;
	int r = deps(s, &v, &n, d, false);
	if (n)
		tr_warn(d, s, NULL,
			"not enforced: runit orders a start only from the later service's "
			"side, so the named service must say After= itself");
	tr_strv_free(v, n);
	(void)p;
	return r;
}

/* StartLimitIntervalSec= (and [Service] StartLimitInterval=, its old name),
 * StartLimitBurst=, StartLimitAction=: finish applies systemd's rate limit. */
int
tr_start_limit(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = tr_last(s);
	if (!strncmp(s->key, "StartLimitInterval", 18))
		return tr_get_time(s, &p->start_limit_interval_usec, d);
	if (!strcmp(s->key, "StartLimitBurst")) {
		unsigned long long n;
		char *end;
		errno = 0;
		n = strtoull(v, &end, 10);
		if (!v[0] || *end || errno || n > 1000000 || v[0] == '-') {
			tr_warn(d, s, NULL, "not a number, ignored");
			return 0;
		}
		p->start_limit_burst = (unsigned)n;
		return 0;
	}
	if (strcmp(v, "none") && v[0])
		tr_warn(d, s, NULL,
			"approximated as none: the service only enters the failed state "
			"(stays down); there is no manager action under runit");
	return 0;
}

static const struct {
	const char *name;
	enum plan_cond_kind kind;
} cond_kinds[] = {
	{ "PathExists", PLAN_COND_PATH_EXISTS },
	{ "PathExistsGlob", PLAN_COND_PATH_EXISTS_GLOB },
	{ "PathIsDirectory", PLAN_COND_PATH_IS_DIRECTORY },
	{ "PathIsSymbolicLink", PLAN_COND_PATH_IS_SYMLINK },
	{ "FileNotEmpty", PLAN_COND_FILE_NOT_EMPTY },
	{ "DirectoryNotEmpty", PLAN_COND_DIRECTORY_NOT_EMPTY },
	{ "FileIsExecutable", PLAN_COND_FILE_IS_EXECUTABLE },
	{ "PathIsMountPoint", PLAN_COND_PATH_IS_MOUNT_POINT },
};

/* What systemd 252 sees inside a Docker container for ConditionVirtualization=. */
static bool
virt_in_container(const char *v)
{
	if (!strcmp(v, "container") || !strcmp(v, "docker"))
		return true;
	int b = tv_boolean(v);
	return b == 1;
}

static int
add_cond(struct run_plan *p, const struct setting *s, const char *value, enum plan_cond_kind kind,
	 bool negate, bool trigger, bool is_assert)
{
	struct plan_cond *nv = realloc(p->conds, (p->n_conds + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	p->conds = nv;
	struct plan_cond *c = &nv[p->n_conds];
	memset(c, 0, sizeof(*c));
	c->kind = kind, c->negate = negate, c->trigger = trigger, c->is_assert = is_assert;
	c->value = strdup(value);
	c->key = strdup(s->key);
	c->file = s->loc.file ? strdup(s->loc.file) : NULL;
	c->line = s->loc.line;
	p->n_conds++;
	return c->value && c->key ? 0 : -ENOMEM;
}

int
tr_cond(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	bool is_assert = !strncmp(s->key, "Assert", 6);
	const char *what = s->key + (is_assert ? 6 : 9);
	for (size_t i = 0; i < s->n_values; i++) {
		const char *v = s->values[i];
		bool trigger = false, negate = false;
		if (!v[0])
			continue; /* the loader already applied the reset */
		if (*v == '|')
			trigger = true, v++;
		while (*v == ' ')
			v++;
		if (*v == '!')
			negate = true, v++;
		int r = 0;
		size_t k;
		for (k = 0; k < ARRAY_SIZE(cond_kinds); k++)
			if (!strcmp(what, cond_kinds[k].name))
				break;
		if (k < ARRAY_SIZE(cond_kinds)) {
			r = add_cond(p, s, v, cond_kinds[k].kind, negate, trigger, is_assert);
		} else if (!strcmp(what, "Virtualization")) {
			bool t = virt_in_container(v) != negate;
			diag_add(
				d, s->loc.file, s->loc.line, DIAG_WARNING,
				"%s=%s: evaluated at convert time as systemd sees a Docker container "
				"(virtualization \"docker\"): %s",
				s->key, s->values[i], t ? "true" : "false");
			r = add_cond(p, s, v, t ? PLAN_COND_CONST_TRUE : PLAN_COND_CONST_FALSE,
				     false, trigger, is_assert);
		} else {
			diag_add(
				d, s->loc.file, s->loc.line, DIAG_WARNING,
				"%s=%s: dropped: cannot be checked from a run script; assumed to hold",
				s->key, s->values[i]);
		}
		if (r < 0)
			return r;
	}
	return 0;
}
