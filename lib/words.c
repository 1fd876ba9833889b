/* SPDX-License-Identifier: MIT */
/* words: systemd 252's word splitter, C unescaping and Exec line grammar. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"
#include "lib/words.h"

int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -EINVAL;
}

static int
unoct(char c)
{
	if (c >= '0' && c <= '7')
		return c - '0';
	return -EINVAL;
}

size_t
utf8_encode(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | ((c >> 18) & 0x07));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int
cunescape_one(const char *p, uint32_t *ret, bool *eight_bit)
{
	uint32_t c = 0;

	switch (p[0]) {
	case 'a':
		*ret = '\a';
		return 1;
	case 'b':
		*ret = '\b';
		return 1;
	case 'f':
		*ret = '\f';
		return 1;
	case 'n':
		*ret = '\n';
		return 1;
	case 'r':
		*ret = '\r';
		return 1;
	case 't':
		*ret = '\t';
		return 1;
	case 'v':
		*ret = '\v';
		return 1;
	case '\\':
		*ret = '\\';
		return 1;
	case '"':
		*ret = '"';
		return 1;
	case '\'':
		*ret = '\'';
		return 1;
	case 's':
		*ret = ' ';
		return 1;
	case 'x': {
		int a = unhex(p[1]), b;

		if (a < 0)
			return -EINVAL;
		b = unhex(p[2]);
		if (b < 0)
			return -EINVAL;
		if (a == 0 && b == 0) /* no NUL bytes */
			return -EINVAL;
		*ret = (uint32_t)((a << 4) | b);
		*eight_bit = true;
		return 3;
	}
	case 'u':
	case 'U': {
		int len = p[0] == 'u' ? 4 : 8;

		for (int i = 1; i <= len; i++) {
			int h = unhex(p[i]);

			if (h < 0)
				return -EINVAL;
			c = (c << 4) | (uint32_t)h;
		}
		if (c == 0)
			return -EINVAL;
		if (p[0] == 'U' && !unichar_valid(c))
			return -EINVAL;
		*ret = c;
		return len + 1;
	}
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7': {
		int a = unoct(p[0]), b, d;

		b = unoct(p[1]);
		if (b < 0)
			return -EINVAL;
		d = unoct(p[2]);
		if (d < 0)
			return -EINVAL;
		if (a == 0 && b == 0 && d == 0)
			return -EINVAL;
		c = (uint32_t)((a << 6) | (b << 3) | d);
		if (c > 255)
			return -EINVAL;
		*ret = c;
		*eight_bit = true;
		return 3;
	}
	default:
		return -EINVAL;
	}
}

/* A growable output buffer. */
struct buf {
	char *s;
	size_t n, cap;
};

