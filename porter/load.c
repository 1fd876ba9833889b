/* SPDX-License-Identifier: MIT */
/* load: read a unit's fragment and drop-ins (found by unitpath.c), hand each
 * assignment to its directive's row (table.h: the row checks and stores it),
 * then run the unit type's checks, the way systemd 252's load-fragment.c and
 * service_verify() do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "merge.h"
#include "lib/specifier.h"
#include "table.h"
#include "lib/unitfile.h"
#include "unitpath.h"
#include "lib/words.h"

/* Applies one assignment through its row. Returns 0, -ENOEXEC (unit
 * refused: bad-setting), -EINVAL (the file fails to load: error) or -ENOMEM. */
static int
apply(void *userdata, const char *section, const char *key, const char *value, unsigned line)
{
	struct loader *L = userdata;
	const struct section_table *t = section_find(L->type, section);
	const struct directive *dr = directive_find(L->type, section, key, L->systemd);

	if (!t || !dr) {
		if (strncmp(key, "X-", 2))
			WARN("Unknown key '%s' in section [%s], ignoring.", key, section);
		return 0;
	}
	if (*value && dr->use_instead)
		WARN("Unit uses %s=; please use %s= instead. Support for %s= will be removed soon.",
		     dr->key, dr->use_instead, dr->key);
	L->section = t->name;
	return dr->store(L, dr, value, line);
}

/* Reads and applies one file. Returns 0, or the error that stops loading. */
static int
load_file(struct loader *L, const char *sys, const char *root)
{
	const char *sections[8];
	char *host = unitpath_resolved(root, sys), *buf = NULL;
	size_t len = 0, n = 0;
	int r;

	if (!host)
		return -ENOMEM;
	for (; L->type->sections[n] && n < 7; n++)
		sections[n] = L->type->sections[n]->name;
	sections[n] = NULL;
	r = merge_file(L->st, sys, &L->file);
	if (r < 0) {
		free(host);
		return r;
	}
	r = unitpath_read(host, &buf, &len);
	free(host);
	if (r < 0) {
		diag_add(L->d, L->file, 0, DIAG_ERROR, "Failed to read file: %s",
			 r == -EBADFD ? "not a regular file" : strerror(-r));
		return r == -ENOMEM ? r : -EIO;
	}
	r = unit_parse_cb(L->file, buf, len, sections, apply, L, L->d);
	free(buf);
	return r;
}

/* Reads a drop-in. An assignment that would refuse the unit in the main
 * file (a bad Exec line, a relative PIDFile=) ends this drop-in, as
 * systemd's config_parse() stops at it, but systemd ignores the failure of
 * a drop-in: the unit loads with the drop-in's earlier lines, and the error
 * is only logged (so: a warning here). */
static int
load_dropin(struct loader *L, const char *sys, const char *root)
{
	size_t before = L->d ? L->d->n : 0;
	int r = load_file(L, sys, root);

	if (r != -ENOEXEC && r != -EINVAL)
		return r;
	for (size_t i = before; L->d && i < L->d->n; i++)
		L->d->v[i].severity = DIAG_WARNING;
	return 0;
}

/* Sets u->name from base (a template gets o->instance). Returns 0, 1 when
 * the unit cannot be named (state error, diagnosed), -EINVAL for a bad
 * instance or -ENOMEM. */
static int
load_name(struct unit *u, const char *base, const char *prefix, const char *inst,
	  const char *suffix, const struct load_options *o, struct diag *d)
{
	if (inst && !*inst) {
		if (!o->instance || !*o->instance) {
			diag_add(d, NULL, 0, DIAG_ERROR,
				 "Unit name %s is missing the instance name.", base);
			u->name = strdup(base);
			u->state = UNIT_ERROR;
			return u->name ? 1 : -ENOMEM;
		}
		if (asprintf(&u->name, "%s@%s%s", prefix, o->instance, suffix) < 0)
			u->name = NULL;
		if (u->name && !unit_name_is_valid(u->name)) {
			diag_add(d, NULL, 0, DIAG_ERROR, "invalid instance name: %s", o->instance);
			return -EINVAL;
		}
	} else
		u->name = strdup(base);
	return u->name ? 0 : -ENOMEM;
}

