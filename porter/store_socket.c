/* SPDX-License-Identifier: MIT */
/* store_socket: how [Socket] Listen*= values are stored (config_parse_socket_listen()). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "table.h"

/* path_simplify(): "//" -> "/", "/./" -> "/", no trailing "/"; then the
 * legacy "/var/run/" prefix becomes "/run/" (systemd logs that at debug level). */
static void
simplify(char *p)
{
	char *w = p;
	for (const char *r = p; *r;) {
		if (r[0] == '/' && (r[1] == '/' || (r[1] == '.' && (r[2] == '/' || !r[2])))) {
			r += r[1] == '/' ? 1 : 2;
			continue;
		}
		*w++ = *r++;
	}
	while (w > p + 1 && w[-1] == '/')
		w--;
	*w = '\0';
	if (!strncmp(p, "/var/run/", 9))
		memmove(p, p + 4, strlen(p + 4) + 1);
}

/* An empty Listen*= of any type empties every type (socket_free_ports()). */
static int
reset_ports(struct loader *L, const struct directive *dr, unsigned line)
{
	struct unit *u = L->u;
	for (size_t i = 0; i < u->n_settings; i++) {
		struct setting *s = &u->settings[i];
		if (!strcmp(s->section, "Socket") && !strncmp(s->key, "Listen", 6)) {
			merge_strv_clear(&s->values, &s->n_values);
			strindex_reset(&s->index);
		}
	}
	merge_strv_clear(&u->ports, &u->n_ports);
	return merge_list_reset(L, dr, line);
}

/* A Listen*= item: specifiers resolved, a path simplified; empty resets. */
int
store_listen(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	if (!*value)
		return reset_ports(L, dr, line);
	char *res = NULL, *port = NULL;
	int r = merge_resolve_value(L, value, line, &res);
	if (r <= 0)
		return r;
	if (res[0] == '/')
		simplify(res);
	if (asprintf(&port, "%s=%s", dr->key, res) < 0)
		port = NULL;
	if ((r = merge_strv_push(&L->u->ports, &L->u->n_ports, port)) < 0) {
		free(res);
		return r;
	}
	return merge_list_add(L, dr, res, line, false);
}
