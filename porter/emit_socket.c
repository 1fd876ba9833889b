/* SPDX-License-Identifier: MIT */
/* emit_socket: socket_plan -> the service directory NAME.socket (run, check, connection). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_sh.h"
#include "socket_plan.h"

/* What sh_header and the command lines read of a plan: the unit's names,
 * and systemd's defaults for the rest (root, umask 0022, cwd /). */
static struct run_plan
socket_exec_plan(const struct socket_plan *sp)
{
	return (struct run_plan){ .unit = sp->unit,
				  .fragment = sp->fragment,
				  .dropins = sp->dropins,
				  .n_dropins = sp->n_dropins,
				  .description = sp->description,
				  .umask = -1 };
}

static bool
has_commands(const struct socket_plan *sp)
{
	return sp->start_pre.n || sp->start_post.n || sp->stop_pre.n || sp->stop_post.n;
}

/* ExecStartPost= in the background, once the sockets exist (Accept=no: the
 * control socket is bound last); a failure stops the socket, as systemd
 * fails it. */
static void
socket_start_post(struct emit_buf *b, const struct socket_plan *sp, const struct run_plan *hp)
{
	emit_add(b, "\n# ExecStartPost=, in the background once the sockets exist.\n( (\n");
	if (!sp->accept) {
		char *ctl = socket_control_path(sp->unit);
		emit_add(b, "\ti=0\n\twhile ! test -S");
		sh_word(b, ctl ? ctl : "");
		emit_add(b, "; do\n\t\tsleep 0.1; i=$((i + 1))\n\t\t[ \"$i\" -lt 900 ] || exit 0\n"
			    "\tdone\n");
		b->oom |= !ctl;
		free(ctl);
	}
	sh_command_lines(b, hp, &sp->start_post, "ExecStartPost", NULL,
			 "{ echo 'ExecStartPost= failed, stopping'; printf d >supervise/control; "
			 "exit 0; }",
			 "\t");
	emit_add(b, ") & )\n");
}

static char *
socket_run(const struct socket_plan *sp)
{
	struct run_plan hp = socket_exec_plan(sp);
	struct emit_buf b = { 0 };
	sh_header(
		&b, &hp,
		sp->accept
			? "run: the socket's accept loop (Accept=yes): ./connection runs once per "
			  "connection."
			: "run: holds the socket's listening sockets (Accept=no); the service fetches "
			  "them\n# (klein-svc exec --sockets), so they outlive its restarts.");
	emit_add(&b, "exec 2>&1\n");
	if (has_commands(sp)) {
		/* systemd's $INVOCATION_ID: one per start of the socket, as for a service. */
		emit_add(
			&b,
			"od -An -N16 -tx1 /dev/urandom | tr -d ' \\n' >supervise/klein.invocation\n");
		sh_env_block(&b, &hp);
		/* A failed socket is not retried by systemd: nor here (d). */
		sh_command_lines(
			&b, &hp, &sp->start_pre, "ExecStartPre", NULL,
			"{ echo 'ExecStartPre= failed'; printf d >supervise/control; exit 1; }",
			"");
		if (sp->start_post.n)
			socket_start_post(&b, sp, &hp);
		emit_add(&b, "\n");
	}
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

/* control/t (ExecStopPre=, before runsv's TERM) or finish (ExecStopPost=,
 * after the holder exited): the socket's stop commands; failures are logged
 * and change nothing, as for systemd. */
static char *
socket_stop_script(const struct socket_plan *sp, const struct plan_cmds *cmds, bool pre)
{
	struct run_plan hp = socket_exec_plan(sp);
	struct emit_buf b = { 0 };
	sh_header(
		&b, &hp,
		pre ? "control/t: runsv runs this before it sends TERM: the socket's ExecStopPre=."
		    : "finish: runsv runs this when run exits: the socket's ExecStopPost=.");
	emit_add(&b, "exec 2>&1 </dev/null\n");
	sh_env_block(&b, &hp);
	sh_command_lines(&b, &hp, cmds, pre ? "ExecStopPre" : "ExecStopPost", NULL, NULL, "");
	/* control/t exiting 0 would stop runsv from sending TERM. */
	emit_add(&b, pre ? "exit 1\n" : "exit 0\n");
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
	if ((r = emit_tree_add(&t, "run", socket_run(sp), 0755, false)) < 0 ||
	    (!sp->accept && (r = emit_tree_add(&t, "check", socket_check(sp), 0755, false)) < 0)) {
		free(connection);
		emit_tree_done(&t);
		return r;
	}
	if (asprintf(&sup, "%s/%s",
		     o && o->supervise_dir ? o->supervise_dir : "/run/runit/supervise",
		     sp->unit) < 0)
		sup = NULL;
	if ((sp->stop_pre.n &&
	     (r = emit_tree_add(&t, "control/t", socket_stop_script(sp, &sp->stop_pre, true), 0755,
				false)) < 0) ||
	    (sp->stop_post.n &&
	     (r = emit_tree_add(&t, "finish", socket_stop_script(sp, &sp->stop_post, false), 0755,
				false)) < 0)) {
		free(connection);
		emit_tree_done(&t);
		return r;
	}
	if ((connection && (r = emit_tree_add(&t, "connection", connection, 0755, false)) < 0) ||
	    (r = emit_tree_add(&t, "supervise", sup, 0, true)) < 0) {
		emit_tree_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}