/* A unit given as a path: that file, and drop-ins from its directory. */
static int
locate_path(struct unit *u, const char *unit, const char *base, char ***dirs, size_t *n_dirs)
{
	char *dir = strndup(unit, (size_t)(base - unit - 1)), *fin = NULL;
	int f;

	if (dir && !*dir) {
		free(dir);
		dir = strdup("/");
	}
	if (!dir)
		return -ENOMEM;
	f = unitpath_follow(NULL, unit, &fin);
	if (f < 0) {
		free(dir);
		return f;
	}
	u->state = f == FOUND_FILE ? UNIT_LOADED : f == FOUND_MASKED ? UNIT_MASKED : UNIT_NOT_FOUND;
	free(fin);
	if (f == FOUND_FILE && !(u->fragment = strdup(unit))) {
		free(dir);
		return -ENOMEM;
	}
	return merge_strv_push(dirs, n_dirs, dir);
}

/* A unit given by name: found on the search path, drop-ins from all of it. */
static int
locate_name(struct loader *L, const char *root, char ***dirs, size_t *n_dirs)
{
	int r = unitpath_find(root, L->u, &L->st->aliases, &L->st->n_aliases);

	for (size_t i = 0; r >= 0 && unit_search_path[i]; i++)
		r = merge_strv_push(dirs, n_dirs, strdup(unit_search_path[i]));
	return r;
}

/* Applies the fragment and its drop-ins, then the type's checks. Returns 0
 * (u->state tells the outcome) or -ENOMEM. */
static int
load_files(struct loader *L, char *const *dirs, size_t n_dirs, const char *root)
{
	struct unit *u = L->u;
	struct dropin *dv = NULL;
	size_t dn = 0;
	char type_dir[32];
	int r;

	snprintf(type_dir, sizeof(type_dir), "%s.d", L->type->suffix + 1);
	r = unitpath_dropins(root, dirs, n_dirs, u->name, L->st->aliases, L->st->n_aliases,
			     type_dir, &dv, &dn);
	if (r >= 0)
		r = load_file(L, u->fragment, root);
	for (size_t i = 0; i < dn && r >= 0; i++) {
		r = merge_strv_push(&u->dropins, &u->n_dropins, strdup(dv[i].sys));
		if (r >= 0 && !dv[i].masked)
			r = load_dropin(L, dv[i].sys, root);
	}
	unitpath_dropins_free(dv, dn);
	if (r == -ENOMEM)
		return r;
	store_exec_dirs_sort(L);
	if (r >= 0 && L->type->verify)
		r = L->type->verify(L);
	if (r < 0)
		u->state = r == -ENOEXEC ? UNIT_BAD_SETTING : UNIT_ERROR;
	return 0;
}

int
unit_load(const char *unit, const struct load_options *o, struct unit *ret, struct diag *d)
{
	static const struct load_options none = { 0 };
	struct loader L = { 0 };
	struct unit *u = ret;
	const char *root, *base;
	char **dirs = NULL;
	size_t n_dirs = 0;
	bool is_path = strchr(unit, '/') != NULL;
	char *prefix = NULL, *inst = NULL, *suffix = NULL;
	int r;

	if (!o)
		o = &none;
	root = o->root && *o->root ? o->root : "/";
	memset(u, 0, sizeof(*u));
	L.st = calloc(1, sizeof(*L.st));
	if (!L.st)
		return -ENOMEM;
	u->storage = L.st;
	L.u = u;
	L.d = d;
	L.root = root;
	L.systemd = o->systemd ? o->systemd : TABLE_SYSTEMD_VERSION;
	u->systemd = L.systemd;

	base = is_path ? strrchr(unit, '/') + 1 : unit;
	if (unit_name_split(base, &prefix, &inst, &suffix) < 0 ||
	    !(L.type = unit_type_for(suffix))) {
		diag_add(d, NULL, 0, DIAG_ERROR, "not a valid service unit name: %s", base);
		r = -EINVAL;
		goto fail;
	}
	r = load_name(u, base, prefix, inst, suffix, o, d);
	if (r == 1) {
		r = 0;
		goto done;
	}
	if (r >= 0)
		r = is_path ? locate_path(u, unit, base, &dirs, &n_dirs)
			    : locate_name(&L, root, &dirs, &n_dirs);
	if (r < 0)
		goto fail;
	if (u->state != UNIT_LOADED) {
		if (u->state == UNIT_NOT_FOUND)
			diag_add(d, is_path ? unit : NULL, 0, DIAG_ERROR, "Unit %s not found.",
				 u->name);
		goto done;
	}
	L.spec.name = u->name;
	L.spec.fragment = u->fragment;
	L.spec.root = is_path && (!o->root || !*o->root) ? "/" : root;
	r = load_files(&L, dirs, n_dirs, is_path ? NULL : root);
	if (r < 0)
		goto fail;
	goto done;

fail:
	unit_done(u);
done:
	spec_ctx_done(&L.spec);
	merge_strv_clear(&dirs, &n_dirs);
	free(prefix);
	free(inst);
	free(suffix);
	return r;
}
