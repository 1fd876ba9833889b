/* SPDX-License-Identifier: MIT */
/* tr_common: shared by the translation rules: string vectors, the warning format, the
 * value adapters over values.h, and the rules that do nothing but accept or drop. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"
#include "values.h"
#include "words.h"

int
tr_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	nv[*n] = NULL;
	return 0;
}

void
tr_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool
tr_strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

int
tr_set_str(char **dst, const char *s)
{
	char *c = strdup(s);
	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

const char *
tr_last(const struct setting *s)
{
	return s->n_values ? s->values[s->n_values - 1] : "";
}

void
tr_warn(struct diag *d, const struct setting *s, const char *fmt, const char *why)
{
	diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING, "%s=%s: %s", s->key, tr_last(s),
		 fmt ? fmt : why);
}

int
tr_ignore(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)s, (void)why, (void)d;
	return 0;
}

int
tr_drop(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p;
	diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING, "%s= dropped: %s", s->key, why);
	return 0;
}

int
tr_unknown(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)why;
	diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
		 "[%s] %s= dropped: klein-porter does not know this directive", s->section, s->key);
	return 0;
}

int
tr_get_bool(const struct setting *s, bool *dst, struct diag *d)
{
	int b = tv_boolean(tr_last(s));
	if (b < 0) {
		tr_warn(d, s, NULL, "not a boolean, ignored");
		return 0;
	}
	*dst = b;
	return 0;
}

int
tr_get_time(const struct setting *s, uint64_t *dst, struct diag *d)
{
	uint64_t v;
	if (tv_timespan(tr_last(s), &v) < 0) {
		tr_warn(d, s, NULL, "not a time span, ignored");
		return 0;
	}
	*dst = v;
	return 0;
}

int
tr_get_signal(const struct setting *s, int *dst, struct diag *d)
{
	int sig = tv_signal(tr_last(s));
	if (sig <= 0) {
		tr_warn(d, s, NULL, "not a signal, ignored");
		return 0;
	}
	*dst = sig;
	return 0;
}

/* Calls fn for every whitespace-separated word of every value of s (list
 * directives may hold several names per line); an empty value resets. */
int
tr_each_word(const struct setting *s, char ***v, size_t *n)
{
	for (size_t i = 0; i < s->n_values; i++) {
		const char *x = s->values[i];
		if (!x[0]) {
			tr_strv_free(*v, *n);
			*v = NULL, *n = 0;
			continue;
		}
		while (*x) {
			while (*x && isspace((unsigned char)*x))
				x++;
			size_t len = 0;
			while (x[len] && !isspace((unsigned char)x[len]))
				len++;
			if (!len)
				break;
			char *w = strndup(x, len);
			if (!w)
				return -ENOMEM;
			int r = tr_strv_has(*v, *n, w) ? 0 : tr_strv_push(v, n, w);
			free(w);
			if (r < 0)
				return r;
			x += len;
		}
	}
	return 0;
}

int
tv_boolean(const char *s)
{
	return parse_boolean(s);
}

int
tv_timespan(const char *s, uint64_t *ret)
{
	return parse_sec(s, ret);
}

int
tv_signal(const char *s)
{
	return parse_signal(s);
}

int
tv_mode(const char *s, unsigned *ret)
{
	return parse_mode(s, ret);
}

/* "SOFT:HARD" in the units klein-svc takes (bytes, seconds, usec for RTTIME). */
int
tv_rlimit(const char *name, const char *s, char **ret)
{
	char key[64];
	uint64_t soft, hard;
	snprintf(key, sizeof(key), "Limit%s", name);
	if (rlimit_from_key(key) < 0)
		return -EINVAL;
	int r = parse_rlimit(key, s, &soft, &hard);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	char a[32], b[32];
	if (soft == VALUE_INFINITY)
		snprintf(a, sizeof(a), "infinity");
	else
		snprintf(a, sizeof(a), "%llu", (unsigned long long)soft);
	if (hard == VALUE_INFINITY)
		snprintf(b, sizeof(b), "infinity");
	else
		snprintf(b, sizeof(b), "%llu", (unsigned long long)hard);
	return asprintf(ret, "%s:%s", a, b) < 0 ? -ENOMEM : 0;
}

static int
int_push(int **v, size_t *n, int x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return 0;
	int *nv = realloc(*v, (*n + 1) * sizeof(int));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = x;
	*v = nv;
	return 0;
}

/* "75 250 SIGKILL TERM": exit statuses 0..255 and signal names. */
int
tv_status_list(const char *s, int **codes, size_t *n_codes, int **sigs, size_t *n_sigs)
{
	unsigned char st[256] = { 0 }, sg[65] = { 0 };
	int bad = parse_exit_status_list(s, st, sg);
	if (bad < 0)
		return bad;
	for (int i = 0; i < 256; i++)
		if (st[i] && int_push(codes, n_codes, i) < 0)
			return -ENOMEM;
	for (int i = 0; i < 65; i++)
		if (sg[i] && int_push(sigs, n_sigs, i) < 0)
			return -ENOMEM;
	return bad ? -EINVAL : 0;
}
