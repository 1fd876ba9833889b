/* SPDX-License-Identifier: MIT */
/* /etc/passwd and /etc/group read directly (a static binary has no NSS). */
#ifndef KLEIN_LIB_PWDB_H
#define KLEIN_LIB_PWDB_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/alloc.h"

struct pw_entry {
	char *name, *dir, *shell;
	uid_t uid;
	gid_t gid;
};

/*
 * Finds the passwd line for key in text: a decimal uid when key is all
 * digits (as systemd's get_user_creds()), else a name. Fills ret (caller
 * calls pw_entry_done()). 0, -ENOENT if absent.
 */
int pw_lookup(const char *text, const char *key, struct pw_entry *ret);
void pw_entry_done(struct pw_entry *e);

/* True when s is a valid User=/Group= value as systemd 252 reads one: a
 * numeric id below 2^32-1 other than 65535, or a relaxed name (no control
 * characters, ':' or '/', no edge blanks, not "." or "..", at most 255). */
bool user_name_valid(const char *s);

/* Group name for gid in /etc/group text, or NULL; caller frees. */
char *gr_name_by_gid(const char *text, gid_t gid);
/* gid of the group key in text: a decimal gid (which must have an entry)
 * when all digits, else a name; 0 or -ENOENT. */
int gr_lookup(const char *text, const char *key, gid_t *ret);
/* Appends (as decimal heap strings) the gids of the groups whose member list
 * holds user, in file order. */
void gr_memberships(const char *text, const char *user, struct strv *out);

#endif
