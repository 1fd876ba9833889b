/* SPDX-License-Identifier: MIT */
/* Positioned diagnostics (path:line: level: msg) collected by the parsers.
 * Library code never prints; the CLI prints with diag_print(). */
#ifndef KLEIN_LIB_DIAG_H
#define KLEIN_LIB_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity {
	DIAG_WARNING,
	DIAG_ERROR,
};

struct diag_entry {
	char *file;    /* owned; NULL when the message has no file */
	unsigned line; /* 1-based; 0 when unknown */
	enum diag_severity severity;
	char *message; /* owned; starts lowercase, no trailing newline */
};

struct diag {
	struct diag_entry *v;
	size_t n, cap;
};

/* Appends one diagnostic; copies file and the formatted message. */
void diag_add(struct diag *d, const char *file, unsigned line, enum diag_severity severity,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_addv(struct diag *d, const char *file, unsigned line, enum diag_severity severity,
	       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Number of entries of the given severity. */
size_t diag_count(const struct diag *d, enum diag_severity severity);

/* Prints every entry as "FILE:LINE: warning|error: MESSAGE" (or "PREFIX: ..."
 * when an entry has no file), one per line, in the order they were added. */
void diag_print(const struct diag *d, FILE *f, const char *prefix);

/* Frees what d owns; d is left empty and reusable. Accepts NULL. */
void diag_done(struct diag *d);

#endif
