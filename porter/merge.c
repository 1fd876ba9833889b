/* SPDX-License-Identifier: MIT */
/* merge: assignments accumulate into a struct unit (see merge.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "lib/unitfile.h"
#include "lib/words.h"

int
merge_file(struct store *st, const char *file, const char **ret)
{
	char **v = realloc(st->files, (st->n_files + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	st->files = v;
	v[st->n_files] = strdup(file);
	if (!v[st->n_files])
		return -ENOMEM;
	*ret = v[st->n_files++];
	return 0;
}

int
merge_strv_push(char ***v, size_t *n, char *s)
{
	if (!s)
		return -ENOMEM;
	/* Geometric growth: a list of n items costs O(n), not O(n^2). */
	if (strv_reserve(v, *n) < 0) {
		free(s);
		return -ENOMEM;
	}
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
	return 0;
}

void
merge_strv_clear(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

struct setting *
merge_setting(struct loader *L, const struct directive *dr, bool is_list, unsigned line)
{
	struct unit *u = L->u;
	struct setting *s;

	for (size_t i = 0; i < u->n_settings; i++)
		if (u->settings[i].section == L->section && u->settings[i].key == dr->key) {
			s = &u->settings[i];
			goto found;
		}
	s = realloc(u->settings, (u->n_settings + 1) * sizeof(*s));
	if (!s)
		return NULL;
	u->settings = s;
	s = &u->settings[u->n_settings++];
	memset(s, 0, sizeof(*s));
	s->section = L->section;
	s->key = dr->key;
	s->is_list = is_list;
found:
	s->loc.file = L->file;
	s->loc.line = line;
	return s;
}

/* Sets a scalar (value taken over; NULL unsets). */
int
merge_scalar(struct loader *L, const struct directive *dr, char *value, unsigned line)
{
	struct setting *s = merge_setting(L, dr, false, line);

	if (!s) {
		free(value);
		return -ENOMEM;
	}
	merge_strv_clear(&s->values, &s->n_values);
	strindex_reset(&s->index);
	if (!value)
		return 0;
	return merge_strv_push(&s->values, &s->n_values, value);
}

int
merge_list_reset(struct loader *L, const struct directive *dr, unsigned line)
{
	struct setting *s = merge_setting(L, dr, true, line);

	if (!s)
		return -ENOMEM;
	merge_strv_clear(&s->values, &s->n_values);
	strindex_reset(&s->index);
	return 0;
}

int
merge_list_add(struct loader *L, const struct directive *dr, char *value, unsigned line, bool dedup)
{
	struct setting *s = merge_setting(L, dr, true, line);

	if (!s) {
		free(value);
		return -ENOMEM;
	}
	if (dedup) {
		size_t cursor = 0;

		if (strindex_sync(&s->index, s->values, s->n_values, strindex_key_all) < 0) {
			free(value);
			return -ENOMEM;
		}
		if (strindex_next(&s->index, s->values, value, strlen(value), &cursor) !=
		    (size_t)-1) {
			free(value);
			return 0;
		}
	}
	return merge_strv_push(&s->values, &s->n_values, value);
}

int
merge_resolve(void *ctx, const char *in, char **out)
{
	struct loader *L = ctx;

	return spec_expand(&L->spec, in, UNIT_LINE_MAX, out);
}

int
merge_resolve_value(struct loader *L, const char *value, unsigned line, char **res)
{
	int r = merge_resolve(L, value, res);

	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		WARN("Failed to resolve unit specifiers in %s, ignoring: %s", value, strerror(-r));
		return 0;
	}
	return 1;
}

int
merge_resolve_path(struct loader *L, const char *in, char **out)
{
	return spec_expand(&L->spec, in, PATH_MAX, out);
}

