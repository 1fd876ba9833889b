/* SPDX-License-Identifier: MIT */
/* klein-journalctl: the services' bounded logs (docs/systemctl.md "Logs"). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "util.h"
#include "lib/values.h"

struct entry {
	uint64_t usec;
	const char *svc; /* points into the namelist of services */
	char *text;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

/* "2026-12-04_15:10:15.12345 " (svlogd -tt, UTC): the time, or 0 when absent. */
static uint64_t
parse_stamp(const char *line, const char **rest)
{
	struct tm tm = { 0 };
	unsigned frac = 0;
	int used = 0;
	if (sscanf(line, "%4d-%2d-%2d_%2d:%2d:%2d.%5u %n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac, &used) < 7 ||
	    used == 0) {
		*rest = line;
		return 0;
	}
	tm.tm_year -= 1900, tm.tm_mon -= 1;
	*rest = line + used;
	return (uint64_t)timegm(&tm) * 1000000 + (uint64_t)frac * 10;
}

static void
add_file(struct entries *e, const char *path, const char *svc)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while (f && (n = getline(&line, &cap, f)) > 0) {
		const char *text;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		uint64_t t = parse_stamp(line, &text);
		if (e->n == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 256;
			e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
		}
		e->v[e->n++] = (struct entry){ t, svc, xstrdup(text) };
	}
	free(line);
	if (f)
		fclose(f);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* svlogd's rotated files (@TAI64N.s/.u), oldest first, then current. */
static void
add_svlogd(struct entries *e, const char *dir, const char *svc)
{
	struct namelist old = { 0 };
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] == '@')
			namelist_add(&old, de->d_name);
	if (d)
		closedir(d);
	if (old.n)
		qsort(old.v, old.n, sizeof(*old.v), cmp_name);
	char p[4200];
	for (size_t i = 0; i < old.n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, old.v[i]);
		add_file(e, p, svc);
	}
	snprintf(p, sizeof(p), "%s/current", dir);
	add_file(e, p, svc);
	namelist_done(&old);
}

/* One shell word as the porter quotes them: 'a'\''b' (a quote inside), or bare. */
static void
sh_unquote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	for (bool q = false; *s && (q || (*s != ' ' && *s != '\n')); s++) {
		if (*s == '\'') {
			q = !q;
			continue;
		}
		if (*s == '\\' && !q && s[1])
			s++;
		if (n < size - 1)
			buf[n++] = *s;
	}
	buf[n] = '\0';
}

/*
 * Where the service's log/run writes, as it says: `exec klein-svc log --dir 'DIR'`
 * (porter.conf log_dir) or `exec svlogd -tt 'DIR'`. 0 with dir set (*svlogd tells
 * which), -ENOENT when log/run names no directory (klein-svc log's default:
 * KLEIN_LOG_DIR, as this program's), or there is no log/run.
 */
static int
log_run_dir(const struct ctl_opts *o, const char *svc, char *dir, size_t size, bool *svlogd)
{
	char p[4200], line[4200];
	snprintf(p, sizeof(p), "%s/%s/log/run", o->service_dir, svc);
	FILE *f = fopen(p, "re");
	if (!f) {
		snprintf(p, sizeof(p), "%s/%s/log/run", o->sv_dir, svc);
		f = fopen(p, "re");
	}
	int r = -ENOENT;
	while (f && r < 0 && fgets(line, sizeof(line), f)) {
		const char *w = NULL;
		if (strncmp(line, "exec klein-svc log ", 19) == 0 && (w = strstr(line, " --dir ")))
			w += 7, *svlogd = false;
		else if (strncmp(line, "exec svlogd -tt ", 16) == 0)
			w = line + 16, *svlogd = true;
		if (w) {
			sh_unquote(w, dir, size);
			r = dir[0] ? 0 : -ENOENT;
		}
	}
	if (f)
		fclose(f);
	return r;
}

/* Every file that holds svc's output: klein-svc log's NAME.1 and NAME, or svlogd's. */
static void
add_service(const struct ctl_opts *o, struct entries *e, const char *svc)
{
	char p[4200], dir[4096];
	size_t first = e->n;
	bool svlogd = false;
	if (log_run_dir(o, svc, dir, sizeof(dir), &svlogd) == 0) {
		if (svlogd) {
			add_svlogd(e, dir, svc);
			return;
		}
		snprintf(p, sizeof(p), "%s/%s.1", dir, svc);
		add_file(e, p, svc);
		snprintf(p, sizeof(p), "%s/%s", dir, svc);
		add_file(e, p, svc);
		return;
	}
	snprintf(p, sizeof(p), "%s/%s.1", o->log_dir, svc);
	add_file(e, p, svc);
	snprintf(p, sizeof(p), "%s/%s", o->log_dir, svc);
	add_file(e, p, svc);
	if (e->n == first) {
		snprintf(p, sizeof(p), "%s/%s", o->svlogd_dir, svc);
		add_svlogd(e, p, svc);
	}
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->usec != y->usec)
		return x->usec < y->usec ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void
