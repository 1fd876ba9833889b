/* SPDX-License-Identifier: MIT */
/* klein-svc: allocation, string vectors, environment lists and file helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void
oom(void)
{
	static const char msg[] = "klein-svc: out of memory\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrjoin3(const char *a, const char *b, const char *c)
{
	size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
	char *d = xmalloc(la + lb + lc + 1);
	memcpy(d, a ? a : "", la);
	memcpy(d + la, b ? b : "", lb);
	memcpy(d + la + lb, c ? c : "", lc);
	d[la + lb + lc] = '\0';
	return d;
}

void
strv_push(struct strv *l, char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(char *));
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

void
strv_done(struct strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

bool
env_name_valid(const char *name, size_t len)
{
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* systemd's unichar_is_valid(): no surrogates, no noncharacters. */
static bool
unichar_valid(uint32_t ch)
{
	if (ch >= 0x110000)
		return false;
	if ((ch & 0xFFFFF800) == 0xD800)
		return false;
	if (ch >= 0xFDD0 && ch <= 0xFDEF)
		return false;
	if ((ch & 0xFFFE) == 0xFFFE)
		return false;
	return true;
}

bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t ch;
		int len;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			len = 2;
			ch = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			len = 3;
			ch = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			len = 4;
			ch = *p & 0x07;
		} else
			return false;
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			ch = (ch << 6) | (p[i] & 0x3F);
		}
		/* Overlong encodings are invalid. */
		if ((len == 2 && ch < 0x80) || (len == 3 && ch < 0x800) ||
		    (len == 4 && ch < 0x10000))
			return false;
		if (!unichar_valid(ch))
			return false;
		p += len;
	}
	return true;
}

bool
env_assignment_valid(const char *a)
{
	const char *eq = strchr(a, '=');
	return eq && env_name_valid(a, (size_t)(eq - a)) && utf8_valid(eq + 1);
}

static bool
entry_has_name(const char *entry, const char *name, size_t len)
{
	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

const char *
env_get(const struct strv *env, const char *name, size_t len)
{
	if (len == 0)
		return NULL;
	for (size_t i = env->n; i > 0; i--)
		if (entry_has_name(env->v[i - 1], name, len))
			return env->v[i - 1] + len + 1;
	return NULL;
}

void
env_set(struct strv *env, char *a)
{
	size_t len = strcspn(a, "=");
	for (size_t i = 0; i < env->n; i++)
		if (entry_has_name(env->v[i], a, len)) {
			free(env->v[i]);
			env->v[i] = a;
			return;
		}
	strv_push(env, a);
}

void
env_unset(struct strv *env, const char *pattern)
{
	bool exact = strchr(pattern, '=') != NULL;
	size_t k = 0;
	for (size_t i = 0; i < env->n; i++) {
		char *e = env->v[i];
		bool match = exact ? strcmp(e, pattern) == 0
				   : entry_has_name(e, pattern, strlen(pattern));
		if (match)
			free(e);
		else
			env->v[k++] = e;
	}
	env->n = k;
	if (env->v)
		env->v[k] = NULL;
}

int
read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*ret_buf = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int
write_file_atomic(const char *path, const char *text)
{
	char *tmp = xstrjoin3(path, ".tmp", NULL);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = -errno;
		free(tmp);
		return e;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			(void)unlink(tmp);
			free(tmp);
			return e;
		}
		off += (size_t)w;
	}
	int r = 0;
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		(void)unlink(tmp);
	}
	free(tmp);
	return r;
}

int
parse_int(const char *s, long min, long max, long *ret)
{
	char *end;
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno == ERANGE || (errno == 0 && *end == '\0' && (v < min || v > max)))
		return -ERANGE;
	if (errno || *end != '\0' || end == s)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
parse_pid(const char *s, int *ret)
{
	long v;
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	if (parse_int(s, 1, INT_MAX, &v) < 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

uint64_t
now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
log_error(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write(2) so lines from parallel processes do not interleave. */
	char line[1100];
	int m = snprintf(line, sizeof(line), "klein-svc: %.*s", n, buf);
	if (m > 0)
		(void)!write(2, line, (size_t)m < sizeof(line) ? (size_t)m : sizeof(line) - 1);
}
