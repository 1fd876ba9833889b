/* SPDX-License-Identifier: MIT */
/* convert_units: dispatch by unit type; a socket is converted with the service it activates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "emit_files.h"
#include "load.h"
#include "socket_plan.h"
#include "tr.h"
#include "translate.h"

/* A service to convert and the holders it fetches sockets from. */
struct job {
	char *service;
	char **sockets;
	size_t n_sockets;
};

struct jobs {
	struct job *v;
	size_t n;
};

static struct job *
job_for(struct jobs *j, const char *service)
{
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->v[i].service, service))
			return &j->v[i];
	struct job *v = realloc(j->v, (j->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	j->v = v;
	v[j->n] = (struct job){ strdup(service), NULL, 0 };
	return v[j->n].service ? &v[j->n++] : NULL;
}

static const char *
suffix(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot : "";
}

/* Accept=yes: the template's per-connection script (loaded with systemd's
 * placeholder instance "internal"; %i differs per connection in systemd). */
static char *
connection_script(const struct convert_args *a, const struct socket_plan *sp, struct diag *d)
{
	struct load_options lo = { .root = a->root, .instance = "internal", .systemd = a->systemd };
	struct translate_options to = { 0 };
	struct unit u = { 0 };
	struct run_plan p;
	char *text = NULL;
	if (unit_load(sp->service, &lo, &u, d) < 0)
		return NULL;
	if (u.state == UNIT_LOADED && translate_unit(&u, &to, &p, d) == 0) {
		convert_strip_root(a->root, &p.fragment);
		translate_drop_creds(&p, d);
		text = p.start.n ? emit_connection(&p, NULL) : NULL;
		run_plan_done(&p);
	} else {
		diag_add(d, u.fragment, 0, DIAG_ERROR, "%s: %s", sp->service,
			 unit_state_name(u.state));
	}
	unit_done(&u);
	return text;
}

/* Writes NAME.socket; for Accept=no records its holder for the service. */
static int
convert_socket(const struct convert_args *a, const char *name, struct jobs *jobs)
{
	struct load_options lo = { .root = a->root,
				   .instance = a->instance,
				   .systemd = a->systemd };
	struct unit u = { 0 };
	struct diag d = { 0 };
	struct socket_plan sp = { 0 };
	struct emit_tree t = { 0 };
	char *conn = NULL, *in_image = NULL;
	int code = EXIT_OK, r = unit_load(name, &lo, &u, &d);
	if (r < 0 || socket_translate(&u, &sp, &d) < 0) {
		fprintf(stderr, "%s: refused\n", name);
		code = r == -ENOMEM ? EXIT_IO : EXIT_REFUSED;
		goto out;
	}
	convert_strip_root(a->root, &sp.fragment);
	if (!sp.n_ports) {
		/* Only ListenNetlink= and the like: a holder with nothing to hold
		 * would fail at every start, and nothing would activate the
		 * service (systemd starts it on the first kernel event). */
		fprintf(stderr,
			"%s: skipped: none of its Listen*= lines is a socket klein creates (see "
			"the warnings); %s is not started through it\n",
			name, sp.service);
		goto out;
	}
	if (sp.accept && !(conn = connection_script(a, &sp, &d))) {
		fprintf(stderr, "%s: refused: its service %s cannot be converted\n", name,
			sp.service);
		code = EXIT_REFUSED;
		goto out;
	}
	if (asprintf(&in_image, "%s/%s", a->sv_dir, sp.unit) < 0 ||
	    socket_emit_tree(&sp, NULL, conn, &t) < 0) {
		in_image = NULL;
		code = EXIT_IO;
		goto out;
	}
	size_t nw = diag_count(&d, DIAG_WARNING);
	fprintf(stderr, "%s: %s%s, Accept=%s: %s %s%s, %zu warning%s\n", sp.unit,
		a->dry_run ? "would write " : "", in_image, sp.accept ? "yes" : "no",
		sp.accept ? "klein-svc accept runs" : "klein-svc listen holds the sockets for",
		sp.service, sp.accept ? " per connection" : "", nw, nw == 1 ? "" : "s");
	if (a->strict && nw)
		code = EXIT_REFUSED;
	else if (a->dry_run)
		convert_print_tree(in_image, &t);
	else
		code = convert_write(a, sp.unit, sp.fragment ? sp.fragment : sp.unit, &t, in_image);
	if (code == EXIT_OK && !sp.accept) {
		/* A socket given as a path: its service is the file next to it, if any. */
		char *svc = NULL;
		const char *slash = strrchr(name, '/');
		if (slash &&
		    asprintf(&svc, "%.*s/%s", (int)(slash - name), name, sp.service) >= 0 &&
		    access(svc, F_OK) != 0)
			free(svc), svc = NULL;
		struct job *j = job_for(jobs, svc ? svc : sp.service);
		free(svc);
		char *ctl = socket_control_path(sp.unit);
		if (!j || !ctl || tr_strv_push(&j->sockets, &j->n_sockets, ctl) < 0)
			code = EXIT_IO;
		free(ctl);
	}
out:
	diag_print(&d, stderr, "klein-porter");
	diag_done(&d);
	socket_plan_done(&sp);
	emit_tree_done(&t);
	unit_done(&u);
	free(in_image);
	return code;
}

/* Sockets= of a service: converted with it (systemd adds Wants= on them). */
static void
service_sockets(const struct convert_args *a, const char *service, char ***names, size_t *n)
{
	struct load_options lo = { .root = a->root,
				   .instance = a->instance,
				   .systemd = a->systemd };
	struct unit u = { 0 };
	struct diag d = { 0 };
	if (unit_load(service, &lo, &u, &d) == 0) {
		const struct setting *s = unit_setting(&u, "Service", "Sockets");
		for (size_t i = 0; s && i < s->n_values; i++) {
			/* A missing one is a Wants= on nothing: systemd starts the service without it. */
			struct unit su = { 0 };
			struct diag sd = { 0 };
			if (unit_load(s->values[i], &lo, &su, &sd) == 0 && su.state == UNIT_LOADED)
				(void)tr_strv_push(names, n, s->values[i]);
			else
				fprintf(stderr, "%s: skipped: named by Sockets= of %s but %s\n",
					s->values[i], service, unit_state_name(su.state));
			unit_done(&su);
			diag_done(&sd);
		}
	}
	unit_done(&u);
	diag_done(&d);
}

int
convert_units(const struct convert_args *a, const struct porter_conf *conf, char *const *names,
	      size_t n)
{
	struct jobs jobs = { 0 };
	char **socks = NULL, **done = NULL;
	size_t n_socks = 0, n_done = 0;
	int code = EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		const char *sfx = suffix(names[i]);
		if (!strcmp(sfx, ".socket"))
			(void)tr_strv_push(&socks, &n_socks, names[i]);
		else if (!strcmp(sfx, ".service")) {
			if (!job_for(&jobs, names[i]))
				code = EXIT_IO;
			service_sockets(a, names[i], &socks, &n_socks);
		} else if (!strcmp(sfx, ".timer"))
			code = convert_worse(code, convert_timer(a, conf, names[i]));
		else if (strchr(names[i], '/') && !*sfx)
			code = convert_worse(code, convert_one(a, conf, names[i], NULL, 0, false));
		else
			fprintf(stderr,
				"%s: skipped: klein-porter converts .service, .socket and .timer units; "
				"a %s unit has no runit equivalent\n",
				names[i], *sfx ? sfx : "typeless");
	}
	for (size_t i = 0; i < n_socks; i++) {
		bool seen = false;
		for (size_t k = 0; k < n_done && !seen; k++)
			seen = !strcmp(done[k], socks[i]);
		if (seen)
			continue;
		(void)tr_strv_push(&done, &n_done, socks[i]);
		code = convert_worse(code, convert_socket(a, socks[i], &jobs));
	}
	for (size_t i = 0; i < jobs.n; i++) {
		code = convert_worse(code,
				     convert_one(a, conf, jobs.v[i].service, jobs.v[i].sockets,
						 jobs.v[i].n_sockets, false));
		free(jobs.v[i].service);
		tr_strv_free(jobs.v[i].sockets, jobs.v[i].n_sockets);
	}
	free(jobs.v);
	tr_strv_free(socks, n_socks);
	tr_strv_free(done, n_done);
	return code;
}
