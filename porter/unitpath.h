/* SPDX-License-Identifier: MIT */
/* unitpath: finding a unit file and its drop-ins the way systemd 252 does.
 * Paths named "sys" are as the system sees them; root (NULL or "/" for none)
 * is prefixed to read them. */
#ifndef KLEIN_PORTER_UNITPATH_H
#define KLEIN_PORTER_UNITPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "load.h"

/* The system manager's unit search path, highest priority first
 * (`systemd-analyze unit-paths` on Debian 12); NULL-terminated. */
extern const char *const unit_search_path[];

/* Reads a whole file (at most 64 MiB). Returns 0 or -errno (-EFBIG). */
int unitpath_read(const char *path, char **ret, size_t *ret_len);

/* root + path, with root "/" or NULL meaning none; NULL when out of memory. */
char *unitpath_rooted(const char *root, const char *path);

enum found { FOUND_NONE, FOUND_FILE, FOUND_MASKED };

/* Follows the symlinks of sys under root: FOUND_FILE (*ret: the final
 * system path), FOUND_MASKED (/dev/null, empty file), FOUND_NONE, or -ENOMEM. */
int unitpath_follow(const char *root, const char *sys, char **ret);

/* Finds u->name on the search path (the name, then its template). Sets
 * u->fragment and u->state; an alias symlink renames u->name to the target's
 * name, and the requested name is appended to *aliases. Returns 0 or -errno. */
int unitpath_find(const char *root, struct unit *u, char ***aliases, size_t *n_aliases);

struct dropin {
	char *base;
	char *sys;   /* path as the system sees it */
	bool masked; /* /dev/null or empty: listed (systemd lists it) but not read */
};

/* The drop-ins of unit `name` (with its aliases) from the search
 * directories dirs, in the order systemd applies them: every *.conf of
 * NAME.d/ and the type-wide type_dir ("service.d"), the first directory to
 * have a basename winning, sorted by basename. Returns 0 or -ENOMEM. */
int unitpath_dropins(const char *root, char *const *dirs, size_t n_dirs, const char *name,
		     char *const *aliases, size_t n_aliases, const char *type_dir,
		     struct dropin **ret, size_t *ret_n);

void unitpath_dropins_free(struct dropin *v, size_t n);

#endif
