/* SPDX-License-Identifier: MIT */
/* store_exec: how the [Service] directives with their own grammar are merged
 * (Exec*, Environment=, users and groups, *Directory=, PIDFile=,
 * WorkingDirectory=, exit-status sets, standard streams), as systemd 252's
 * load-fragment.c parsers do, with their warnings. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/env.h"
#include "lib/pwdb.h"
#include "merge.h"
#include "lib/unitfile.h"
#include "lib/values.h"
#include "lib/words.h"

static bool
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

/* StandardOutput=/StandardError=/StandardInput= values that take a path. */
static const char *
std_path_prefix(const char *v)
{
	static const char *const pfx[] = { "file:", "append:", "truncate:", "fd:", NULL };

	for (size_t i = 0; pfx[i]; i++)
		if (!strncmp(v, pfx[i], strlen(pfx[i])))
			return pfx[i];
	return NULL;
}

/* Adds one *Directory= item the way exec_directory_add() does: one entry
 * per directory; a symlink (SRC:DST, systemd >= 250) is attached to its
 * directory. Items are "SRC" or "SRC:DST" (one item per symlink), with ':'
 * and '\' inside SRC written as "\:" and "\\" so that the first bare ':'
 * always ends SRC. */
static int
exec_dir_add(struct loader *L, const struct directive *dr, const char *src, const char *dst,
	     unsigned line)
{
	struct setting *s = merge_setting(L, dr, true, line);
	size_t n = strlen(src);
	char *esc = malloc(n * 2 + 1), *o = esc, *item;

	if (!s || !esc) {
		free(esc);
		return -ENOMEM;
	}
	for (const char *p = src; *p; p++) {
		if (*p == ':' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	n = strlen(esc);
	/* The entries of this SRC, through the index (a scan was quadratic). */
	if (strindex_sync(&s->index, s->values, s->n_values, strindex_key_src) < 0) {
		free(esc);
		return -ENOMEM;
	}
	for (size_t cursor = 0, i;
	     (i = strindex_next(&s->index, s->values, esc, n, &cursor)) != (size_t)-1;) {
		const char *v = s->values[i];

		if (!dst || (v[n] == ':' && !strcmp(v + n + 1, dst))) {
			free(esc); /* the directory (or this very symlink) is there */
			return 0;
		}
		if (!v[n]) {
			/* A plain entry gets the symlink attached. */
			if (asprintf(&item, "%s:%s", esc, dst) < 0) {
				free(esc);
				return -ENOMEM;
			}
			free(s->values[i]);
			s->values[i] = item;
			free(esc);
			return 0;
		}
	}
	if (dst) {
		if (asprintf(&item, "%s:%s", esc, dst) < 0)
			item = NULL;
		free(esc);
	} else
		item = esc;
	return merge_strv_push(&s->values, &s->n_values, item);
}

/* PassEnvironment= (config_parse_pass_environ(): quotes, no C escapes, a
 * variable name per word) and UnsetEnvironment= (config_parse_unset_environ():
 * C escapes too, a name or a NAME=VALUE assignment). Duplicates are dropped;
 * a quoting/escape error keeps the words before it. */
int
store_env_names(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	bool unset = !strcmp(dr->key, "UnsetEnvironment");
	const char *p = value;

	if (!*value)
		return merge_list_reset(L, dr, line);
	for (;;) {
		char *w = NULL, *res = NULL;
		int r = word_extract(&p, &w, NULL, WORD_UNQUOTE | (unset ? WORD_CUNESCAPE : 0));

		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Trailing garbage in %s, ignoring: %s", dr->key, value);
			return 0;
		}
		if (r == 0)
			return 0;
		r = merge_resolve(L, w, &res);
		if (r == -ENOMEM) {
			free(w);
			return r;
		}
		if (r < 0) {
			WARN("Failed to resolve %sspecifiers in %s, ignoring: %s",
			     unset ? "unit " : "", w, strerror(-r));
			free(w);
			continue;
		}
		free(w);
		if (!env_name_valid(res, strlen(res)) && !(unset && env_assignment_valid(res))) {
			if (unset)
				WARN("Invalid environment name or assignment %s, ignoring: %s",
				     dr->key, res);
			else
				WARN("Invalid environment name for %s, ignoring: %s", dr->key, res);
			free(res);
			continue;
		}
		r = merge_list_add(L, dr, res, line, true);
		if (r < 0)
			return r;
	}
}

int
store_exec(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	struct exec_list *e = merge_exec_list(L->u, dr->key);
	size_t before;
	int r;

	if (!e)
		return -ENOMEM;
	if (!*value) {
		merge_exec_clear(e);
		return 0;
	}
	before = e->n;
	r = exec_parse(value, merge_resolve, L, &e->v, &e->n, L->d, L->file, line);
	for (size_t i = before; i < e->n; i++) {
		e->v[i].loc.file = L->file;
		e->v[i].loc.line = line;
	}
	return r;
}

int
store_env(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	const char *p = value;
	char *res = NULL;
	int r;

	if (!*value) {
		merge_strv_clear(&L->u->environment, &L->u->n_environment);
		strindex_reset(&L->u->env_index);
		return 0;
	}
	for (;;) {
		char *w;

		r = word_extract(&p, &w, NULL, WORD_CUNESCAPE | WORD_UNQUOTE);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Invalid syntax, ignoring: %s", value);
			return 0;
		}
		if (r == 0)
			return 0;
		r = merge_resolve(L, w, &res);
		if (r == -ENOMEM) {
			free(w);
			return r;
		}
		if (r < 0) {
			WARN("Failed to resolve specifiers in %s, ignoring: %s", w, strerror(-r));
			free(w);
			continue;
		}
		free(w);
		if (!env_assignment_valid(res)) {
			WARN("Invalid environment assignment, ignoring: %s", res);
			free(res);
			continue;
		}
		r = merge_env(L->u, res);
		if (r < 0)
			return r;
	}
}

