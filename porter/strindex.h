/* SPDX-License-Identifier: MIT */
/* strindex: find strings of a growing array by a key in constant time. */
#ifndef KLEIN_PORTER_STRINDEX_H
#define KLEIN_PORTER_STRINDEX_H

#include <stddef.h>

/* The key of s: the length of its prefix that is compared. */
typedef size_t strindex_key_fn(const char *s);

/*
 * Positions 0..n-1 of an array of strings, hashed by key (duplicates
 * allowed). The array belongs to the caller: the index only remembers how
 * many of its entries it holds, so a caller that removes or reorders
 * entries makes n shrink (strindex_sync() then rebuilds) or calls
 * strindex_reset(); replacing an entry by one with the same key needs
 * nothing. A zeroed struct is an empty index.
 */
struct strindex {
	size_t *slot; /* position + 1; 0: free */
	size_t mask;  /* slots - 1 */
	size_t n;     /* positions indexed */
	strindex_key_fn *key;
};

/* Indexes v[0..n) by key: adds what is new, or rebuilds when n shrank or the
 * key function changed. Returns 0 or -ENOMEM (the index is then empty). */
int strindex_sync(struct strindex *ix, char *const *v, size_t n, strindex_key_fn *key);

/* The next position (from *cursor, 0 to start) whose entry has the key
 * k[0..len), or (size_t)-1 when there is none left. */
size_t strindex_next(const struct strindex *ix, char *const *v, const char *k, size_t len,
		     size_t *cursor);

/* Forgets every position (the array was emptied). */
void strindex_reset(struct strindex *ix);
void strindex_done(struct strindex *ix);

/* Keys: the whole string; up to the first '='; up to the first ':' that is
 * not escaped by '\'. */
size_t strindex_key_all(const char *s);
size_t strindex_key_name(const char *s);
size_t strindex_key_src(const char *s);

/* Geometric growth for NULL-terminated string vectors grown one entry at a
 * time: makes room for n + 2 pointers in *v. Returns 0 or -ENOMEM. */
int strv_reserve(char ***v, size_t n);

#endif
