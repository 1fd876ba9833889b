/* SPDX-License-Identifier: MIT */
/* tr_dirs: RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
 * ConfigurationDirectory=, their modes and RuntimeDirectoryPreserve=. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"
#include "lib/values.h"
#include "lib/words.h"

static const char *const dir_keys[PLAN_DIR_N] = {
	"RuntimeDirectory", "StateDirectory",	      "CacheDirectory",
	"LogsDirectory",    "ConfigurationDirectory",
};

static int
dir_kind(const char *key)
{
	for (int i = 0; i < PLAN_DIR_N; i++)
		if (!strncmp(key, dir_keys[i], strlen(dir_keys[i])))
			return i;
	return -1;
}

/* systemd ignores absolute and non-normalized names ("..", "//", "./"). */
static bool
dir_name_ok(const char *n)
{
	if (n[0] == '/' || !n[0])
		return false;
	const char *seg = n;
	for (;;) {
		size_t len = strcspn(seg, "/");
		if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && !strncmp(seg, "..", 2)))
			return false;
		if (!seg[len])
			return true;
		seg += len + 1;
	}
}

void
tr_dir_links_free(struct plan_dirs *pd)
{
	for (size_t i = 0; i < pd->n_links; i++)
		free(pd->links[i].src), free(pd->links[i].dst);
	free(pd->links);
	pd->links = NULL, pd->n_links = 0;
}

/* The links already made, found in constant time: each key is "SRC:DST" with
 * ':' and backslash in SRC escaped, so two keys are equal only for equal pairs. */
struct link_seen {
	char **keys;
	size_t n;
	struct strindex ix;
};

static void
link_seen_done(struct link_seen *seen)
{
	tr_strv_free(seen->keys, seen->n);
	strindex_done(&seen->ix);
}

static char *
link_key(const char *src, const char *dst)
{
	size_t ls = strlen(src), ld = strlen(dst);
	char *k = malloc(2 * ls + ld + 2), *o = k;
	if (!k)
		return NULL;
	for (const char *c = src; *c; c++) {
		if (*c == ':' || *c == '\\')
			*o++ = '\\';
		*o++ = *c;
	}
	*o++ = ':';
	memcpy(o, dst, ld + 1);
	return k;
}

/* Adds DST -> SRC once (systemd keeps one symlink per pair); the array grows
 * geometrically. */
static int
dir_link_push(struct plan_dirs *pd, struct link_seen *seen, const char *src, const char *dst)
{
	size_t cursor = 0;
	char *key = link_key(src, dst);
	if (!key || strv_reserve(&seen->keys, seen->n) < 0) {
		free(key);
		return -ENOMEM;
	}
	if (strindex_sync(&seen->ix, seen->keys, seen->n, strindex_key_all) < 0) {
		free(key);
		return -ENOMEM;
	}
	if (strindex_next(&seen->ix, seen->keys, key, strlen(key), &cursor) != (size_t)-1) {
		free(key);
		return 0;
	}
	seen->keys[seen->n++] = key;
	seen->keys[seen->n] = NULL;
	size_t n = pd->n_links;
	if (n == 0 || (n & (n - 1)) == 0) { /* full at every power of two */
		struct plan_dir_link *nv = realloc(pd->links, (n ? 2 * n : 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		pd->links = nv;
	}
	char *s = strdup(src), *t = strdup(dst);
	if (!s || !t) {
		free(s), free(t);
		return -ENOMEM;
	}
	pd->links[n].src = s, pd->links[n].dst = t;
	pd->n_links = n + 1;
	return 0;
}

/* Splits a loader item `SRC[:DST]` (in SRC, `\:` and `\\` stand for `:` and
 * `\`; the first bare `:` ends it) into *src and *dst (NULL without DST). */
int
translate_dir_item(const char *item, char **src, char **dst)
{
	size_t len = strlen(item);
	char *s = malloc(len + 1), *o = s;
	*src = *dst = NULL;
	if (!s)
		return -ENOMEM;
	const char *x = item;
	for (; *x && *x != ':'; x++) {
		if (*x == '\\' && (x[1] == ':' || x[1] == '\\'))
			x++;
		*o++ = *x;
	}
	*o = '\0';
	if (*x == ':' && x[1]) {
		*dst = strdup(x + 1);
		if (!*dst) {
			free(s);
			return -ENOMEM;
		}
	}
	*src = s;
	return 0;
}

/* systemd 252 (systemd.exec(5)): `SRC:DST` creates SRC as usual plus a symlink
 * DST -> SRC below the same root; ConfigurationDirectory= has no DST. */
int
tr_dir(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int kind = dir_kind(s->key);
	struct plan_dirs *pd = &p->dirs[kind];
	char **words = NULL;
	size_t n = 0;
	struct strindex ix = { 0 };
	struct link_seen seen = { 0 };
	int r = tr_each_word(s, &words, &n);
	tr_strv_free(pd->names, pd->n);
	pd->names = NULL, pd->n = 0;
	tr_dir_links_free(pd);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *src = NULL, *dst = NULL;
		r = translate_dir_item(words[i], &src, &dst);
		if (r < 0)
			break;
		if (dst && kind == PLAN_DIR_CONFIGURATION)
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "Destination parameter is not supported for %s, ignoring: %s",
				 s->key, words[i]);
		else if (!dir_name_ok(src) || (dst && !dir_name_ok(dst)))
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "%s=%s: path is absolute or not normalized, ignored", s->key,
				 words[i]);
		else {
			r = tr_strv_push_unique(&pd->names, &pd->n, src, &ix);
			if (r == 0 && dst)
				r = dir_link_push(pd, &seen, src, dst);
		}
		free(src), free(dst);
	}
	strindex_done(&ix);
	link_seen_done(&seen);
	tr_strv_free(words, n);
	return r;
}

int
tr_dir_mode(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	unsigned m;
	if (tv_mode(tr_last(s), &m) < 0) {
		tr_warn(d, s, NULL, "not an octal mode, ignored");
		return 0;
	}
	p->dirs[dir_kind(s->key)].mode = m;
	return 0;
}

int
tr_preserve(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	if (!strcmp(tr_last(s), "restart")) {
		p->runtime_preserve = 2;
		return 0;
	}
	int b = tv_boolean(tr_last(s));
	if (b < 0)
		tr_warn(d, s, NULL, "neither a boolean nor \"restart\", ignored");
	else
		p->runtime_preserve = b;
	return 0;
}