int
store_env_file(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	int r;

	if (!*value)
		return merge_list_reset(L, dr, line);
	r = merge_resolve_path(L, value, &res);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		WARN("Failed to resolve unit specifiers in '%s', ignoring: %s", value,
		     strerror(-r));
		return 0;
	}
	if (merge_path_check(L, line, dr->key, res[0] == '-' ? res + 1 : res, PATH_ABSOLUTE) < 0) {
		free(res);
		return 0;
	}
	return merge_list_add(L, dr, res, line, false);
}

int
store_user(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *res = NULL;
	int r;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	r = merge_resolve(L, value, &res);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		ERR("Failed to resolve unit specifiers in %s: %s", value, strerror(-r));
		return -ENOEXEC;
	}
	if (!user_name_valid(res)) {
		ERR("Invalid user/group name or numeric ID: %s", res);
		free(res);
		return -ENOEXEC;
	}
	if (!strcmp(dr->key, "User") && !strcmp(res, "nobody"))
		WARN("Special user nobody configured, this is not safe!");
	return merge_scalar(L, dr, res, line);
}

int
store_groups(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	const char *p = value;
	char *res = NULL;
	int r;

	if (!*value)
		return merge_list_reset(L, dr, line);
	for (;;) {
		char *w;

		r = word_extract(&p, &w, NULL, 0);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Invalid syntax, ignoring: %s", value);
			return 0;
		}
		if (r == 0)
			return 0;
		r = merge_resolve(L, w, &res);
		if (r == -ENOMEM) {
			free(w);
			return r;
		}
		if (r < 0) {
			ERR("Failed to resolve unit specifiers in %s: %s", w, strerror(-r));
			free(w);
			return -ENOEXEC;
		}
		free(w);
		if (!user_name_valid(res)) {
			ERR("Invalid user/group name or numeric ID: %s", res);
			free(res);
			return -ENOEXEC;
		}
		r = merge_list_add(L, dr, res, line, false);
		if (r < 0)
			return r;
	}
}