int
merge_path_check(struct loader *L, unsigned line, const char *key, char *path, unsigned flags)
{
	const char *ign = (flags & (PATH_FATAL | PATH_FATAL_MSG)) ? "" : ", ignoring";
	enum diag_severity sev = (flags & PATH_FATAL) ? DIAG_ERROR : DIAG_WARNING;
	bool abs = path[0] == '/';

	if (!abs && (flags & PATH_ABSOLUTE)) {
		diag_add(L->d, L->file, line, sev, "%s= path is not absolute%s: %s", key, ign,
			 path);
		return -EINVAL;
	}
	if (abs && (flags & PATH_RELATIVE)) {
		diag_add(L->d, L->file, line, sev, "%s= path is absolute%s: %s", key, ign, path);
		return -EINVAL;
	}
	path_simplify(path);
	if (!path_is_valid(path)) {
		diag_add(L->d, L->file, line, sev, "%s= path has invalid length (%zu bytes)%s.",
			 key, strlen(path), ign);
		return -EINVAL;
	}
	if (!path_is_normalized(path)) {
		diag_add(L->d, L->file, line, sev, "%s= path is not normalized%s: %s", key, ign,
			 path);
		return -EINVAL;
	}
	return 0;
}

int
merge_env(struct unit *u, char *assign)
{
	size_t nl = (size_t)(strchr(assign, '=') - assign), cursor = 0, i;

	/* By name through an index: a scan per assignment was quadratic. */
	if (strindex_sync(&u->env_index, u->environment, u->n_environment, strindex_key_name) < 0) {
		free(assign);
		return -ENOMEM;
	}
	i = strindex_next(&u->env_index, u->environment, assign, nl, &cursor);
	if (i != (size_t)-1) {
		free(u->environment[i]);
		u->environment[i] = assign;
		return 0;
	}
	return merge_strv_push(&u->environment, &u->n_environment, assign);
}

struct exec_list *
merge_exec_list(struct unit *u, const char *key)
{
	struct exec_list *e;

	for (size_t i = 0; i < u->n_exec; i++)
		if (u->exec[i].key == key)
			return &u->exec[i];
	e = realloc(u->exec, (u->n_exec + 1) * sizeof(*e));
	if (!e)
		return NULL;
	u->exec = e;
	e = &u->exec[u->n_exec++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

void
merge_exec_clear(struct exec_list *e)
{
	for (size_t i = 0; i < e->n; i++)
		exec_command_done(&e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

const struct setting *
unit_setting(const struct unit *u, const char *section, const char *key)
{
	for (size_t i = 0; u && i < u->n_settings; i++)
		if (!strcmp(u->settings[i].section, section) && !strcmp(u->settings[i].key, key))
			return u->settings[i].n_values ? &u->settings[i] : NULL;
	return NULL;
}

const struct exec_list *
unit_exec(const struct unit *u, const char *key)
{
	for (size_t i = 0; u && i < u->n_exec; i++)
		if (!strcmp(u->exec[i].key, key))
			return u->exec[i].n ? &u->exec[i] : NULL;
	return NULL;
}

const char *
unit_state_name(enum unit_state s)
{
	switch (s) {
	case UNIT_LOADED:
		return "loaded";
	case UNIT_BAD_SETTING:
		return "bad-setting";
	case UNIT_ERROR:
		return "error";
	case UNIT_MASKED:
		return "masked";
	case UNIT_NOT_FOUND:
		return "not-found";
	}
	return "error";
}

void
unit_done(struct unit *u)
{
	struct store *st;

	if (!u)
		return;
	st = u->storage;
	free(u->name);
	free(u->fragment);
	merge_strv_clear(&u->dropins, &u->n_dropins);
	for (size_t i = 0; i < u->n_settings; i++) {
		merge_strv_clear(&u->settings[i].values, &u->settings[i].n_values);
		strindex_done(&u->settings[i].index);
	}
	free(u->settings);
	merge_strv_clear(&u->environment, &u->n_environment);
	strindex_done(&u->env_index);
	for (size_t i = 0; i < u->n_exec; i++)
		merge_exec_clear(&u->exec[i]);
	free(u->exec);
	merge_strv_clear(&u->ports, &u->n_ports);
	if (st) {
		merge_strv_clear(&st->files, &st->n_files);
		merge_strv_clear(&st->aliases, &st->n_aliases);
		free(st);
	}
	memset(u, 0, sizeof(*u));
}
