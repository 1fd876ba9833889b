/* SPDX-License-Identifier: MIT */
/* diag: a growable list of positioned diagnostics; printing is the CLI's job. */
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"

void
diag_addv(struct diag *d, const char *file, unsigned line, enum diag_severity severity,
	  const char *fmt, va_list ap)
{
	char *msg = NULL;
	struct diag_entry *e;

	if (!d)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct diag_entry *v = realloc(d->v, cap * sizeof(*v));

		/* Out of memory while reporting: dropping the message is the
		 * only option that does not turn a warning into a crash. */
		if (!v)
			return;
		d->v = v;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	e = &d->v[d->n];
	e->file = file ? strdup(file) : NULL;
	if (file && !e->file) {
		free(msg);
		return;
	}
	e->line = line;
	e->severity = severity;
	e->message = msg;
	d->n++;
}

void
diag_add(struct diag *d, const char *file, unsigned line, enum diag_severity severity,
	 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_addv(d, file, line, severity, fmt, ap);
	va_end(ap);
}

size_t
diag_count(const struct diag *d, enum diag_severity severity)
{
	size_t n = 0;

	for (size_t i = 0; d && i < d->n; i++)
		if (d->v[i].severity == severity)
			n++;
	return n;
}

void
diag_print(const struct diag *d, FILE *f, const char *prefix)
{
	for (size_t i = 0; d && i < d->n; i++) {
		const struct diag_entry *e = &d->v[i];
		const char *sev = e->severity == DIAG_ERROR ? "error" : "warning";

		if (e->file && e->line)
			fprintf(f, "%s:%u: %s: %s\n", e->file, e->line, sev, e->message);
		else if (e->file)
			fprintf(f, "%s: %s: %s\n", e->file, sev, e->message);
		else
			fprintf(f, "%s: %s: %s\n", prefix ? prefix : "klein-porter", sev,
				e->message);
	}
}

void
diag_done(struct diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].message);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