print_entry(const struct ctl_opts *o, const struct entry *e, const char *host)
{
	if (o->output && strcmp(o->output, "cat") == 0) {
		printf("%s\n", e->text);
		return;
	}
	char ts[64] = "";
	time_t t = (time_t)(e->usec / 1000000);
	struct tm tm;
	bool iso = o->output && strcmp(o->output, "short-iso") == 0;
	if (e->usec && localtime_r(&t, &tm)) {
		if (iso)
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
		else
			strftime(ts, sizeof(ts), "%b %d %H:%M:%S", &tm);
	}
	printf("%s %s %s: %s\n", ts, host, e->svc, e->text);
}

static int
parse_when(const char *s, uint64_t *ret)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t n = (uint64_t)now.tv_sec * 1000000, span;
	struct tm tm = { 0 };
	time_t mid = now.tv_sec;
	localtime_r(&mid, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (strcmp(s, "now") == 0)
		*ret = n;
	else if (strcmp(s, "today") == 0)
		*ret = (uint64_t)mktime(&tm) * 1000000;
	else if (strcmp(s, "yesterday") == 0)
		*ret = ((uint64_t)mktime(&tm) - 86400) * 1000000;
	else if (s[0] == '@')
		*ret = strtoull(s + 1, NULL, 10) * 1000000;
	else if (s[0] == '-' && parse_time_usec(s + 1, 1000000, &span) == 0)
		*ret = n - span;
	else {
		char buf[128];
		snprintf(buf, sizeof(buf), "%s", s);
		char *ago = strstr(buf, " ago");
		if (ago && (*ago = '\0', parse_time_usec(buf, 1000000, &span) == 0)) {
			*ret = n - span;
			return 0;
		}
		memset(&tm, 0, sizeof(tm));
		tm.tm_isdst = -1;
		const char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
		if (!end || *end)
			end = strptime(s, "%Y-%m-%d %H:%M", &tm);
		if (!end || *end) {
			memset(&tm, 0, sizeof(tm));
			tm.tm_isdst = -1;
			end = strptime(s, "%Y-%m-%d", &tm);
		}
		if (!end || *end)
			return -EINVAL;
		*ret = (uint64_t)mktime(&tm) * 1000000;
	}
	return 0;
}

static void
collect(const struct ctl_opts *o, struct namelist *svcs, struct entries *e)
{
	for (size_t i = 0; i < svcs->n; i++)
		add_service(o, e, svcs->v[i]);
	if (e->n)
		qsort(e->v, e->n, sizeof(*e->v), cmp_entry);
}

static void
entries_done(struct entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
	*e = (struct entries){ 0 };
}

/* Prints what is new since the last round: files only grow or rotate. */
static void
follow(const struct ctl_opts *o, struct namelist *svcs, size_t shown, const char *host)
{
	for (;;) {
		struct timespec ts = { 0, 250000000 };
		nanosleep(&ts, NULL);
		struct entries e = { 0 };
		collect(o, svcs, &e);
		if (e.n < shown)
			shown = 0; /* rotated: start over with what the files hold now */
		for (size_t i = shown; i < e.n; i++)
			print_entry(o, &e.v[i], host);
		fflush(stdout);
		shown = e.n;
		entries_done(&e);
	}
}

int
journal_main(const struct ctl_opts *o, char **units, int n)
{
	struct namelist svcs = { 0 };
	uint64_t since = 0, until = UINT64_MAX;
	if ((o->since && parse_when(o->since, &since) < 0) ||
	    (o->until && parse_when(o->until, &until) < 0)) {
		fprintf(stderr, "Failed to parse timestamp: %s\n",
			o->since && parse_when(o->since, &since) < 0 ? o->since : o->until);
		return 1;
	}
	if (n == 0) {
		services_list(o, true, &svcs);
	} else {
		struct namelist u = { 0 };
		units_expand(o, units, n, &u);
		for (size_t i = 0; i < u.n; i++) {
			char name[256];
			if (unit_to_svname(u.v[i], name, sizeof(name)))
				namelist_add(&svcs, name);
		}
		namelist_done(&u);
	}
	char host[256] = "localhost";
	gethostname(host, sizeof(host) - 1);
	struct entries e = { 0 };
	collect(o, &svcs, &e);
	size_t lo = 0, hi = e.n, shown = e.n;
	while (lo < hi && e.v[lo].usec < since)
		lo++;
	while (hi > lo && e.v[hi - 1].usec > until)
		hi--;
	long lines = o->lines >= 0 ? o->lines : o->follow ? 10 : -1;
	if (lines >= 0 && hi - lo > (size_t)lines)
		lo = hi - (size_t)lines;
	if (lo == hi && !o->quiet && !o->follow)
		printf("-- No entries --\n");
	for (size_t i = lo; i < hi; i++)
		print_entry(o, &e.v[i], host);
	fflush(stdout);
	entries_done(&e);
	if (o->follow)
		follow(o, &svcs, shown, host);
	namelist_done(&svcs);
	return 0;
}

int
journal_tail(const struct ctl_opts *o, const char *svname, long n, bool short_fmt)
{
	struct entries e = { 0 };
	char host[256] = "localhost";
	gethostname(host, sizeof(host) - 1);
	add_service(o, &e, svname);
	size_t lo = e.n > (size_t)n ? e.n - (size_t)n : 0;
	if (lo < e.n)
		printf("\n");
	struct ctl_opts oo = *o;
	oo.output = short_fmt ? "short" : "cat";
	for (size_t i = lo; i < e.n; i++)
		print_entry(&oo, &e.v[i], host);
	entries_done(&e);
	return 0;
}
