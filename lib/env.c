/* SPDX-License-Identifier: MIT */
/* Environment lists (struct strv of NAME=VALUE) and systemd's assignment rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/env.h"
#include "lib/utf8.h"

bool
env_assignment_valid(const char *a)
{
	const char *eq = strchr(a, '=');
	return eq && env_name_valid(a, (size_t)(eq - a)) && utf8_valid(eq + 1);
}

static bool
entry_has_name(const char *entry, const char *name, size_t len)
{
	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

const char *
env_get(const struct strv *env, const char *name, size_t len)
{
	if (len == 0)
		return NULL;
	for (size_t i = env->n; i > 0; i--)
		if (entry_has_name(env->v[i - 1], name, len))
			return env->v[i - 1] + len + 1;
	return NULL;
}

void
env_set(struct strv *env, char *a)
{
	size_t len = strcspn(a, "=");
	for (size_t i = 0; i < env->n; i++)
		if (entry_has_name(env->v[i], a, len)) {
			free(env->v[i]);
			env->v[i] = a;
			return;
		}
	strv_push(env, a);
}

/* Where each name of env is, so that a later assignment replaces an earlier
 * one in place in constant time (the list scan made a file quadratic). */
struct env_index {
	size_t *slot; /* position in env + 1; 0: free */
	size_t mask;
};

static uint64_t
name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* The slot for name[0..len): its entry's, or the free one it would take. */
static size_t *
index_slot(const struct env_index *ix, const struct strv *env, const char *name, size_t len)
{
	size_t i = (size_t)name_hash(name, len) & ix->mask;

	for (;; i = (i + 1) & ix->mask) {
		const char *e = ix->slot[i] ? env->v[ix->slot[i] - 1] : NULL;

		if (!e || (strncmp(e, name, len) == 0 && e[len] == '='))
			return &ix->slot[i];
	}
}

/* Sized for env plus extra more names (at most half full). */
static void
index_build(struct env_index *ix, const struct strv *env, size_t extra)
{
	size_t cap = 16;

	while (cap < 2 * (env->n + extra))
		cap *= 2;
	ix->slot = xmalloc(cap * sizeof(*ix->slot));
	memset(ix->slot, 0, cap * sizeof(*ix->slot));
	ix->mask = cap - 1;
	for (size_t i = 0; i < env->n; i++) {
		size_t *s = index_slot(ix, env, env->v[i], strcspn(env->v[i], "="));

		if (!*s) /* of twins the first stays, as env_set() replaced it */
			*s = i + 1;
	}
}

void
env_merge(struct strv *env, char **as, size_t n)
{
	struct env_index ix;

	index_build(&ix, env, n);
	for (size_t i = 0; i < n; i++) {
		char *a = as[i];
		size_t *s = index_slot(&ix, env, a, strcspn(a, "="));

		if (*s) {
			free(env->v[*s - 1]);
			env->v[*s - 1] = a;
		} else {
			strv_push(env, a);
			*s = env->n;
		}
	}
	free(ix.slot);
}

void
env_unset(struct strv *env, const char *pattern)
{
	bool exact = strchr(pattern, '=') != NULL;
	size_t k = 0;
	for (size_t i = 0; i < env->n; i++) {
		char *e = env->v[i];
		bool match = exact ? strcmp(e, pattern) == 0
				   : entry_has_name(e, pattern, strlen(pattern));
		if (match)
			free(e);
		else
			env->v[k++] = e;
	}
	env->n = k;
	if (env->v)
		env->v[k] = NULL;
}

void
env_unset_many(struct strv *env, char *const *patterns, size_t n)
{
	struct env_index ix;
	size_t k = 0;
	/* Marked, not freed, while the index is in use: its probes read the
	 * entries. */
	bool *drop = xmalloc(env->n + 1);

	memset(drop, 0, env->n + 1);
	index_build(&ix, env, 0);
	for (size_t i = 0; i < n; i++) {
		const char *p = patterns[i];
		size_t len = strcspn(p, "=");
		size_t *s = index_slot(&ix, env, p, len);

		if (*s && (!p[len] || strcmp(env->v[*s - 1], p) == 0))
			drop[*s - 1] = true;
	}
	free(ix.slot);
	for (size_t i = 0; i < env->n; i++) {
		if (drop[i])
			free(env->v[i]);
		else
			env->v[k++] = env->v[i];
	}
	free(drop);
	env->n = k;
	if (env->v)
		env->v[k] = NULL;
}
