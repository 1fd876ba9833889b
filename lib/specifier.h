/* SPDX-License-Identifier: MIT */
/* specifier: systemd 252's unit specifiers (%n, %i, %t, ...) as the system
 * manager resolves them, plus unit-name escaping helpers. */
#ifndef KLEIN_LIB_SPECIFIER_H
#define KLEIN_LIB_SPECIFIER_H

#include <stddef.h>

struct spec_ctx {
	const char *name;     /* unit name as loaded: "foo@bar.service" */
	const char *fragment; /* fragment path as the system sees it (no root); may be NULL */
	const char *root;     /* where host files (/etc/os-release, ...) are read; NULL = "/" */
	/* Slice= as applied so far, or NULL. systemd resolves %c and %r while it
	 * reads the file, before the default slice (system.slice) is assigned:
	 * without an earlier Slice=, %c is "/NAME" and %r is empty. */
	const char *slice;
	/* Lazily read host values; owned, freed by spec_ctx_done(). */
	char *os_release; /* file contents, or "" when unreadable */
	char *machine_id, *boot_id, *hostname, *pretty_hostname;
};

/* Expands every specifier in in into *out (malloc'd). "%%" is '%', '%'
 * followed by a non-alphanumeric character or at the end stays literal, an
 * unknown letter is -EBADSLT ("Invalid slot"). max is the result length
 * limit (-ENAMETOOLONG past it). Returns 0 or -errno. */
int spec_expand(struct spec_ctx *c, const char *in, size_t max, char **out);

void spec_ctx_done(struct spec_ctx *c);

/* systemd's unit_name_unescape-style path unescape: "\xHH" -> byte and '-'
 * -> '/' (used for %I, %P, %J, %f). Returns malloc'd string or NULL. */
char *unit_name_unescape(const char *s, int dash_to_slash);

/* Splits "pre@inst.suffix": fills prefix/instance/suffix (malloc'd; instance
 * NULL when not a template instance, "" for "foo@.service"). Returns 0 or
 * -EINVAL for names that are not valid unit names. */
int unit_name_split(const char *name, char **prefix, char **instance, char **suffix);

/* Whether name is a valid unit name (length, characters, one suffix). */
int unit_name_is_valid(const char *name);

#endif
