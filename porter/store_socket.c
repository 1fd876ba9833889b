/* SPDX-License-Identifier: MIT */
/* store_socket: how [Socket] Listen*= values are stored (config_parse_socket_listen()). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "table.h"
#include "lib/specifier.h"

/* patch_var_run(): the legacy "/var/run/" prefix becomes "/run/" (systemd
 * logs that at debug level). */
static void
patch_var_run(char *p)
{
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

/* A Listen*= item (config_parse_socket_listen()): specifiers resolved; a
 * socket address or netlink family checked by the row's grammar, where a
 * unix socket path is kept as written; a FIFO, special file, message queue or
 * USB function path must be absolute and normalized and is simplified; an
 * invalid value is warned about and ignored. Empty resets every port. */
int
store_listen(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	if (!*value)
		return reset_ports(L, dr, line);
	char *res = NULL, *port = NULL;
	int r = merge_resolve_value(L, value, line, &res);
	if (r <= 0)
		return r;
	if (dr->check ? dr->check(L, dr, res, line) < 0
		      : merge_path_check(L, line, dr->key, res, PATH_ABSOLUTE) < 0) {
		free(res);
		return 0;
	}
	if (res[0] == '/')
		patch_var_run(res);
	if (asprintf(&port, "%s=%s", dr->key, res) < 0)
		port = NULL;
	if ((r = merge_strv_push(&L->u->ports, &L->u->n_ports, port)) < 0) {
		free(res);
		return r;
	}
	return merge_list_add(L, dr, res, line, false);
}

/* Service= (config_parse_socket_service()): a .service name, specifiers
 * resolved; another type, or a name systemd cannot load (a template), is
 * warned about and ignored. */
int
store_socket_service(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	size_t n;
	int r = merge_resolve(L, value, &res);

	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		ERR("Failed to resolve unit specifiers in %s: %s", value, strerror(-r));
		return -ENOEXEC;
	}
	n = strlen(res);
	if (n < 8 || strcmp(res + n - 8, ".service")) {
		WARN("Unit must be of type service, ignoring: %s", value);
		free(res);
		return 0;
	}
	if (strstr(res, "@.")) {
		WARN("Failed to load unit %s, ignoring: Unit name %s is missing the instance name.",
		     value, res);
		free(res);
		return 0;
	}
	if (unit_name_is_valid(res) <= 0) {
		WARN("Failed to load unit %s, ignoring: Unit name %s is not valid.", value, res);
		free(res);
		return 0;
	}
	return merge_scalar(L, dr, res, line);
}

/* SocketUser=, SocketGroup=: store_user(); systemd warns about SocketUser=nobody too. */
int
store_socket_user(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	int r = store_user(L, dr, value, line);

	if (r == 0 && !strcmp(dr->key, "SocketUser") && !strcmp(value, "nobody"))
		WARN("Special user nobody configured, this is not safe!");
	return r;
}
