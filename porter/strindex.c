/* SPDX-License-Identifier: MIT */
/* strindex: open addressing over positions; lookups compare the live entries. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strindex.h"

#define NONE ((size_t)-1)

static size_t
hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29));
}

static void
insert(struct strindex *ix, char *const *v, size_t pos)
{
	size_t i = hash(v[pos], ix->key(v[pos])) & ix->mask;

	while (ix->slot[i])
		i = (i + 1) & ix->mask;
	ix->slot[i] = pos + 1;
}

/* A table at most half full with want positions, refilled from v (room to
 * double before the next rebuild). */
static int
rebuild(struct strindex *ix, char *const *v, size_t want)
{
	size_t cap = 64;

	while (cap < 4 * want)
		cap *= 2;
	free(ix->slot);
	ix->slot = calloc(cap, sizeof(*ix->slot));
	ix->n = 0;
	if (!ix->slot) {
		ix->mask = 0;
		return -ENOMEM;
	}
	ix->mask = cap - 1;
	for (; ix->n < want; ix->n++)
		insert(ix, v, ix->n);
	return 0;
}

int
strindex_sync(struct strindex *ix, char *const *v, size_t n, strindex_key_fn *key)
{
	if (!ix->slot || n < ix->n || key != ix->key || 2 * n > ix->mask + 1) {
		ix->key = key;
		return rebuild(ix, v, n);
	}
	for (; ix->n < n; ix->n++)
		insert(ix, v, ix->n);
	return 0;
}

size_t
strindex_next(const struct strindex *ix, char *const *v, const char *k, size_t len, size_t *cursor)
{
	size_t i;

	if (!ix->slot)
		return NONE;
	/* The cursor is the probe count so far; 0 starts at the home slot. */
	for (i = (hash(k, len) + *cursor) & ix->mask; ix->slot[i]; i = (i + 1) & ix->mask) {
		size_t pos = ix->slot[i] - 1;

		++*cursor;
		if (pos < ix->n && ix->key(v[pos]) == len && !memcmp(v[pos], k, len))
			return pos;
	}
	return NONE;
}

void
strindex_reset(struct strindex *ix)
{
	ix->n = 0;
	if (ix->slot)
		memset(ix->slot, 0, (ix->mask + 1) * sizeof(*ix->slot));
}

void
strindex_done(struct strindex *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}

size_t
strindex_key_all(const char *s)
{
	return strlen(s);
}

size_t
strindex_key_name(const char *s)
{
	return strcspn(s, "=");
}

size_t
strindex_key_src(const char *s)
{
	size_t i = 0;

	while (s[i] && s[i] != ':')
		i += s[i] == '\\' && s[i + 1] ? 2 : 1;
	return i;
}

int
strv_reserve(char ***v, size_t n)
{
	size_t need = (n + 2) * sizeof(char *), cap;
	char **nv;

	if (*v && malloc_usable_size(*v) >= need)
		return 0;
	for (cap = 8 * sizeof(char *); cap < need; cap *= 2)
		;
	nv = realloc(*v, cap);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}
