/* SPDX-License-Identifier: MIT */
/* load: find a unit on the search path, read its fragment and drop-ins, resolve
 * templates and specifiers, and merge assignments the way systemd 252 does.
 * The result is the "loaded unit" that `klein-porter inspect` prints and the
 * translator consumes. Syntax lives in lib/unitfile.c and lib/words.c; this file knows which
 * directives are lists, scalars, Exec lines or Environment=. */
#ifndef KLEIN_PORTER_LOAD_H
#define KLEIN_PORTER_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"
#include "lib/words.h"
#include "strindex.h"

enum unit_state {
	UNIT_LOADED,
	UNIT_BAD_SETTING, /* systemd: "bad-setting" (e.g. no ExecStart, two ExecStart outside oneshot) */
	UNIT_ERROR,	  /* systemd: "error" (unreadable file, ...) */
	UNIT_MASKED,
	UNIT_NOT_FOUND,
};

/* One directive's final value. Scalars have n_values == 1 (last assignment
 * wins); lists hold every item in order, after empty-assignment resets.
 * Values have specifiers resolved. Exec* and Environment= are not settings. */
struct setting {
	const char *section; /* "Unit", "Service", "Install", ... */
	const char *key;
	bool is_list;
	char **values;
	size_t n_values;
	struct loc loc;	       /* the last assignment that contributed */
	struct strindex index; /* values by key, for dedup in constant time (merge.c) */
};

struct exec_list {
	const char *key; /* "ExecStart", "ExecStartPre", ... */
	struct exec_command *v;
	size_t n;
};

struct unit {
	char *name;	  /* as loaded, instance resolved: "foo@bar.service" */
	unsigned systemd; /* the systemd version it was read as */
	char *fragment;	  /* path of the main file; NULL when not found */
	char **dropins;	  /* in applied order */
	size_t n_dropins;
	enum unit_state state;
	struct setting *settings; /* in order of first assignment */
	size_t n_settings;
	char **environment; /* merged Environment=, "NAME=VALUE", systemd's order */
	size_t n_environment;
	struct strindex env_index; /* environment by name (merge.c) */
	struct exec_list *exec;	   /* one per Exec* key that was set, in first-assignment order */
	size_t n_exec;
	/* [Socket] Listen*= as "KEY=VALUE", in the order of the lines across
	 * the types: systemd keeps one list of ports and passes their fds in it. */
	char **ports;
	size_t n_ports;
	/* Private storage (strings the struct hands out) is owned here too. */
	void *storage;
};

struct load_options {
	const char *root;     /* search path prefix; "/" or NULL for the real root */
	const char *instance; /* for a template name/path without instance; may be NULL */
	unsigned systemd;     /* read as this systemd version (sdversion.h); 0: 252 */
};

/* Loads UNIT (a unit name looked up on the search path under o->root, or a
 * path to a unit file, whose NAME.d/ next to it is read too) into *ret.
 * Every warning and error systemd would print goes to d. Returns 0 when the
 * unit was read (check ret->state: it may still be bad-setting/masked/...),
 * -ENOMEM/-EIO style -errno for system failures, -EINVAL for a bad name.
 * On success the caller frees *ret with unit_done(). */
int unit_load(const char *unit, const struct load_options *o, struct unit *ret, struct diag *d);

/* The final value of SECTION/KEY, or NULL when no file set it. */
const struct setting *unit_setting(const struct unit *u, const char *section, const char *key);

/* The commands of an Exec* KEY, or NULL when not set (or reset to empty). */
const struct exec_list *unit_exec(const struct unit *u, const char *key);

/* "loaded", "bad-setting", "error", "masked", "not-found". */
const char *unit_state_name(enum unit_state s);

/* Frees what u owns. Accepts NULL. */
void unit_done(struct unit *u);

#endif