static int
buf_reserve(struct buf *b, size_t more)
{
	if (b->n + more + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16;
		char *s;

		while (cap < b->n + more + 1)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	return 0;
}

static int
buf_put(struct buf *b, char c)
{
	if (buf_reserve(b, 1) < 0)
		return -ENOMEM;
	b->s[b->n++] = c;
	return 0;
}

/* The character after a backslash at **qp (not NUL), as flags say: a C
 * escape, an escaped separator, or kept verbatim. 0, -EINVAL or -ENOMEM. */
static int
word_escape(struct buf *b, const char **qp, const char *separators, unsigned flags)
{
	const char *q = *qp;
	char c = *q;
	bool eight_bit = false;
	uint32_t u;
	int n = -EINVAL;

	if (!(flags & (WORD_CUNESCAPE | WORD_UNESCAPE_SEPARATORS)))
		return buf_put(b, c);
	if (flags & WORD_CUNESCAPE)
		n = cunescape_one(q, &u, &eight_bit);
	if (n >= 0) {
		*qp = q + n - 1;
		if (buf_reserve(b, 4) < 0)
			return -ENOMEM;
		if (eight_bit)
			b->s[b->n++] = (char)u;
		else
			b->n += utf8_encode(b->s + b->n, u);
		return 0;
	}
	if ((flags & WORD_UNESCAPE_SEPARATORS) && (strchr(separators, c) || c == '\\'))
		return buf_put(b, c);
	if (flags & WORD_UNESCAPE_RELAX)
		return buf_put(b, '\\') < 0 || buf_put(b, c) < 0 ? -ENOMEM : 0;
	return -EINVAL;
}

/* Inside a quote: copies up to the closing quote (kept unless WORD_UNQUOTE)
 * or a backslash (*backslash set). 0 to go on, 1 at the end of input under
 * WORD_RELAX, -EINVAL for an unterminated quote, -ENOMEM. */
static int
word_quoted(struct buf *b, const char **qp, char *quote, bool *backslash, unsigned flags)
{
	for (;; (*qp)++) {
		char c = **qp;

		if (!c)
			return (flags & WORD_RELAX) ? 1 : -EINVAL;
		if (c == *quote) {
			*quote = 0;
			if (flags & WORD_UNQUOTE)
				return 0;
		} else if (c == '\\' && !(flags & WORD_RETAIN_ESCAPE)) {
			*backslash = true;
			return 0;
		}
		if (buf_put(b, c) < 0)
			return -ENOMEM;
		if (!*quote)
			return 0;
	}
}

int
word_extract(const char **p, char **ret, const char *separators, unsigned flags)
{
	struct buf b = { 0 };
	char quote = 0;
	bool backslash = false;
	const char *q;
	int r = -EINVAL, e;

	*ret = NULL;
	if (!*p)
		return 0;
	if (!separators)
		separators = WORDS_WHITESPACE;
	q = *p;

	if ((flags & WORD_DONT_COALESCE) && buf_reserve(&b, 0) < 0)
		return -ENOMEM;

	/* Skip leading separators. */
	for (;; q++) {
		if (!*q)
			goto terminate;
		if (strchr(separators, *q)) {
			if (flags & WORD_DONT_COALESCE) {
				q++;
				goto next;
			}
		} else {
			if (buf_reserve(&b, 0) < 0)
				return -ENOMEM;
			break;
		}
	}

	for (;; q++) {
		char c = *q;

		if (backslash) {
			if (!c) {
				if ((flags & WORD_UNESCAPE_RELAX) &&
				    (!quote || (flags & WORD_RELAX))) {
					if (buf_put(&b, '\\') < 0)
						goto nomem;
					goto terminate;
				}
				if (flags & WORD_RELAX)
					goto terminate;
				goto fail;
			}
			e = word_escape(&b, &q, separators, flags);
			if (e == -ENOMEM)
				goto nomem;
			if (e < 0)
				goto fail;
			backslash = false;
		} else if (quote) {
			e = word_quoted(&b, &q, &quote, &backslash, flags);
			if (e == 1)
				goto terminate;
			if (e == -ENOMEM)
				goto nomem;
			if (e < 0)
				goto fail;
		} else {
			for (;; q++) {
				c = *q;
				if (!c)
					goto terminate;
				if ((c == '\'' || c == '"') &&
				    (flags & (WORD_KEEP_QUOTE | WORD_UNQUOTE))) {
					quote = c;
					if (flags & WORD_UNQUOTE)
						break;
				} else if (c == '\\' && !(flags & WORD_RETAIN_ESCAPE)) {
					backslash = true;
					break;
				} else if (strchr(separators, c)) {
					if (flags & WORD_DONT_COALESCE) {
						q++;
						goto next;
					}
					while (*q && strchr(separators, *q))
						q++;
					if (!*q)
						goto terminate;
					goto next;
				}
				if (buf_put(&b, c) < 0)
					goto nomem;
				if (quote)
					break;
			}
		}
	}

terminate:
	q = NULL;
	if (!b.s) {
		*p = NULL;
		return 0;
	}
next:
	b.s[b.n] = '\0';
	*p = q;
	*ret = b.s;
	return 1;
nomem:
	r = -ENOMEM;
fail:
	free(b.s);
	*p = q;
	return r;
}

int
word_extract_warn(const char **p, char **ret, const char *separators, unsigned flags,
		  struct diag *d, const char *file, unsigned line, const char *whole)
{
	const char *save = *p;
	int r = word_extract(p, ret, separators, flags);

	if (r != -EINVAL || (flags & WORD_UNESCAPE_RELAX))
		return r;
	*p = save;
	r = word_extract(p, ret, separators, flags | WORD_UNESCAPE_RELAX);
	if (r >= 0) {
		diag_add(d, file, line, DIAG_WARNING, "Ignoring unknown escape sequences: \"%s\"",
			 *ret ? *ret : "");
		return r;
	}
	if (r == -EINVAL)
		diag_add(d, file, line, DIAG_ERROR, "Unbalanced quoting, ignoring: \"%s\"", whole);
	return r;
}

void
words_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int
words_split(const char *value, unsigned flags, char ***ret, size_t *ret_n)
{
	char **v = NULL, **nv;
	size_t n = 0;
	const char *p = value;

	for (;;) {
		char *w;
		int r = word_extract(&p, &w, NULL, flags);

		if (r < 0) {
			words_free(v);
			return r;
		}
		if (r == 0)
			break;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv) {
			free(w);
			words_free(v);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = w;
		v[n] = NULL;
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	*ret = v;
	if (ret_n)
		*ret_n = n;
	return 0;
}

bool
string_is_safe(const char *s)
{
	for (const unsigned char *t = (const unsigned char *)s; *t; t++)
		if (*t < ' ' || *t == 0x7f || *t == '"' || *t == '\'' || *t == '\\')
			return false;
	return true;
}

bool
filename_is_valid(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	if (strchr(s, '/'))
		return false;
	return strlen(s) <= 255;
}

bool
path_is_valid(const char *s)
{
	size_t comp = 0, len = 0;

	if (!*s)
		return false;
	for (const char *t = s; *t; t++, len++) {
		if (*t == '/')
			comp = 0;
		else if (++comp > 255)
			return false;
	}
	return len < PATH_MAX;
}

bool
path_is_normalized(const char *s)
{
	const char *t = s;

	if (!path_is_valid(s))
		return false;
	if (strstr(s, "//"))
		return false;
	/* Walk the components: "." and ".." are not allowed. */
	while (*t) {
		size_t len;

		while (*t == '/')
			t++;
		len = strcspn(t, "/");
		if ((len == 1 && t[0] == '.') || (len == 2 && t[0] == '.' && t[1] == '.'))
			return false;
		t += len;
	}
	return true;
}

void
path_simplify(char *path)
{
	char *f = path, *t = path;
	bool absolute = *path == '/';

	/* Copy components, dropping empty and "." ones. */
	if (absolute) {
		*t++ = '/';
		while (*f == '/')
			f++;
	}
	while (*f) {
		size_t len = strcspn(f, "/");

		if (!(len == 1 && f[0] == '.')) {
			if (t > path && t[-1] != '/')
				*t++ = '/';
			memmove(t, f, len);
			t += len;
		}
		f += len;
		while (*f == '/')
			f++;
	}
	if (t == path)
		*t++ = absolute ? '/' : '.';
	*t = '\0';
}

void
exec_command_done(struct exec_command *c)
{
	if (!c)
		return;
	free(c->path);
	words_free(c->argv);
	c->path = NULL;
	c->argv = NULL;
	c->argc = 0;
}

static int
argv_push(char ***v, size_t *n, char *w)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (!nv) {
		free(w);
		return -ENOMEM;
	}
	*v = nv;
	nv[(*n)++] = w;
	nv[*n] = NULL;
	return 0;
}

static bool
is_ws(char c)
{
	return c && strchr(WORDS_WHITESPACE, c);
}

/* The prefixes of an Exec line's first word ("-@:+!" and "!!"), as systemd
 * 252 reads them: each at most once, "+", "!" and "!!" exclusive. Returns
 * the first character after them. */
static const char *
exec_prefixes(const char *f, unsigned *flagsp, bool *ignore, bool *separate_argv0)
{
	unsigned flags = 0;

	for (;; f++) {
		if (*f == '-' && !(flags & EXEC_IGNORE_FAILURE)) {
			flags |= EXEC_IGNORE_FAILURE;
			*ignore = true;
		} else if (*f == '@' && !*separate_argv0)
			*separate_argv0 = true;
		else if (*f == ':' && !(flags & EXEC_NO_ENV_EXPAND))
			flags |= EXEC_NO_ENV_EXPAND;
		else if (*f == '+' &&
			 !(flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID | EXEC_AMBIENT)))
			flags |= EXEC_FULL_PRIVILEGES;
		else if (*f == '!' &&
			 !(flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID | EXEC_AMBIENT)))
			flags |= EXEC_NO_SETUID;
		else if (*f == '!' && !(flags & (EXEC_FULL_PRIVILEGES | EXEC_AMBIENT))) {
			flags &= ~(unsigned)EXEC_NO_SETUID;
			flags |= EXEC_AMBIENT;
		} else
			break;
	}
	*flagsp = flags;
	return f;
}