int
store_exec_dir(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	const char *p = value;
	char *res = NULL;
	int r;

	if (!*value)
		return merge_list_reset(L, dr, line);
	for (;;) {
		char *tuple, *src = NULL;
		const char *type;

		r = word_extract(&p, &tuple, NULL, WORD_UNQUOTE | WORD_RETAIN_ESCAPE);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Invalid syntax %s=%s, ignoring: %s", dr->key, value, strerror(-r));
			return 0;
		}
		if (r == 0)
			return 0;
		type = tuple;
		r = word_extract(&type, &src, ":", WORD_CUNESCAPE | WORD_UNESCAPE_SEPARATORS);
		if (r <= 0) {
			if (r == -ENOMEM) {
				free(tuple);
				return r;
			}
			WARN("Invalid syntax in %s=, ignoring: %s", dr->key, tuple);
			free(tuple);
			continue;
		}
		r = merge_resolve_path(L, src, &res);
		if (r < 0) {
			if (r != -ENOMEM)
				WARN("Failed to resolve unit specifiers in \"%s\", ignoring: %s",
				     src, strerror(-r));
			free(src);
			free(tuple);
			if (r == -ENOMEM)
				return r;
			continue;
		}
		free(src);
		if (!utf8_valid(res)) {
			/* A \xHH escape can make the name invalid UTF-8. */
			char *shown = utf8_escape_invalid(res);

			WARN("String is not UTF-8 clean, ignoring assignment: %s",
			     shown ? shown : "");
			free(shown);
			free(res);
			free(tuple);
			continue;
		}
		if (merge_path_check(L, line, dr->key, res, PATH_RELATIVE) < 0) {
			free(res);
			free(tuple);
			continue;
		}
		if (!strncmp(res, "private", 7) && (!res[7] || res[7] == '/')) {
			WARN("%s= path can't be 'private', ignoring: %s", dr->key, res);
			free(res);
			free(tuple);
			continue;
		}
		r = exec_dir_add(L, dr, res, type && *type ? type : NULL, line);
		free(res);
		free(tuple);
		if (r < 0)
			return r;
	}
}

/* PIDFile=; notice: systemd logs the /var/run rewrite where the user sees it
 * (257: LOG_NOTICE; 252: debug only). */
static int
pid_file(struct loader *L, const struct directive *dr, const char *value, unsigned line,
	 bool notice)
{
	char *n;
	char *res = NULL;
	int r;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	r = merge_resolve_path(L, value, &res);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		WARN("Failed to resolve unit specifiers in '%s', ignoring: %s", value,
		     strerror(-r));
		return 0;
	}
	if (res[0] != '/') {
		if (asprintf(&n, "/run/%s", res) < 0) {
			free(res);
			return -ENOMEM;
		}
		free(res);
		res = n;
	}
	if (!strncmp(res, "/var/run/", 9)) {
		/* systemd 252 logs this rewrite at debug level only (the
		 * oracle shows it with SYSTEMD_LOG_LEVEL=debug): no warning. */
		const char *e = res + 9;

		while (*e == '/')
			e++;
		if (asprintf(&n, "/run/%s", e) < 0) {
			free(res);
			return -ENOMEM;
		}
		if (notice)
			WARN("PIDFile= references a path below legacy directory /var/run/, updating "
			     "%s \xe2\x86\x92 %s; please update the unit file accordingly.",
			     res, n);
		free(res);
		res = n;
	}
	if (merge_path_check(L, line, dr->key, res, PATH_ABSOLUTE) < 0) {
		/* config_parse_pid_file() returns the error: the unit
		 * fails to load ("error"), despite the ", ignoring". */
		free(res);
		return -EINVAL;
	}
	return merge_scalar(L, dr, res, line);
}

int
store_pid_file(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	return pid_file(L, dr, value, line, false);
}

int
store_pid_file_notice(struct loader *L, const struct directive *dr, const char *value,
		      unsigned line)
{
	return pid_file(L, dr, value, line, true);
}

int
store_workdir(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	bool missing_ok = value[0] == '-';
	const char *v = value + missing_ok;
	char *n;
	char *res = NULL;
	int r;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	if (!strcmp(v, "~")) {
		n = strdup(value);
		return n ? merge_scalar(L, dr, n, line) : -ENOMEM;
	}
	r = merge_resolve_path(L, v, &res);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		diag_add(L->d, L->file, line, missing_ok ? DIAG_WARNING : DIAG_ERROR,
			 "Failed to resolve unit specifiers in working directory path '%s'%s: %s",
			 v, missing_ok ? ", ignoring" : "", strerror(-r));
		return missing_ok ? 0 : -ENOEXEC;
	}
	if (merge_path_check(L, line, dr->key, res, PATH_ABSOLUTE | (missing_ok ? 0 : PATH_FATAL)) <
	    0) {
		free(res);
		return missing_ok ? 0 : -ENOEXEC;
	}
	if (missing_ok) {
		if (asprintf(&n, "-%s", res) < 0)
			n = NULL;
		free(res);
		res = n;
		if (!res)
			return -ENOMEM;
	}
	return merge_scalar(L, dr, res, line);
}

