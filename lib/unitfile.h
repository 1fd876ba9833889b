/* SPDX-License-Identifier: MIT */
/* unitfile: the line and section syntax of systemd unit files (systemd 252's
 * config_parse()/parse_line()). Values are returned raw (trimmed only);
 * quoting, escapes and specifiers are the business of lib/words.c and lib/specifier.c.
 *
 * Grammar, as systemd 252 reads it:
 *   file     := line*            lines end at LF, CR, CRLF, LFCR or NUL;
 *                                a final line needs no terminator
 *   line     := blank | comment | header | assignment
 *   comment  := WS* ('#' | ';') any*   -- only as the first non-blank
 *                                character; there are no inline comments,
 *                                and a comment never continues
 *   header   := WS* '[' name ']' WS*  -- anything else after '[' is
 *                                "Invalid section header" (the file fails,
 *                                -EBADMSG)
 *   assignment := WS* key WS* '=' WS* value WS*
 *                                (key: text before the first '='; both
 *                                sides whitespace-trimmed)
 * Continuation: a non-comment line ending in an odd number of backslashes
 * continues; that last backslash becomes a space and the next line is
 * appended verbatim. Comment lines inside a continuation are dropped; a blank
 * line (or EOF) ends it. An even number of trailing backslashes is literal.
 * A UTF-8 BOM before the first line is skipped. One physical line over
 * 1 MiB, or a continued line over 1 MiB in total, fails the file (-ENOBUFS).
 * Warnings (systemd's text): "Assignment outside of section. Ignoring.",
 * "Missing '=', ignoring line.", "Missing key name before '=', ignoring
 * line.", "Unknown section 'S'. Ignoring." (silent for 'X-' sections).
 * Assignments in unknown or X- sections are dropped; everything else is
 * returned in file order with the line number systemd reports (the last
 * physical line of a continued line). */
#ifndef KLEIN_LIB_UNITFILE_H
#define KLEIN_LIB_UNITFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"

#define UNIT_LINE_MAX (1024u * 1024u) /* systemd's LONG_LINE_MAX */

struct unit_entry {
	char *section; /* owned */
	char *key;     /* owned */
	char *value;   /* owned; may be empty ("Key=" resets lists) */
	unsigned line;
};

struct unit_entries {
	struct unit_entry *v;
	size_t n, cap;
};

/* Parses buf[0..len) (any bytes) and appends its assignments to *out.
 * sections: NULL-terminated list of known section names, or NULL to accept
 * every section. file names the buffer in diagnostics. Returns 0, -EBADMSG
 * (invalid section header), -ENOBUFS (line too long) or -ENOMEM; on error the
 * entries parsed so far stay in *out (systemd keeps what it applied). */
int unit_parse(const char *file, const char *buf, size_t len, const char *const *sections,
	       struct unit_entries *out, struct diag *d);

/* The same, calling cb for each assignment as it is read (in systemd's
 * order, so that a fatal value can stop the parse: a negative return from
 * cb stops parsing and is returned). */
typedef int (*unit_assign_fn)(void *userdata, const char *section, const char *key,
			      const char *value, unsigned line);
int unit_parse_cb(const char *file, const char *buf, size_t len, const char *const *sections,
		  unit_assign_fn cb, void *userdata, struct diag *d);

/* A malloc'd copy of s with each invalid byte replaced by U+FFFD, as
 * systemd prints such strings in its messages; NULL when out of memory. */
char *utf8_escape_invalid(const char *s);

/* Frees every entry; out is left empty. */
void unit_entries_done(struct unit_entries *out);

#endif
