/* SPDX-License-Identifier: MIT */
/* systemd 252's exec-time $VAR/${VAR} substitution (src/basic/env-util.c). */
#include <stdlib.h>
#include <string.h>

#include "lib/expand.h"

struct sbuf {
	char *s;
	size_t n, cap;
};

static void
sb_append(struct sbuf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = '\0';
}

char *
expand_word(const char *format, const struct strv *env)
{
	enum { WORD, CURLY, VARIABLE } st = WORD;
	struct sbuf r = { 0 };
	const char *word = format, *e;

	sb_append(&r, "", 0);
	for (e = format; *e; e++) {
		switch (st) {
		case WORD:
			if (*e == '$')
				st = CURLY;
			break;
		case CURLY:
			if (*e == '{') {
				sb_append(&r, word, (size_t)(e - word - 1));
				word = e - 1;
				st = VARIABLE;
			} else if (*e == '$') {
				/* "$$": keep the first '$', skip the second. */
				sb_append(&r, word, (size_t)(e - word));
				word = e + 1;
				st = WORD;
			} else
				st = WORD;
			break;
		case VARIABLE:
			if (*e == '}') {
				const char *t = env_get(env, word + 2, (size_t)(e - word - 2));
				if (t)
					sb_append(&r, t, strlen(t));
				word = e + 1;
				st = WORD;
			} else if (*e == ':') {
				/* ${NAME:-...} is unsupported without the extended
				 * flag: leave it literal, keep scanning inside. */
				st = WORD;
			}
			break;
		}
	}
	sb_append(&r, word, (size_t)(e - word));
	return r.s;
}

#define WHITESPACE " \t\n\r"

/* One word of extract_first_word(EXTRACT_RELAX|EXTRACT_UNQUOTE); returns
 * false when no word is left. */
static bool
split_one(const char **pp, char **ret)
{
	const char *p = *pp;
	struct sbuf s = { 0 };
	char quote = 0;

	p += strspn(p, WHITESPACE);
	if (!*p)
		return false;
	sb_append(&s, "", 0);
	for (; *p; p++) {
		if (*p == '\\') {
			if (!p[1]) {
				/* A trailing backslash ends the word (relax). */
				p++;
				break;
			}
			p++;
			sb_append(&s, p, 1);
		} else if (quote) {
			if (*p == quote)
				quote = 0;
			else
				sb_append(&s, p, 1);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (strchr(WHITESPACE, *p)) {
			break;
		} else
			sb_append(&s, p, 1);
	}
	*pp = p;
	*ret = s.s;
	return true;
}

void
expand_split(const char *value, struct strv *out)
{
	char *w;
	while (split_one(&value, &w))
		strv_push(out, w);
}

void
expand_argv(const char *const *argv, size_t argc, size_t from, const struct strv *env,
	    struct strv *out)
{
	for (size_t i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i < from) {
			strv_push(out, xstrdup(a));
		} else if (a[0] == '$' && a[1] != '{' && a[1] != '$') {
			const char *v = env_get(env, a + 1, strlen(a + 1));
			if (v)
				expand_split(v, out);
		} else
			strv_push(out, expand_word(a, env));
	}
}
