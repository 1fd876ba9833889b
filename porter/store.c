/* SPDX-License-Identifier: MIT */
/* store: the generic ways an assignment is merged into the unit (scalars,
 * word lists, whole-line lists, dependencies, [Install] lists), as systemd
 * 252's config_parse_string()/config_parse_strv()/config_parse_unit_deps()
 * and co do. The [Service]-specific ones are in store_exec.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "lib/words.h"

int
store_scalar(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	res = strdup(value);
	return res ? merge_scalar(L, dr, res, line) : -ENOMEM;
}

int
store_checked(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	if (dr->check(L, dr, value, line) < 0)
		return 0; /* warned: the assignment is ignored */
	return store_scalar(L, dr, value, line);
}

int
store_scalar_spec(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	int r;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	r = merge_resolve_value(L, value, line, &res);
	return r <= 0 ? r : merge_scalar(L, dr, res, line);
}

/* Slice=: %c and %r of later assignments follow it (see spec_ctx). */
int
store_slice(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	int r;

	if (!*value) {
		L->spec.slice = NULL;
		return merge_scalar(L, dr, NULL, line);
	}
	r = merge_resolve_value(L, value, line, &res);
	if (r <= 0)
		return r;
	L->spec.slice = res;
	return merge_scalar(L, dr, res, line);
}

/* BusName=: a unit without Type= becomes Type=dbus (see verify.c). */
int
store_bus_name(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	int r;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	r = merge_resolve_value(L, value, line, &res);
	if (r <= 0)
		return r;
	L->bus_name = true;
	return merge_scalar(L, dr, res, line);
}

/* Words of value appended to the list (flags: words.h), with specifiers
 * resolved when spec; an empty value resets when reset. */
static int
words_add(struct loader *L, const struct directive *dr, const char *value, unsigned line,
	  unsigned flags, bool spec, bool reset, bool dedup)
{
	const char *p = value;

	if (!*value)
		return reset ? merge_list_reset(L, dr, line) : 0;
	for (;;) {
		char *w = NULL, *res = NULL;
		int r = word_extract(&p, &w, NULL, flags);

		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Invalid syntax, ignoring: %s", value);
			return 0;
		}
		if (r == 0)
			return 0;
		if (spec) {
			r = merge_resolve(L, w, &res);
			if (r == -ENOMEM) {
				free(w);
				return r;
			}
			if (r < 0) {
				WARN("Failed to resolve unit specifiers in %s, ignoring: %s", w,
				     strerror(-r));
				free(w);
				continue;
			}
			free(w);
			w = res;
		}
		r = merge_list_add(L, dr, w, line, dedup);
		if (r < 0)
			return r;
	}
}

int
store_words(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	return words_add(L, dr, value, line, WORD_UNQUOTE, true, true, false);
}

int
store_words_raw(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	return words_add(L, dr, value, line, WORD_UNQUOTE, false, true, false);
}

int
store_line(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	int r;

	if (!*value)
		return merge_list_reset(L, dr, line);
	r = merge_resolve_value(L, value, line, &res);
	return r <= 0 ? r : merge_list_add(L, dr, res, line, false);
}

/* A unit name a dependency may point at: plain, instance or template, of
 * a known unit type. */
static bool
dep_name_ok(const char *n)
{
	static const char *const types[] = { ".service", ".socket",    ".target", ".device",
					     ".mount",	 ".automount", ".swap",	  ".timer",
					     ".path",	 ".slice",     ".scope",  NULL };
	const char *dot = strrchr(n, '.');

	if (!unit_name_is_valid(n) || !dot)
		return false;
	for (size_t i = 0; types[i]; i++)
		if (!strcmp(types[i], dot))
			return true;
	return false;
}

int
store_deps(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	struct setting *before;
	size_t n0;
	int r = words_add(L, dr, value, line, WORD_UNQUOTE | WORD_RETAIN_ESCAPE, true, false, true);

	if (r < 0)
		return r;
	/* Drop names systemd cannot add a dependency on. */
	before = merge_setting(L, dr, true, line);
	if (!before)
		return -ENOMEM;
	n0 = 0;
	for (size_t i = 0; i < before->n_values; i++) {
		char *v = before->values[i];

		if (dep_name_ok(v))
			before->values[n0++] = v;
		else {
			WARN("Failed to add dependency on %s, ignoring: Invalid argument", v);
			free(v);
		}
	}
	before->n_values = n0;
	if (before->values)
		before->values[n0] = NULL;
	return 0;
}

/* The manager does not read [Install]; show the words with specifiers
 * resolved where they resolve, without warnings. */
int
store_install(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	const char *p = value;

	if (!*value)
		return merge_list_reset(L, dr, line);
	for (;;) {
		char *w, *res = NULL;
		int r = word_extract(&p, &w, NULL, WORD_UNQUOTE | WORD_RELAX);

		if (r <= 0)
			return r == -ENOMEM ? r : 0;
		if (merge_resolve(L, w, &res) == 0) {
			free(w);
			w = res;
		}
		r = merge_list_add(L, dr, w, line, false);
		if (r < 0)
			return r;
	}
}
