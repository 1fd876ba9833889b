/* SPDX-License-Identifier: MIT */
/* unit: systemd 252's line reader and section/assignment parser. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"
#include "lib/unitfile.h"
#include "lib/words.h"

#define WS  " \t\n\r"
#define BOM "\xef\xbb\xbf"

void
unit_entries_done(struct unit_entries *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->n; i++) {
		free(out->v[i].section);
		free(out->v[i].key);
		free(out->v[i].value);
	}
	free(out->v);
	out->v = NULL;
	out->n = out->cap = 0;
}

/* Length of the valid UTF-8 sequence at s (systemd's rules: no overlong
 * forms, surrogates, noncharacters or code points past U+10FFFF), or 0. */
static size_t
utf8_valid_len(const unsigned char *s)
{
	size_t len;
	uint32_t c;

	if (*s < 0x80)
		return 1;
	if ((*s & 0xe0) == 0xc0) {
		len = 2;
		c = *s & 0x1f;
	} else if ((*s & 0xf0) == 0xe0) {
		len = 3;
		c = *s & 0x0f;
	} else if ((*s & 0xf8) == 0xf0) {
		len = 4;
		c = *s & 0x07;
	} else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000))
		return 0;
	if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff) || (c >= 0xfdd0 && c <= 0xfdef) ||
	    (c & 0xfffe) == 0xfffe)
		return 0;
	return len;
}

/* A copy of s with each invalid byte replaced by U+FFFD, as systemd prints
 * such strings in its messages. */
char *
utf8_escape_invalid(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len * 3 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = utf8_valid_len(p);

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	return out;
}

static char *
strip(char *s)
{
	char *e;

	s += strspn(s, WS);
	e = s + strlen(s);
	while (e > s && strchr(WS, e[-1]))
		e--;
	*e = '\0';
	return s;
}

static bool
section_known(const char *const *sections, const char *n)
{
	for (size_t i = 0; sections[i]; i++)
		if (!strcmp(sections[i], n))
			return true;
	return false;
}

struct parse_state {
	const char *file;
	const char *const *sections;
	char *section; /* current section, NULL before any or when ignored */
	bool section_ignored;
	unit_assign_fn cb;
	void *userdata;
	struct diag *d;
};

static int
entry_add(void *userdata, const char *section, const char *key, const char *value, unsigned line)
{
	struct unit_entries *o = userdata;
	struct unit_entry *e;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		struct unit_entry *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	e = &o->v[o->n];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = line;
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	o->n++;
	return 0;
}

/* One logical line (modified in place). */
static int
parse_line(struct parse_state *st, unsigned line, char *l)
{
	char *e;

	l = strip(l);
	if (!*l || strchr("#;", *l))
		return 0;
	if (!utf8_valid(l)) {
		char *shown = utf8_escape_invalid(l);

		diag_add(st->d, st->file, line, DIAG_ERROR,
			 "String is not UTF-8 clean, ignoring assignment: %s", shown ? shown : "");
		free(shown);
		return -EINVAL;
	}
	if (l[0] == '[') {
		size_t k = strlen(l);
		char *n;

		if (l[k - 1] != ']') {
			diag_add(st->d, st->file, line, DIAG_ERROR, "Invalid section header '%s'",
				 l);
			return -EBADMSG;
		}
		n = strndup(l + 1, k - 2);
		if (!n)
			return -ENOMEM;
		if (!string_is_safe(n)) {
			diag_add(st->d, st->file, line, DIAG_ERROR,
				 "Bad characters in section header '%s'", l);
			free(n);
			return -EBADMSG;
		}
		free(st->section);
		st->section = NULL;
		if (st->sections && !section_known(st->sections, n)) {
			if (strncmp(n, "X-", 2))
				diag_add(st->d, st->file, line, DIAG_WARNING,
					 "Unknown section '%s'. Ignoring.", n);
			st->section_ignored = true;
			free(n);
		} else {
			st->section = n;
			st->section_ignored = false;
		}
		return 0;
	}
	if (!st->section) {
		if (!st->section_ignored)
			diag_add(st->d, st->file, line, DIAG_WARNING,
				 "Assignment outside of section. Ignoring.");
		return 0;
	}
	e = strchr(l, '=');
	if (!e) {
		diag_add(st->d, st->file, line, DIAG_WARNING, "Missing '=', ignoring line.");
		return 0;
	}
	if (e == l) {
		diag_add(st->d, st->file, line, DIAG_WARNING,
			 "Missing key name before '=', ignoring line.");
		return 0;
	}
	*e++ = '\0';
	return st->cb(st->userdata, st->section, strip(l), strip(e), line);
}

