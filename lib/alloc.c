/* SPDX-License-Identifier: MIT */
/* Allocation that cannot fail (exit 1 on OOM) and NULL-terminated string vectors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc.h"

static void
oom(void)
{
	/* write(2), not stdio: the message must not need memory either. */
	static const char msg[] = ": out of memory\n";
	const char *prog = program_invocation_short_name;
	(void)!write(2, prog, strlen(prog));
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrjoin3(const char *a, const char *b, const char *c)
{
	size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
	char *d = xmalloc(la + lb + lc + 1);
	memcpy(d, a ? a : "", la);
	memcpy(d + la, b ? b : "", lb);
	memcpy(d + la + lb, c ? c : "", lc);
	d[la + lb + lc] = '\0';
	return d;
}

void
strv_push(struct strv *l, char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(char *));
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

void
strv_done(struct strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
