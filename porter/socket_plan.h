/* SPDX-License-Identifier: MIT */
/* socket_plan: a .socket unit -> the runit service NAME.socket that holds its
 * sockets (`klein-svc listen`, Accept=no) or accepts its connections
 * (`klein-svc accept`, Accept=yes); see docs/porter.md "Socket units". */
#ifndef KLEIN_PORTER_SOCKET_PLAN_H
#define KLEIN_PORTER_SOCKET_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"
#include "emit.h"
#include "load.h"
#include "translate.h"

/* Where a holder's control socket lives (klein-svc exec --sockets PATH). */
#define SOCKET_CONTROL_DIR "/run/klein/sockets"

struct socket_plan {
	char *unit;	/* "ssh.socket" */
	char *fragment; /* the unit file */
	char **dropins;
	size_t n_dropins;
	char *description;
	bool accept;   /* Accept=yes */
	bool stdio;    /* Accept=yes: the template has StandardInput=socket */
	char *service; /* Accept=no: "foo.service"; Accept=yes: the template "foo@.service" */
	char **args;   /* klein-svc listen/accept options, one word each */
	size_t n_args;
	size_t n_ports; /* the Listen*= lines klein-svc opens (others are warned and dropped) */
	/* The socket's own commands (as root, systemd.socket(5)): before the
	 * sockets are made, after, before they are closed, after. */
	struct plan_cmds start_pre, start_post, stop_pre, stop_post;
};

/* Translates a loaded .socket unit. Warnings (dropped directives, values
 * klein-svc cannot take) go to d. Returns 0, -EINVAL (refused) or -ENOMEM. */
int socket_translate(const struct unit *u, struct socket_plan *ret, struct diag *d);
void socket_plan_done(struct socket_plan *sp);

/* "/run/klein/sockets/NAME" for a socket unit name; NULL when out of memory. */
char *socket_control_path(const char *socket_unit);

/* The socket's service directory: run (and check for Accept=no), supervise;
 * connection (Accept=yes) is the template's per-connection script, given as
 * text (NULL for Accept=no). Returns 0 or -ENOMEM. */
int socket_emit_tree(const struct socket_plan *sp, const struct emit_options *o, char *connection,
		     struct emit_tree *ret);

#endif