int
unit_parse(const char *file, const char *buf, size_t len, const char *const *sections,
	   struct unit_entries *out, struct diag *d)
{
	return unit_parse_cb(file, buf, len, sections, entry_add, out, d);
}

/* systemd's read_line(): the next line of buf from *pos into *lb (grown as
 * needed, NUL-terminated; *n its length). EOL is LF, CR or NUL; a run of
 * distinct EOL characters (CRLF, LFCR) ends one line, NUL ends it at once.
 * 0, -ENOBUFS past UNIT_LINE_MAX, -ENOMEM. */
static int
read_line(const char *buf, size_t len, size_t *pos, char **lb, size_t *lb_cap, size_t *n)
{
	unsigned eol = 0;

	while (*pos < len) {
		char c = buf[*pos];
		unsigned kind = c == '\n' ? 1 : c == '\r' ? 2 : c == '\0' ? 4 : 0;

		if ((eol & 4) || (!kind && eol) || (kind && (eol & kind)))
			break;
		(*pos)++;
		if (kind) {
			eol |= kind;
			continue;
		}
		if (*n >= UNIT_LINE_MAX)
			return -ENOBUFS;
		if (*n + 2 > *lb_cap) {
			char *nb = realloc(*lb, *lb_cap * 2);

			if (!nb)
				return -ENOMEM;
			*lb = nb;
			*lb_cap *= 2;
		}
		(*lb)[(*n)++] = c;
	}
	(*lb)[*n] = '\0';
	return 0;
}

int
unit_parse_cb(const char *file, const char *buf, size_t len, const char *const *sections,
	      unit_assign_fn cb, void *userdata, struct diag *d)
{
	struct parse_state st = {
		.file = file, .sections = sections, .cb = cb, .userdata = userdata, .d = d
	};
	char *cont = NULL, *lb = NULL;
	size_t cont_len = 0, cont_cap = 0, pos = 0, lb_cap = 256;
	unsigned line = 0;
	bool bom_seen = false;
	int r = 0;

	/* The line buffer grows with the longest line, up to the limit. */
	lb = malloc(lb_cap);
	if (!lb)
		return -ENOMEM;

	while (pos < len) {
		size_t n = 0;
		char *l, *p;
		bool escaped = false;

		r = read_line(buf, len, &pos, &lb, &lb_cap, &n);
		if (r == -ENOBUFS)
			diag_add(d, file, line + 1, DIAG_ERROR, "Line too long");
		if (r < 0)
			goto out;
		line++;

		l = lb + strspn(lb, WS);
		if (*l && strchr("#;", *l))
			continue;
		l = lb;
		if (!bom_seen && n >= 3 && !memcmp(lb, BOM, 3)) {
			l = lb + 3;
			bom_seen = true;
		}
		if (cont) {
			size_t ll = strlen(l);
			char *nc;

			if (cont_len + ll > UNIT_LINE_MAX) {
				diag_add(d, file, line, DIAG_ERROR, "Continuation line too long");
				r = -ENOBUFS;
				goto out;
			}
			if (cont_len + ll + 1 > cont_cap) {
				size_t cap = cont_cap * 2;

				if (cap < cont_len + ll + 1)
					cap = cont_len + ll + 1;
				nc = realloc(cont, cap);
				if (!nc) {
					r = -ENOMEM;
					goto out;
				}
				cont = nc;
				cont_cap = cap;
			}
			memcpy(cont + cont_len, l, ll + 1);
			cont_len += ll;
			p = cont;
		} else
			p = l;

		/* Only the new part can end in a backslash: what came before
		 * ends in the space that replaced one. */
		for (const char *e = l; *e; e++) {
			if (escaped)
				escaped = false;
			else if (*e == '\\')
				escaped = true;
		}
		if (escaped) {
			size_t pl = strlen(p);

			p[pl - 1] = ' ';
			if (!cont) {
				cont = strdup(p);
				if (!cont) {
					r = -ENOMEM;
					goto out;
				}
				cont_len = pl;
				cont_cap = pl + 1;
			}
			continue;
		}
		r = parse_line(&st, line, p);
		free(cont);
		cont = NULL;
		cont_len = cont_cap = 0;
		if (r < 0)
			goto out;
	}
	/* systemd counts a continuation pending at EOF as one more line. */
	if (cont)
		r = parse_line(&st, line + 1, cont);
out:
	free(cont);
	free(lb);
	free(st.section);
	return r < 0 ? r : 0;
}