/* The arguments after the executable, up to the end or a lone ';' (then
 * *semicolon is set), appended to argv/argc with specifiers resolved.
 * 0, 2 when the line is to be dropped (ignore), -ENOEXEC, -ENOMEM. */
static int
exec_args(const char **pp, bool *semicolon, char ***argv, size_t *argc, const char *whole,
	  words_resolve_fn resolve, void *ctx, struct diag *d, const char *file, unsigned line,
	  bool ignore)
{
	int r;

	while (*pp && **pp) {
		const char *p = *pp;
		char *word = NULL, *res = NULL;

		if (p[0] == ';' && (!p[1] || is_ws(p[1]))) {
			p++;
			p += strspn(p, WORDS_WHITESPACE);
			*pp = p;
			*semicolon = true;
			break;
		}
		if (p[0] == '\\' && p[1] == ';' && (!p[2] || is_ws(p[2]))) {
			char *w;

			p += 2;
			p += strspn(p, WORDS_WHITESPACE);
			*pp = p;
			w = strdup(";");
			if (!w || argv_push(argv, argc, w) < 0) {
				return -ENOMEM;
			}
			continue;
		}
		r = word_extract_warn(pp, &word, NULL, WORD_UNQUOTE | WORD_CUNESCAPE, d, file, line,
				      whole);
		if (r == 0)
			break;
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return ignore ? 2 : -ENOEXEC;
		r = resolve(ctx, word, &res);
		if (r == -ENOMEM) {
			free(word);
			return r;
		}
		if (r < 0) {
			diag_add(d, file, line, ignore ? DIAG_WARNING : DIAG_ERROR,
				 "Failed to resolve unit specifiers in %s%s: %s", word,
				 ignore ? ", ignoring" : "", strerror(-r));
			free(word);
			return ignore ? 2 : -ENOEXEC;
		}
		free(word);
		if (argv_push(argv, argc, res) < 0) {
			return -ENOMEM;
		}
	}

	return 0;
}

