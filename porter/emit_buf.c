/* SPDX-License-Identifier: MIT */
/* emit_buf: the growable text buffer and POSIX sh single quoting. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_buf.h"

static void
grow(struct emit_buf *b, size_t more)
{
	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return;
	}
	b->s = s;
	b->cap = cap;
}

void
emit_addn(struct emit_buf *b, const char *s, size_t n)
{
	grow(b, n);
	if (b->oom)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
emit_add(struct emit_buf *b, const char *s)
{
	emit_addn(b, s, strlen(s));
}

void
emit_addf(struct emit_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	emit_addn(b, s, (size_t)n);
	free(s);
}

void
emit_quote(struct emit_buf *b, const char *s)
{
	/* Inside '...' every byte is literal except the quote itself. */
	emit_add(b, "'");
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		emit_addn(b, s, (size_t)(q - s));
		emit_add(b, "'\\''");
	}
	emit_add(b, s);
	emit_add(b, "'");
}

void
emit_buf_done(struct emit_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
