/* SPDX-License-Identifier: MIT */
/* systemd 252's EnvironmentFile= format (src/basic/env-file.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* systemd's state machine, one character at a time; pairs go to out. */
struct parser {
	enum envfile_state st;
	struct growbuf key, val;
	size_t key_ws, val_ws; /* where trailing blanks began, or NONE */
	struct strv *out;
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

/* Collects KEY=VALUE in order; validated after the whole file parsed.
 * trim: cut the value's trailing blanks (unquoted values only). */
static void
push(struct parser *ps, bool trim)
{
	struct growbuf *key = &ps->key, *val = &ps->val;
	size_t kn = ps->key_ws != NONE ? ps->key_ws : key->n;
	size_t vn = trim && ps->val_ws != NONE && val->s ? ps->val_ws : val->n;
	char *a = xmalloc(kn + 1 + vn + 1);

	memcpy(a, key->s ? key->s : "", kn);
	a[kn] = '=';
	memcpy(a + kn + 1, val->s ? val->s : "", vn);
	a[kn + 1 + vn] = '\0';
	strv_push(ps->out, a);
	key->n = 0;
	val->n = 0;
}

/* Blanks inside a key or an unquoted value are kept unless trailing:
 * *ws remembers where the current run of them began. */
static void
add_keeping_blanks(struct growbuf *b, size_t *ws, char c)
{
	if (!in_set(WHITESPACE, c))
		*ws = NONE;
	else if (*ws == NONE)
		*ws = b->n;
	gb_add(b, c);
}

static void
on_key(struct parser *ps, char c)
{
	if (ps->st == PRE_KEY) {
		if (in_set(COMMENTS, c)) {
			ps->st = COMMENT;
		} else if (!in_set(WHITESPACE, c)) {
			ps->st = KEY;
			ps->key_ws = NONE;
			gb_add(&ps->key, c);
		}
	} else if (in_set(NEWLINE, c)) { /* a line without '=' */
		ps->st = PRE_KEY;
		ps->key.n = 0;
	} else if (c == '=') {
		ps->st = PRE_VALUE;
		ps->val_ws = NONE;
	} else {
		add_keeping_blanks(&ps->key, &ps->key_ws, c);
	}
}

static void
on_value(struct parser *ps, char c)
{
	if (ps->st == VALUE_ESCAPE) {
		ps->st = VALUE;
		if (!in_set(NEWLINE, c)) /* an escaped newline is eaten entirely */
			gb_add(&ps->val, c);
	} else if (in_set(NEWLINE, c)) {
		push(ps, ps->st == VALUE);
		ps->st = PRE_KEY;
	} else if (c == '\\') {
		ps->st = VALUE_ESCAPE;
		ps->val_ws = NONE;
	} else if (ps->st == VALUE) {
		add_keeping_blanks(&ps->val, &ps->val_ws, c);
	} else if (c == '\'') {
		ps->st = SINGLE_QUOTE_VALUE;
	} else if (c == '"') {
		ps->st = DOUBLE_QUOTE_VALUE;
	} else if (!in_set(WHITESPACE, c)) {
		ps->st = VALUE;
		gb_add(&ps->val, c);
	}
}

static void
on_quoted(struct parser *ps, char c)
{
	if (ps->st == SINGLE_QUOTE_VALUE) {
		if (c == '\'')
			ps->st = PRE_VALUE;
		else
			gb_add(&ps->val, c);
	} else if (ps->st == DOUBLE_QUOTE_VALUE) {
		if (c == '"')
			ps->st = PRE_VALUE;
		else if (c == '\\')
			ps->st = DOUBLE_QUOTE_VALUE_ESCAPE;
		else
			gb_add(&ps->val, c);
	} else {
		ps->st = DOUBLE_QUOTE_VALUE;
		if (in_set(SHELL_NEED_ESCAPE, c)) {
			gb_add(&ps->val, c);
		} else if (c != '\n') {
			/* Like the shell, keep the backslash of other escapes. */
			gb_add(&ps->val, '\\');
			gb_add(&ps->val, c);
		}
	}
}

static void
on_comment(struct parser *ps, char c)
{
	if (ps->st == COMMENT_ESCAPE)
		/* systemd 252: the escaped character, newline included, stays
		 * in the comment (so the next line is comment too). */
		ps->st = COMMENT;
	else if (c == '\\')
		ps->st = COMMENT_ESCAPE;
	else if (in_set(NEWLINE, c))
		ps->st = PRE_KEY;
}

static void
parse_pairs(const char *text, struct strv *out)
{
	struct parser ps = { .st = PRE_KEY, .key_ws = NONE, .val_ws = NONE, .out = out };

	for (const char *p = text; *p; p++) {
		switch (ps.st) {
		case PRE_KEY:
		case KEY:
			on_key(&ps, *p);
			break;
		case PRE_VALUE:
		case VALUE:
		case VALUE_ESCAPE:
			on_value(&ps, *p);
			break;
		case SINGLE_QUOTE_VALUE:
		case DOUBLE_QUOTE_VALUE:
		case DOUBLE_QUOTE_VALUE_ESCAPE:
			on_quoted(&ps, *p);
			break;
		case COMMENT:
		case COMMENT_ESCAPE:
			on_comment(&ps, *p);
			break;
		}
	}
	/* The end of the text ends a pending value as a newline would. */
	if (ps.st != PRE_KEY && ps.st != KEY && ps.st != COMMENT && ps.st != COMMENT_ESCAPE)
		push(&ps, ps.st == VALUE);
	free(ps.key.s);
	free(ps.val.s);
}

int
envfile_parse(const char *text, struct strv *env, unsigned *ret_dropped)
{
	struct strv pairs = { 0 };
	size_t k = 0;
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
		if (env_assignment_valid(pairs.v[i]))
			pairs.v[k++] = pairs.v[i];
		else {
			dropped++;
			free(pairs.v[i]);
		}
	}
	env_merge(env, pairs.v, k);
	free(pairs.v);
	if (ret_dropped)
		*ret_dropped = dropped;
	return 0;
}

/* Reads path whole; only a regular file of at most ENVFILE_SIZE_MAX. */
static int
read_regular(const char *path, char **ret, const char **why)
{
	struct stat st;
	size_t len = 0;
	ssize_t n = 0;
	char *buf;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EBADFD, *why = "not a regular file";
	else if (st.st_size > ENVFILE_SIZE_MAX)
		r = -EFBIG, *why = "over 64 MiB (systemd's limit for a file read whole)";
	if (r < 0) {
		close(fd);
		return r;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	       ((n = read(fd, buf + len, (size_t)st.st_size - len)) > 0 || errno == EINTR))
		len += n > 0 ? (size_t)n : 0;
	if (len < (size_t)st.st_size && n < 0)
		r = -errno;
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0'; /* a file that shrank meanwhile: what was there */
	*ret = buf;
	return 0;
}

int
envfile_load(const char *path, struct strv *env, const char **why)
{
	char *text = NULL;
	int r;

	*why = NULL;
	r = read_regular(path, &text, why);
	if (r == 0) {
		r = envfile_parse(text, env, NULL);
		free(text);
		if (r == -EINVAL)
			*why = "invalid UTF-8";
	}
	if (r < 0 && !*why)
		*why = strerror(-r);
	return r;
}
