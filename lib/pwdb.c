/* SPDX-License-Identifier: MIT */
/* /etc/passwd and /etc/group read directly (a static binary has no NSS). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pwdb.h"

#define MAX_FIELDS 8

/* Splits one line (up to '\n') at ':' into at most MAX_FIELDS heap fields;
 * returns the number found and advances *pp past the line. */
static size_t
split_line(const char **pp, char *fields[MAX_FIELDS])
{
	const char *p = *pp, *end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	size_t n = 0;
	const char *f = p;
	for (const char *q = p;; q++) {
		if (q == end || *q == ':') {
			if (n < MAX_FIELDS)
				fields[n++] = xstrndup(f, (size_t)(q - f));
			f = q + 1;
			if (q == end)
				break;
		}
	}
	*pp = *end ? end + 1 : end;
	return n;
}

static void
free_fields(char *fields[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
}

static bool
all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int
parse_id(const char *s, unsigned long *ret)
{
	if (!all_digits(s))
		return -EINVAL;
	char *e;
	errno = 0;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || *e || v >= 4294967295UL)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* systemd's valid_user_group_name(VALID_USER_ALLOW_NUMERIC|VALID_USER_RELAX),
 * the rule User=/Group= values follow. */
bool
user_name_valid(const char *s)
{
	if (!*s)
		return false;
	if (all_digits(s)) {
		char *e;
		unsigned long long v = strtoull(s, &e, 10);

		return strlen(s) <= 10 && v < 4294967295ULL && v != 65535;
	}
	if (s[0] == '-' && all_digits(s + 1))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p == 0x7f || *p == ':' || *p == '/')
			return false;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strlen(s) <= 255;
}

/* by_id: match the uid field instead of the name field. */
static int
pw_scan(const char *text, const char *key, bool by_id, struct pw_entry *ret)
{
	const char *p = text;
	while (*p) {
		char *f[MAX_FIELDS];
		size_t n = split_line(&p, f);
		unsigned long uid, gid;
		bool ok = n >= 7 && f[0][0] && f[0][0] != '+' && f[0][0] != '-' &&
			  parse_id(f[2], &uid) == 0 && parse_id(f[3], &gid) == 0;
		if (ok && strcmp(by_id ? f[2] : f[0], key) == 0) {
			ret->name = f[0];
			ret->dir = f[5];
			ret->shell = f[6];
			ret->uid = (uid_t)uid;
			ret->gid = (gid_t)gid;
			free(f[1]);
			free(f[2]);
			free(f[3]);
			free(f[4]);
			return 0;
		}
		free_fields(f, n);
	}
	return -ENOENT;
}

int
pw_lookup(const char *text, const char *key, struct pw_entry *ret)
{
	/* systemd's get_user_creds(): a key that parses as a uid is a uid. */
	if (all_digits(key)) {
		/* Normalise "0042" to "42" so it compares equal to the field. */
		unsigned long id;
		char buf[32];
		if (parse_id(key, &id) < 0)
			return -ENOENT;
		snprintf(buf, sizeof(buf), "%lu", id);
		return pw_scan(text, buf, true, ret);
	}
	return pw_scan(text, key, false, ret);
}

void
pw_entry_done(struct pw_entry *e)
{
	free(e->name);
	free(e->dir);
	free(e->shell);
	e->name = e->dir = e->shell = NULL;
}

/* Calls fn for every well-formed group line; stops when fn returns true. */
static bool
gr_each(const char *text, bool (*fn)(char *f[], void *ud), void *ud)
{
	const char *p = text;
	while (*p) {
		char *f[MAX_FIELDS];
		size_t n = split_line(&p, f);
		unsigned long gid;
		bool stop = n >= 4 && f[0][0] && parse_id(f[2], &gid) == 0 && fn(f, ud);
		free_fields(f, n);
		if (stop)
			return true;
	}
	return false;
}

struct gr_query {
	const char *key;
	bool by_id;
	char *name;
	gid_t gid;
};

static bool
gr_match(char *f[], void *ud)
{
	struct gr_query *q = ud;
	if (strcmp(q->by_id ? f[2] : f[0], q->key) != 0)
		return false;
	q->name = xstrdup(f[0]);
	q->gid = (gid_t)strtoul(f[2], NULL, 10);
	return true;
}

char *
gr_name_by_gid(const char *text, gid_t gid)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)gid);
	struct gr_query q = { .key = buf, .by_id = true };
	gr_each(text, gr_match, &q);
	return q.name;
}

int
gr_lookup(const char *text, const char *key, gid_t *ret)
{
	char buf[32];
	struct gr_query q = { .key = key };
	if (all_digits(key)) {
		unsigned long id;
		if (parse_id(key, &id) < 0)
			return -ENOENT;
		snprintf(buf, sizeof(buf), "%lu", id);
		q.key = buf;
		q.by_id = true;
	}
	if (!gr_each(text, gr_match, &q))
		return -ENOENT;
	free(q.name);
	*ret = q.gid;
	return 0;
}

struct gr_members {
	const char *user;
	struct strv *out;
};

static bool
gr_member(char *f[], void *ud)
{
	struct gr_members *m = ud;
	size_t ul = strlen(m->user);
	for (const char *p = f[3]; *p;) {
		size_t l = strcspn(p, ",");
		if (l == ul && strncmp(p, m->user, l) == 0) {
			strv_push(m->out, xstrdup(f[2]));
			break;
		}
		p += l;
		if (*p == ',')
			p++;
	}
	return false;
}

void
gr_memberships(const char *text, const char *user, struct strv *out)
{
	struct gr_members m = { .user = user, .out = out };
	gr_each(text, gr_member, &m);
}