/* Parses one command starting at *pp; sets *semicolon when a ';' ended it.
 * Returns 1 when a command was added, 0 when nothing was (end, or ignored),
 * 2 when the rest of the line is to be dropped, <0 on fatal errors. */
static int
exec_parse_one(const char **pp, bool *semicolon, const char *whole, words_resolve_fn resolve,
	       void *ctx, struct exec_command **v, size_t *n, struct diag *d, const char *file,
	       unsigned line)
{
	char *first = NULL, *path = NULL, **argv = NULL;
	size_t argc = 0;
	unsigned flags = 0;
	bool ignore = false, separate_argv0 = false;
	const char *f;
	enum diag_severity sev;
	int r;

	*semicolon = false;
	r = word_extract_warn(pp, &first, NULL, WORD_UNQUOTE | WORD_CUNESCAPE, d, file, line,
			      whole);
	if (r <= 0)
		return r == -ENOMEM ? r : 2;
	if (!strcmp(first, ";")) {
		free(first);
		*semicolon = true;
		return 0;
	}

	f = exec_prefixes(first, &flags, &ignore, &separate_argv0);
	sev = ignore ? DIAG_WARNING : DIAG_ERROR;
#define EXEC_FAIL(...)                                                                             \
	do {                                                                                       \
		diag_add(d, file, line, sev, __VA_ARGS__);                                         \
		r = ignore ? 2 : -ENOEXEC;                                                         \
		goto out;                                                                          \
	} while (0)

	r = resolve(ctx, f, &path);
	if (r == -ENOMEM)
		goto out;
	if (r < 0)
		EXEC_FAIL("Failed to resolve unit specifiers in '%s'%s: %s", f,
			  ignore ? ", ignoring" : "", strerror(-r));
	if (!*path)
		EXEC_FAIL("Empty path in command line%s: '%s'", ignore ? ", ignoring" : "", whole);
	if (!string_is_safe(path))
		EXEC_FAIL("Executable name contains special characters%s: %s",
			  ignore ? ", ignoring" : "", path);
	if (path[strlen(path) - 1] == '/')
		EXEC_FAIL("Executable path specifies a directory%s: %s", ignore ? ", ignoring" : "",
			  path);
	if (!(path[0] == '/' ? path_is_valid(path) : filename_is_valid(path)))
		EXEC_FAIL("Neither a valid executable name nor an absolute path%s: %s",
			  ignore ? ", ignoring" : "", path);
	if (!separate_argv0) {
		char *w = strdup(path);

		if (!w || argv_push(&argv, &argc, w) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	path_simplify(path);

	r = exec_args(pp, semicolon, &argv, &argc, whole, resolve, ctx, d, file, line, ignore);
	if (r < 0 || r == 2)
		goto out;

	if (!argc)
		EXEC_FAIL("Empty executable name or zeroeth argument%s: %s",
			  ignore ? ", ignoring" : "", whole);
	{
		struct exec_command *nv = realloc(*v, (*n + 1) * sizeof(**v));

		if (!nv) {
			r = -ENOMEM;
			goto out;
		}
		*v = nv;
		memset(&nv[*n], 0, sizeof(nv[*n]));
		nv[*n].path = path;
		nv[*n].argv = argv;
		nv[*n].argc = argc;
		nv[*n].flags = flags;
		(*n)++;
		path = NULL;
		argv = NULL;
		r = 1;
	}
#undef EXEC_FAIL
out:
	free(first);
	free(path);
	words_free(argv);
	return r;
}

int
exec_parse(const char *value, words_resolve_fn resolve, void *ctx, struct exec_command **v,
	   size_t *n, struct diag *d, const char *file, unsigned line)
{
	const char *p = value, *whole = value;
	bool semicolon;

	/* systemd reports later commands' problems with the rest of the line
	 * from that command on, as its rvalue advances. */
	do {
		int r = exec_parse_one(&p, &semicolon, whole, resolve, ctx, v, n, d, file, line);

		if (r < 0)
			return r;
		if (r == 2)
			return 0;
		if (r == 1)
			whole = p ? p : "";
	} while (semicolon);
	return 0;
}
