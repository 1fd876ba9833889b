/* SPDX-License-Identifier: MIT */
/* tr_identity: rules for who runs the process and how: user, groups, directories, umask,
 * priorities, resource limits. */
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
tr_user(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_last(s)[0] ? tr_set_str(&p->user, tr_last(s)) : 0;
}

int
tr_group(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_last(s)[0] ? tr_set_str(&p->group, tr_last(s)) : 0;
}

int
tr_supp(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_each_word(s, &p->supplementary_groups, &p->n_supplementary_groups);
}

int
tr_dynamic_user(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)why;
	bool b = false;
	tr_get_bool(s, &b, d);
	if (b)
		tr_warn(d, s, NULL,
			"dropped: there is no transient user allocation; the service runs as "
			"User= (root when unset); create that user in the image");
	return 0;
}

int
tr_pso(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_bool(s, &p->permissions_start_only, d);
}

int
tr_workdir(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_last(s)[0] ? tr_set_str(&p->working_directory, tr_last(s)) : 0;
}

int
tr_rootdir(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_last(s)[0] ? tr_set_str(&p->root_directory, tr_last(s)) : 0;
}

int
tr_umask(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	unsigned m;
	if (tv_mode(tr_last(s), &m) < 0) {
		tr_warn(d, s, NULL, "not an octal mode, ignored");
		return 0;
	}
	p->umask = (int)m;
	return 0;
}

int
tr_nice(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int v;
	if (parse_nice(tr_last(s), &v) < 0) {
		tr_warn(d, s, NULL, "nice priority out of range, ignored");
		return 0;
	}
	p->nice_set = true;
	p->nice = v;
	if (v < 0)
		tr_warn(d, s, NULL, "needs CAP_SYS_NICE, which Docker does not grant by default");
	return 0;
}

int
tr_oom(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int v;
	if (parse_oom_score_adjust(tr_last(s), &v) < 0) {
		tr_warn(d, s, NULL, "OOM score adjustment out of range, ignored");
		return 0;
	}
	p->oom_score_adjust_set = true;
	p->oom_score_adjust = v;
	if (v < 0)
		tr_warn(d, s, NULL,
			"lowering the OOM score needs CAP_SYS_RESOURCE, which Docker does not grant by default");
	return 0;
}

int
tr_sigpipe(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_get_bool(s, &p->ignore_sigpipe, d);
}

int
tr_limit(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *name = s->key + strlen("Limit");
	char *value = NULL;
	int r = tv_rlimit(name, tr_last(s), &value);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		tr_warn(d, s, NULL, "not a resource limit, ignored");
		return 0;
	}
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (!strcmp(p->rlimits[i].name, name)) {
			free(p->rlimits[i].value);
			p->rlimits[i].value = value;
			return 0;
		}
	struct plan_rlimit *nv = realloc(p->rlimits, (p->n_rlimits + 1) * sizeof(*nv));
	if (!nv) {
		free(value);
		return -ENOMEM;
	}
	p->rlimits = nv;
	nv[p->n_rlimits].name = strdup(name);
	nv[p->n_rlimits].value = value;
	if (!nv[p->n_rlimits].name)
		return -ENOMEM;
	p->n_rlimits++;
	return 0;
}
