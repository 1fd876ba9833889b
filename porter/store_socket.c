/* SPDX-License-Identifier: MIT */
/* store_socket: how [Socket] Listen*= values are stored (config_parse_socket_listen()). */
#include <errno.h>
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

/* A Listen*= item: specifiers resolved, a path simplified; empty resets. */
int
store_listen(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	if (!*value)
		return merge_list_reset(L, dr, line);
	char *res = NULL;
	int r = merge_resolve(L, value, &res);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		WARN("Failed to resolve unit specifiers in %s, ignoring: %s", value, strerror(-r));
		return 0;
	}
	if (res[0] == '/')
		simplify(res);
	return merge_list_add(L, dr, res, line, false);
}
