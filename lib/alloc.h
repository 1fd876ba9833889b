/* SPDX-License-Identifier: MIT */
/* Allocation that cannot fail (exit 1 on OOM) and NULL-terminated string vectors. */
#ifndef KLEIN_LIB_ALLOC_H
#define KLEIN_LIB_ALLOC_H

#include <stddef.h>

/* A NULL-terminated, growable vector of heap strings; it owns every string. */
struct strv {
	char **v;
	size_t n, cap;
};

/* On OOM these print "PROGRAM: out of memory" and exit 1 (klein-svc's
 * contract: a runtime helper that cannot allocate cannot do its job). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a heap string "a" "b" "c" joined; NULL arguments count as "". */
char *xstrjoin3(const char *a, const char *b, const char *c);

/* Appends s (taking ownership). */
void strv_push(struct strv *l, char *s);
/* Frees every string and the array; l is empty afterwards. */
void strv_done(struct strv *l);

#endif
