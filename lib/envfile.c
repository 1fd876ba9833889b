/* SPDX-License-Identifier: MIT */
/* systemd 252's EnvironmentFile= format (src/basic/env-file.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/envfile.h"

#define WHITESPACE	  " \t\n\r"
#define NEWLINE		  "\n\r"
#define COMMENTS	  "#;"
#define SHELL_NEED_ESCAPE "\"\\`$"
#define NONE		  ((size_t)-1)

enum envfile_state {
	PRE_KEY,
	KEY,
	PRE_VALUE,
	VALUE,
	VALUE_ESCAPE,
	SINGLE_QUOTE_VALUE,
	DOUBLE_QUOTE_VALUE,
	DOUBLE_QUOTE_VALUE_ESCAPE,
	COMMENT,
	COMMENT_ESCAPE,
};

struct growbuf {
	char *s;
	size_t n, cap;
};

static void
gb_add(struct growbuf *b, char c)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = xrealloc(b->s, b->cap);
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

/* strchr() that, like systemd's use of it, also matches the terminating NUL
 * never (callers only pass non-NUL characters). */
static bool
in_set(const char *set, char c)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* Collects KEY=VALUE pairs in order; validated after the whole file parsed. */
static void
push(struct strv *out, struct growbuf *key, size_t key_ws, struct growbuf *val, size_t val_ws)
{
	if (key_ws != NONE)
		key->n = key_ws;
	if (val_ws != NONE && val->s)
		val->n = val_ws;
	char *k = xstrndup(key->s ? key->s : "", key->n);
	char *v = xstrndup(val->s ? val->s : "", val->s ? val->n : 0);
	strv_push(out, xstrjoin3(k, "=", v));
	free(k);
	free(v);
	key->n = 0;
	val->n = 0;
}

static void
parse_pairs(const char *text, struct strv *out)
{
	struct growbuf key = { 0 }, val = { 0 };
	size_t key_ws = NONE, val_ws = NONE;
	enum envfile_state st = PRE_KEY;

	for (const char *p = text; *p; p++) {
		char c = *p;
		switch (st) {
		case PRE_KEY:
			if (in_set(COMMENTS, c))
				st = COMMENT;
			else if (!in_set(WHITESPACE, c)) {
				st = KEY;
				key_ws = NONE;
				gb_add(&key, c);
			}
			break;
		case KEY:
			if (in_set(NEWLINE, c)) {
				st = PRE_KEY;
				key.n = 0;
			} else if (c == '=') {
				st = PRE_VALUE;
				val_ws = NONE;
			} else {
				if (!in_set(WHITESPACE, c))
					key_ws = NONE;
				else if (key_ws == NONE)
					key_ws = key.n;
				gb_add(&key, c);
			}
			break;
		case PRE_VALUE:
			if (in_set(NEWLINE, c)) {
				st = PRE_KEY;
				push(out, &key, key_ws, &val, NONE);
			} else if (c == '\'')
				st = SINGLE_QUOTE_VALUE;
			else if (c == '"')
				st = DOUBLE_QUOTE_VALUE;
			else if (c == '\\')
				st = VALUE_ESCAPE;
			else if (!in_set(WHITESPACE, c)) {
				st = VALUE;
				gb_add(&val, c);
			}
			break;
		case VALUE:
			if (in_set(NEWLINE, c)) {
				st = PRE_KEY;
				push(out, &key, key_ws, &val, val_ws);
			} else if (c == '\\') {
				st = VALUE_ESCAPE;
				val_ws = NONE;
			} else {
				if (!in_set(WHITESPACE, c))
					val_ws = NONE;
				else if (val_ws == NONE)
					val_ws = val.n;
				gb_add(&val, c);
			}
			break;
		case VALUE_ESCAPE:
			st = VALUE;
			/* An escaped newline is eaten entirely. */
			if (!in_set(NEWLINE, c))
				gb_add(&val, c);
			break;
		case SINGLE_QUOTE_VALUE:
			if (c == '\'')
				st = PRE_VALUE;
			else
				gb_add(&val, c);
			break;
		case DOUBLE_QUOTE_VALUE:
			if (c == '"')
				st = PRE_VALUE;
			else if (c == '\\')
				st = DOUBLE_QUOTE_VALUE_ESCAPE;
			else
				gb_add(&val, c);
			break;
		case DOUBLE_QUOTE_VALUE_ESCAPE:
			st = DOUBLE_QUOTE_VALUE;
			if (in_set(SHELL_NEED_ESCAPE, c))
				gb_add(&val, c);
			else if (c != '\n') {
				/* Like the shell, keep the backslash of other escapes. */
				gb_add(&val, '\\');
				gb_add(&val, c);
			}
			break;
		case COMMENT:
			if (c == '\\')
				st = COMMENT_ESCAPE;
			else if (in_set(NEWLINE, c))
				st = PRE_KEY;
			break;
		case COMMENT_ESCAPE:
			/* systemd 252: the escaped character, newline included, stays in
			 * the comment (so the next line is comment too). */
			st = COMMENT;
			break;
		}
	}
	switch (st) {
	case PRE_VALUE:
	case VALUE_ESCAPE:
	case SINGLE_QUOTE_VALUE:
	case DOUBLE_QUOTE_VALUE:
	case DOUBLE_QUOTE_VALUE_ESCAPE:
		push(out, &key, key_ws, &val, NONE);
		break;
	case VALUE:
		push(out, &key, key_ws, &val, val_ws);
		break;
	case PRE_KEY:
	case KEY:
	case COMMENT:
	case COMMENT_ESCAPE:
		break;
	}
	free(key.s);
	free(val.s);
}

int
envfile_parse(const char *text, struct strv *env, unsigned *ret_dropped)
{
	struct strv pairs = { 0 };
	unsigned dropped = 0;

	parse_pairs(text, &pairs);
	/* systemd rejects the whole file on the first key or value that is not
	 * UTF-8 (check_utf8ness_and_warn() fails the parse). */
	for (size_t i = 0; i < pairs.n; i++)
		if (!utf8_valid(pairs.v[i])) {
			strv_done(&pairs);
			return -EINVAL;
		}
	for (size_t i = 0; i < pairs.n; i++) {
		if (env_assignment_valid(pairs.v[i])) {
			env_set(env, pairs.v[i]);
			pairs.v[i] = NULL;
		} else
			dropped++;
	}
	for (size_t i = 0; i < pairs.n; i++)
		free(pairs.v[i]);
	free(pairs.v);
	if (ret_dropped)
		*ret_dropped = dropped;
	return 0;
}
