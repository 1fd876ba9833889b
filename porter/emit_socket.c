/* SPDX-License-Identifier: MIT */
/* emit_socket: socket_plan -> the service directory NAME.socket (run, check, connection). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_sh.h"
#include "socket_plan.h"

static int
add(struct emit_tree *t, const char *path, char *text, unsigned mode, bool symlink)
{
	if (!text)
		return -ENOMEM;
	struct emit_file *v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v) {
		free(text);
		return -ENOMEM;
	}
	t->v = v;
	v[t->n] = (struct emit_file){ strdup(path), text, mode, symlink };
	t->n++;
	return v[t->n - 1].path ? 0 : -ENOMEM;
}

static char *
socket_run(const struct socket_plan *sp)
{
	/* sh_header reads only the naming fields of a plan. */
	struct run_plan hp = { .unit = sp->unit,
			       .fragment = sp->fragment,
			       .dropins = sp->dropins,
			       .n_dropins = sp->n_dropins,
			       .description = sp->description };
	struct emit_buf b = { 0 };
	sh_header(
		&b, &hp,
		sp->accept
			? "run: the socket's accept loop (Accept=yes): ./connection runs once per "
			  "connection."
			: "run: holds the socket's listening sockets (Accept=no); the service fetches "
			  "them\n# (klein-svc exec --sockets), so they outlive its restarts.");
	emit_add(&b, "exec 2>&1\n");
	if (sp->accept) {
		emit_add(&b, "exec klein-svc accept");
	} else {
		char *ctl = socket_control_path(sp->unit);
		emit_add(&b, "exec klein-svc listen --control");
		sh_word(&b, ctl ? ctl : "");
		b.oom |= !ctl;
		free(ctl);
	}
	/* One option a line: "--name" "--stream" ... are ours, their values quoted. */
	for (size_t i = 0; i < sp->n_args; i++) {
		if (!strncmp(sp->args[i], "--", 2))
			emit_addf(&b, "%s%s", i ? " \\\n\t" : " ", sp->args[i]);
		else
			sh_word(&b, sp->args[i]);
	}
	emit_add(&b, sp->accept ? " \\\n\t-- ./connection\n" : "\n");
	return b.oom ? (free(b.s), NULL) : b.s;
}

static char *
socket_check(const struct socket_plan *sp)
{
	struct emit_buf b = { 0 };
	char *ctl = socket_control_path(sp->unit);
	emit_add(&b, "#!/bin/sh\n# check: up once the sockets exist (the control socket is bound "
		     "last).\nexec test -S");
	sh_word(&b, ctl ? ctl : "");
	emit_add(&b, "\n");
	b.oom |= !ctl;
	free(ctl);
	return b.oom ? (free(b.s), NULL) : b.s;
}

int
socket_emit_tree(const struct socket_plan *sp, const struct emit_options *o, char *connection,
		 struct emit_tree *ret)
{
	struct emit_tree t = { 0 };
	char *sup = NULL;
	int r;
	/* connection is ours from here on: added (and freed with the tree) or freed. */
	if ((r = add(&t, "run", socket_run(sp), 0755, false)) < 0 ||
	    (!sp->accept && (r = add(&t, "check", socket_check(sp), 0755, false)) < 0)) {
		free(connection);
		emit_tree_done(&t);
		return r;
	}
	if (asprintf(&sup, "%s/%s",
		     o && o->supervise_dir ? o->supervise_dir : "/run/runit/supervise",
		     sp->unit) < 0)
		sup = NULL;
	if ((connection && (r = add(&t, "connection", connection, 0755, false)) < 0) ||
	    (r = add(&t, "supervise", sup, 0, true)) < 0) {
		emit_tree_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}