int
store_status(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	/* config_parse_set_status(): plain words (quotes are not
	 * special), each an exit status or a signal name. */
	const char *p = value;
	int r;

	if (!*value)
		return merge_list_reset(L, dr, line);
	for (;;) {
		char *w;

		r = word_extract(&p, &w, NULL, 0);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Invalid syntax, ignoring: %s", value);
			return 0;
		}
		if (r == 0)
			return 0;
		/* A number is an exit status only ("09" is no signal). */
		if (exit_status_from_string(w) < 0 &&
		    (isdigit((unsigned char)w[0]) || parse_signal(w) <= 0)) {
			WARN("Failed to parse value, ignoring: %s", w);
			free(w);
			continue;
		}
		r = merge_list_add(L, dr, w, line, false);
		if (r < 0)
			return r;
	}
}

/* StandardOutput=/StandardError= (output) and StandardInput=: a name, or
 * file:/append:/truncate:/fd: with a path; syslog is rewritten to journal. */
static int
store_stdio(struct loader *L, const struct directive *dr, const char *value, unsigned line,
	    bool output)
{
	char *res = NULL;
	int r;

	static const char *const out_vals[] = { "inherit",	  "null",   "tty",
						"journal",	  "kmsg",   "journal+console",
						"kmsg+console",	  "socket", "syslog",
						"syslog+console", NULL };
	static const char *const in_vals[] = { "null",	 "tty",	 "tty-force", "tty-fail",
					       "socket", "data", NULL };
	const char *pfx = std_path_prefix(value);

	if (!*value)
		return store_scalar(L, dr, value, line);
	if (pfx && (output || strcmp(pfx, "append:"))) {
		char *n;

		r = merge_resolve_path(L, value + strlen(pfx), &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Failed to resolve unit specifiers in %s, ignoring: %s",
			     value + strlen(pfx), strerror(-r));
			return 0;
		}
		if (strcmp(pfx, "fd:") &&
		    merge_path_check(L, line, dr->key, res, PATH_ABSOLUTE | PATH_FATAL_MSG) < 0) {
			free(res);
			return 0;
		}
		if (asprintf(&n, "%s%s", pfx, res) < 0)
			n = NULL;
		free(res);
		return n ? merge_scalar(L, dr, n, line) : -ENOMEM;
	}
	if (!in_list(output ? out_vals : in_vals, value)) {
		WARN("Failed to parse %s specifier, ignoring: %s", output ? "output" : "input",
		     value);
		return 0;
	}
	if (!strncmp(value, "syslog", 6)) {
		WARN("Standard output type %s is obsolete, automatically updating to %s. Please update your unit file, and consider removing the setting altogether.",
		     value, value[6] ? "journal+console" : "journal");
		res = strdup(value[6] ? "journal+console" : "journal");
		return res ? merge_scalar(L, dr, res, line) : -ENOMEM;
	}
	return store_scalar(L, dr, value, line);
}

int
store_output(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	return store_stdio(L, dr, value, line, true);
}

int
store_input(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	return store_stdio(L, dr, value, line, false);
}

/* systemd's path_compare(): component by component, parents first. */
static int
path_cmp(const char *a, const char *b)
{
	for (;;) {
		size_t la, lb;
		int r;

		a += strspn(a, "/");
		b += strspn(b, "/");
		if (!*a || !*b)
			return (*a != 0) - (*b != 0);
		la = strcspn(a, "/");
		lb = strcspn(b, "/");
		r = memcmp(a, b, la < lb ? la : lb);
		if (r)
			return r;
		if (la != lb)
			return la < lb ? -1 : 1;
		a += la;
		b += lb;
	}
}

/* The SRC of a *Directory= item (see exec_dir_add()), unescaped; malloc'd. */
static char *
exec_dir_src(const char *item)
{
	char *out = malloc(strlen(item) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = item; *p && *p != ':'; p++) {
		if (*p == '\\' && p[1])
			p++;
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Orders *Directory= items by their directory, as systemd does. */
static int
exec_dir_qcmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	char *sx = exec_dir_src(x), *sy = exec_dir_src(y);
	int r = sx && sy ? path_cmp(sx, sy) : 0;

	free(sx);
	free(sy);
	return r ? r : strcmp(x, y);
}

void
store_exec_dirs_sort(struct loader *L)
{
	struct unit *u = L->u;

	for (size_t i = 0; i < u->n_settings; i++) {
		const struct setting *s = &u->settings[i];
		const struct directive *dr =
			directive_find(L->type, s->section, s->key, L->systemd);

		if (dr && dr->store == store_exec_dir && s->n_values > 1)
			qsort(s->values, s->n_values, sizeof(char *), exec_dir_qcmp);
	}
}
