/* SPDX-License-Identifier: MIT */
/* emit: run_plan -> the files of a runit service directory (one emit_*.c
 * per generated file; this file assembles the tree). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "emit_files.h"
#include "emit_sh.h"

int
emit_tree_add(struct emit_tree *t, const char *path, char *text, unsigned mode, bool symlink)
{
	if (!text)
		return -ENOMEM;
	struct emit_file *v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v) {
		free(text);
		return -ENOMEM;
	}
	t->v = v;
	v[t->n].path = strdup(path);
	v[t->n].text = text;
	v[t->n].mode = mode;
	v[t->n].symlink = symlink;
	t->n++;
	return v[t->n - 1].path ? 0 : -ENOMEM;
}

static char *
link_target(const struct emit_options *o, const char *name, const char *suffix)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s%s", o->supervise_dir ? o->supervise_dir : "/run/runit/supervise",
		     name, suffix) < 0)
		return NULL;
	return s;
}

int
emit_tree(const struct run_plan *p, const struct emit_options *o, struct emit_tree *ret)
{
	struct emit_tree t = { 0 };
	static const struct emit_options defaults = { "/run/runit/supervise", "/etc/service" };
	int r;
	if (!o)
		o = &defaults;
	bool check = p->type == PLAN_FORKING || p->type == PLAN_NOTIFY || sh_post_gates(p) ||
		     (p->type == PLAN_ONESHOT && p->remain_after_exit);
	if ((r = emit_tree_add(&t, "run", emit_run(p, o), 0755, false)) < 0 ||
	    (r = emit_tree_add(&t, "finish", emit_finish(p), 0755, false)) < 0 ||
	    (check && (r = emit_tree_add(&t, "check", emit_check(p), 0755, false)) < 0) ||
	    (r = emit_tree_add(&t, "control/t", emit_control_t(p), 0755, false)) < 0 ||
	    ((p->reload.n || p->notify_reload) &&
	     (r = emit_tree_add(&t, "control/h", emit_control_h(p), 0755, false)) < 0) ||
	    (r = emit_tree_add(&t, "supervise", link_target(o, p->name, ""), 0, true)) < 0 ||
	    (p->timer_target && (r = emit_tree_add(&t, "down", strdup(""), 0644, false)) < 0))
		goto fail;
	if (p->log != PLAN_LOG_INHERIT &&
	    ((r = emit_tree_add(&t, "log/run", emit_log_run(p), 0755, false)) < 0 ||
	     (r = emit_tree_add(&t, "log/supervise", link_target(o, p->name, ".log"), 0, true)) <
		     0))
		goto fail;
	*ret = t;
	return 0;
fail:
	emit_tree_done(&t);
	return r;
}

void
emit_tree_done(struct emit_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path), free(t->v[i].text);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
