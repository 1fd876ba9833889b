/* SPDX-License-Identifier: MIT */
/* emit_buf: a growable text buffer for the generated scripts, and POSIX sh
 * single quoting. */
#ifndef KLEIN_PORTER_EMIT_BUF_H
#define KLEIN_PORTER_EMIT_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A growable text buffer; on allocation failure it sets oom and stops growing. */
struct emit_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void emit_add(struct emit_buf *b, const char *s);
void emit_addn(struct emit_buf *b, const char *s, size_t n);
void emit_addf(struct emit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as one single-quoted POSIX sh word: the shell reads back exactly
 * the bytes of s, whatever they are ('\'' for each quote). */
void emit_quote(struct emit_buf *b, const char *s);
void emit_buf_done(struct emit_buf *b);

#endif
