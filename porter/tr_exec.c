/* SPDX-License-Identifier: MIT */
/* tr_exec: Exec* command lists -> plan commands. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"
#include "lib/values.h"
#include "lib/words.h"

static int
tr_cmd_copy(struct plan_cmd *c, const struct exec_command *e)
{
	memset(c, 0, sizeof(*c));
	c->path = strdup(e->path);
	c->argv = calloc(e->argc + 1, sizeof(char *));
	if (!c->path || !c->argv)
		return -ENOMEM;
	for (size_t i = 0; i < e->argc; i++)
		if (!(c->argv[i] = strdup(e->argv[i])))
			return -ENOMEM;
	c->argc = e->argc;
	c->argv0_given = e->argc && strcmp(e->argv[0], e->path);
	c->ignore_failure = e->flags & EXEC_IGNORE_FAILURE;
	c->no_expand = e->flags & EXEC_NO_ENV_EXPAND;
	c->as_root = e->flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID);
	c->full_privileges = e->flags & EXEC_FULL_PRIVILEGES;
	c->file = e->loc.file ? strdup(e->loc.file) : NULL;
	c->line = e->loc.line;
	return 0;
}

void
tr_cmds_free(struct plan_cmds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		if (c->v[i].argv)
			tr_strv_free(c->v[i].argv, c->v[i].argc);
		free(c->v[i].file);
	}
	free(c->v);
	c->v = NULL, c->n = 0;
}

int
tr_exec_lists(struct run_plan *p, const struct unit *u, struct diag *d)
{
	static const struct {
		const char *key;
		size_t off;
	} lists[] = {
		{ "ExecCondition", offsetof(struct run_plan, exec_condition) },
		{ "ExecStartPre", offsetof(struct run_plan, start_pre) },
		{ "ExecStart", offsetof(struct run_plan, start) },
		{ "ExecStartPost", offsetof(struct run_plan, start_post) },
		{ "ExecReload", offsetof(struct run_plan, reload) },
		{ "ExecStop", offsetof(struct run_plan, stop) },
		{ "ExecStopPost", offsetof(struct run_plan, stop_post) },
	};
	for (size_t i = 0; i < u->n_exec; i++) {
		const struct exec_list *el = &u->exec[i];
		size_t k;
		for (k = 0; k < ARRAY_SIZE(lists); k++)
			if (!strcmp(lists[k].key, el->key))
				break;
		if (k == ARRAY_SIZE(lists)) {
			if (el->n)
				diag_add(d, el->v[0].loc.file, el->v[0].loc.line, DIAG_WARNING,
					 "%s= dropped: unknown command list", el->key);
			continue;
		}
		struct plan_cmds *pc = (struct plan_cmds *)((char *)p + lists[k].off);
		if (tr_cmds_from_list(pc, el, d) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
tr_cmds_from_list(struct plan_cmds *pc, const struct exec_list *el, struct diag *d)
{
	tr_cmds_free(pc);
	if (!el->n)
		return 0;
	pc->v = calloc(el->n, sizeof(*pc->v));
	if (!pc->v)
		return -ENOMEM;
	for (size_t j = 0; j < el->n; j++) {
		pc->n = j + 1;
		if (tr_cmd_copy(&pc->v[j], &el->v[j]) < 0)
			return -ENOMEM;
		if (el->v[j].flags & EXEC_AMBIENT)
			diag_add(
				d, el->v[j].loc.file, el->v[j].loc.line, DIAG_WARNING,
				"%s=!!: ambient capabilities are not granted; the command runs as User= without them",
				el->key);
	}
	return 0;
}

static int
identity(void *ctx, const char *in, char **out)
{
	(void)ctx;
	*out = strdup(in);
	return *out ? 0 : -ENOMEM;
}

int
translate_split_exec(const char *value, struct plan_cmd *ret)
{
	struct exec_command *v = NULL;
	size_t n = 0;
	struct diag d = { 0 };
	int r = exec_parse(value, identity, NULL, &v, &n, &d, "porter.conf", 0);
	if (r == 0 && (n != 1 || diag_count(&d, DIAG_ERROR) || diag_count(&d, DIAG_WARNING)))
		r = -EINVAL;
	if (r == 0)
		r = tr_cmd_copy(ret, &v[0]);
	for (size_t i = 0; i < n; i++)
		exec_command_done(&v[i]);
	free(v);
	diag_done(&d);
	return r;
}
