/* SPDX-License-Identifier: MIT */
/* calendar: systemd 252's calendar event grammar: parsing and normalizing.
 * The next-elapse search is in calendar_next.c. Error codes and the printed
 * form follow calendar_spec_from_string()/calendar_spec_to_string(), the
 * oracle being `systemd-analyze calendar` (tests/lib/calendar_oracle.py). */
#include "lib/calendar.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/tzone.h"

#define USEC_PER_SEC 1000000
#define MIN_YEAR     1970
#define MAX_YEAR     2199
#define ALL_WEEKDAYS 127

static int
chain_add(struct calendar_chain *ch, int start, int stop, int repeat)
{
	struct calendar_component *v;

	if (ch->n >= CALENDAR_COMPONENTS_MAX)
		return -ENOBUFS;
	v = realloc(ch->v, (ch->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	ch->v = v;
	v[ch->n++] = (struct calendar_component){ start, stop, repeat };
	return 0;
}

static void
chain_clear(struct calendar_chain *ch)
{
	free(ch->v);
	ch->v = NULL;
	ch->n = 0;
}

void
calendar_free(struct calendar_spec *c)
{
	if (!c)
		return;
	chain_clear(&c->year);
	chain_clear(&c->month);
	chain_clear(&c->day);
	chain_clear(&c->hour);
	chain_clear(&c->minute);
	chain_clear(&c->usec);
	free(c->timezone);
	free(c);
}

/* Case-insensitive suffix: the start of the suffix in s, or NULL. */
static const char *
ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (k > n || strcasecmp(s + n - k, suffix))
		return NULL;
	return s + n - k;
}

/* strtoul's reading of a decimal number, as systemd's parse_one_number. */
static int
read_number(const char **p, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno > 0)
		return -errno;
	if (end == *p)
		return -EINVAL;
	*p = end;
	*ret = v;
	return 0;
}

/* Six fractional digits, rounded on the seventh, the rest ignored. */
static int
read_fraction(const char **p, unsigned *ret)
{
	const char *s = *p;
	unsigned v = 0;
	int i;

	for (i = 0; i < 6; i++, s++) {
		if (!isdigit((unsigned char)*s)) {
			if (i == 0)
				return -EINVAL;
			for (; i < 6; i++)
				v *= 10;
			break;
		}
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (*s >= '5' && *s <= '9')
		v++;
	s += strspn(s, "0123456789");
	*p = s;
	*ret = v;
	return 0;
}

/* One number of a field; seconds may have a fraction and become usec. */
static int
read_value(const char **p, bool usec, int *ret)
{
	const char *e = *p;
	unsigned long v;
	int r;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	r = read_number(&e, &v);
	if (r < 0)
		return r;
	if (usec) {
		unsigned frac;

		if (v * USEC_PER_SEC / USEC_PER_SEC != v)
			return -ERANGE;
		v *= USEC_PER_SEC;
		/* One '.' is a decimal point, ".." a range. */
		if (e[0] == '.' && e[1] != '.') {
			e++;
			r = read_fraction(&e, &frac);
			if (r < 0)
				return r;
			if (frac + v < v)
				return -ERANGE;
			v += frac;
		}
	}
	if (v > INT_MAX)
		return -ERANGE;
	*p = e;
	*ret = (int)v;
	return 0;
}

/* start[..stop][/repeat][,...] */
static int
parse_components(const char **p, bool usec, struct calendar_chain *ch)
{
	const char *e = *p;

	for (;;) {
		int start, stop = -1, repeat = 0, r;

		r = read_value(&e, usec, &start);
		if (r < 0)
			return r;
		if (e[0] == '.' && e[1] == '.') {
			e += 2;
			r = read_value(&e, usec, &stop);
			if (r < 0)
				return r;
			repeat = usec ? USEC_PER_SEC : 1;
		}
		if (*e == '/') {
			e++;
			r = read_value(&e, usec, &repeat);
			if (r < 0)
				return r;
			if (repeat == 0)
				return -ERANGE;
		} else {
			if (start > INT_MAX - repeat)
				return -ERANGE;
			/* No sub-second ranges without an explicit step. */
			if (usec && stop >= 0 && start + repeat > stop)
				return -EINVAL;
		}
		if (!strchr(" ,-~:", *e)) /* includes the NUL */
			return -EINVAL;
		r = chain_add(ch, start, stop, repeat);
		if (r < 0)
			return r;
		*p = e;
		if (*e != ',')
			return 0;
		e++;
		*p = e;
	}
}

/* A field: '*' or components. For seconds '*' is 0/1 (every second). */
static int
parse_field(const char **p, bool usec, struct calendar_chain *ch)
{
	chain_clear(ch);
	if (**p == '*') {
		(*p)++;
		return usec ? chain_add(ch, 0, -1, USEC_PER_SEC) : 0;
	}
	return parse_components(p, usec, ch);
}

static const struct {
	const char *name;
	int nr;
} day_names[] = {
	{ "Monday", 0 },   { "Mon", 0 },      { "Tuesday", 1 }, { "Tue", 1 },	 { "Wednesday", 2 },
	{ "Wed", 2 },	   { "Thursday", 3 }, { "Thu", 3 },	{ "Friday", 4 }, { "Fri", 4 },
	{ "Saturday", 5 }, { "Sat", 5 },      { "Sunday", 6 },	{ "Sun", 6 },
};

/* A weekday name at *p: its number (and *p past it), -1 if none, or
 * -EINVAL when a name runs into other letters. */
static int
read_weekday(const char **p)
{
	for (size_t i = 0; i < sizeof(day_names) / sizeof(day_names[0]); i++) {
		size_t k = strlen(day_names[i].name);

		if (strncasecmp(*p, day_names[i].name, k))
			continue;
		if (!strchr("-., ", (*p)[k])) /* includes the NUL */
			return -EINVAL;
		*p += k;
		return day_names[i].nr;
	}
	return -1;
}

/* "Mon,Wed..Fri " (and the old "Mon-Fri"), or nothing. */
static int
parse_weekdays(const char **p, struct calendar_spec *c)
{
	int from = -1;

	for (bool first = true;; first = false) {
		int nr = read_weekday(p);

		if (nr == -1)
			return first ? 0 : -EINVAL;
		if (nr < 0)
			return nr;
		c->weekdays |= 1 << nr;
		if (from >= 0) {
			if (from > nr)
				return -EINVAL;
			for (int j = from + 1; j < nr; j++)
				c->weekdays |= 1 << j;
		}
		if (!**p)
			return 0;
		if (**p == ' ') {
			*p += strspn(*p, " ");
			return 0;
		}
		if (**p == '.') {
			if (from >= 0 || (*p)[1] != '.')
				return -EINVAL;
			from = nr;
			*p += 2;
		} else if (**p == '-') {
			if (from >= 0)
				return -EINVAL;
			from = nr;
			*p += 1;
		} else if (**p == ',') {
			from = -1;
			*p += 1;
		}
		/* A trailing ',' is fine, an open range is not. */
		if (!**p || **p == ' ') {
			*p += strspn(*p, " ");
			return from < 0 ? 0 : -EINVAL;
		}
	}
}

/* "@SECONDS": that one second, in UTC. */
static int
parse_epoch(const char **p, struct calendar_spec *c)
{
	const char *e = *p + 1;
	unsigned long v;
	struct tm tm;
	time_t t;
	int r;

	r = read_number(&e, &v);
	if (r < 0)
		return r;
	t = (time_t)v;
	if (!gmtime_r(&t, &tm) || tm.tm_year > INT_MAX - 1900)
		return -ERANGE;
	if ((r = chain_add(&c->year, tm.tm_year + 1900, -1, 0)) < 0 ||
	    (r = chain_add(&c->month, tm.tm_mon + 1, -1, 0)) < 0 ||
	    (r = chain_add(&c->day, tm.tm_mday, -1, 0)) < 0 ||
	    (r = chain_add(&c->hour, tm.tm_hour, -1, 0)) < 0 ||
	    (r = chain_add(&c->minute, tm.tm_min, -1, 0)) < 0 ||
	    (r = chain_add(&c->usec, tm.tm_sec * USEC_PER_SEC, -1, 0)) < 0)
		return r;
	c->utc = true;
	*p = e;
	return 1;
}

/* [[YEAR-]MONTH-DAY] with '~' for the last days; 1 when "@..." set the
 * whole spec, 0 otherwise (also when what follows is a time). */
static int
parse_date(const char **p, struct calendar_spec *c)
{
	struct calendar_chain part[3] = { { 0 } };
	const char *t = *p;
	int n, r = 0;

	if (!*t)
		return 0;
	if (*t == '@')
		return parse_epoch(p, c);
	for (n = 0; n < 3; n++) {
		r = parse_field(&t, false, &part[n]);
		if (r < 0)
			goto out;
		/* "HH:" after one part: that was a time. */
		if (n == 0 && (!*t || *t == ':'))
			goto out;
		if (n > 0 && (!*t || *t == ' '))
			break;
		if (n == 2 || (n == 1 && c->end_of_month)) {
			r = -EINVAL;
			goto out;
		}
		if (*t == '~')
			c->end_of_month = true;
		else if (*t != '-') {
			r = -EINVAL;
			goto out;
		}
		t++;
	}
	*p = t + strspn(t, " ");
	if (n == 2) {
		c->year = part[0];
		part[0] = (struct calendar_chain){ 0 };
	}
	c->month = part[n - 1];
	c->day = part[n];
	part[n - 1] = part[n] = (struct calendar_chain){ 0 };
out:
	for (int i = 0; i < 3; i++)
		chain_clear(&part[i]);
	return r;
}

/* HH:MM[:SS[.frac]]; no time at all is 00:00:00. */
static int
parse_time(const char **p, struct calendar_spec *c)
{
	const char *t = *p;
	int r;

	if (!*t) {
		if ((r = chain_add(&c->hour, 0, -1, 0)) < 0 ||
		    (r = chain_add(&c->minute, 0, -1, 0)) < 0)
			return r;
		return chain_add(&c->usec, 0, -1, 0);
	}
	r = parse_field(&t, false, &c->hour);
	if (r < 0)
		return r;
	if (*t++ != ':')
		return -EINVAL;
	r = parse_field(&t, false, &c->minute);
	if (r < 0)
		return r;
	if (!*t) {
		*p = t;
		return chain_add(&c->usec, 0, -1, 0);
	}
	if (*t++ != ':')
		return -EINVAL;
	r = parse_field(&t, true, &c->usec);
	if (r < 0)
		return r;
	if (*t)
		return -EINVAL;
	*p = t;
	return 0;
}

/* The shorthands: which fields they fix (the others stay '*'). */
static const struct shorthand {
	const char *name;
	int weekdays;
	const char *months; /* "" none, else the month numbers */
	bool day, hour, minute;
} shorthands[] = {
	{ "minutely", 0, "", false, false, false },
	{ "hourly", 0, "", false, false, true },
	{ "daily", 0, "", false, true, true },
	{ "monthly", 0, "", true, true, true },
	{ "annually", 0, "\1", true, true, true },
	{ "yearly", 0, "\1", true, true, true },
	{ "weekly", 1, "", false, true, true },
	{ "quarterly", 0, "\1\4\7\12", true, true, true },
	{ "biannually", 0, "\1\7", true, true, true },
	{ "bi-annually", 0, "\1\7", true, true, true },
	{ "semiannually", 0, "\1\7", true, true, true },
	{ "semi-annually", 0, "\1\7", true, true, true },
};

/* A shorthand prefix of *p: 1 (fields set, *p past it), or 0. */
static int
parse_shorthand(const char **p, struct calendar_spec *c)
{
	for (size_t i = 0; i < sizeof(shorthands) / sizeof(shorthands[0]); i++) {
		const struct shorthand *s = &shorthands[i];
		int r = 0;

		if (strncasecmp(*p, s->name, strlen(s->name)))
			continue;
		c->weekdays = s->weekdays;
		for (const char *m = s->months; *m && r == 0; m++)
			r = chain_add(&c->month, *m, -1, 0);
		if (r == 0 && s->day)
			r = chain_add(&c->day, 1, -1, 0);
		if (r == 0 && s->hour)
			r = chain_add(&c->hour, 0, -1, 0);
		if (r == 0 && s->minute)
			r = chain_add(&c->minute, 0, -1, 0);
		if (r == 0)
			r = chain_add(&c->usec, 0, -1, 0);
		if (r < 0)
			return r;
		*p += strlen(s->name);
		return 1;
	}
	return 0;
}

/* Strips a zone suffix: " UTC", the local zone's tzname[0/1] (sets dst), or
 * a valid IANA zone after the last space. Returns the remaining text
 * (malloc'd) or NULL on ENOMEM. */
static char *
split_zone(const char *text, struct calendar_spec *c)
{
	const char *end = ends_with_nocase(text, " UTC"), *space;

	if (end) {
		c->utc = true;
		return strndup(text, (size_t)(end - text));
	}
	tzset();
	for (int j = 0; j <= 1; j++) {
		if (!tzname[j] || !*tzname[j])
			continue;
		end = ends_with_nocase(text, tzname[j]);
		if (!end || end == text || end[-1] != ' ')
			continue;
		c->dst = j;
		return strndup(text, (size_t)(end - text - 1));
	}
	space = strrchr(text, ' ');
	if (space && tz_verify(space + 1) == 0) {
		if (!(c->timezone = strdup(space + 1)))
			return NULL;
		return strndup(text, (size_t)(space - text));
	}
	return strdup(text);
}

static int
component_cmp(const void *a, const void *b)
{
	const struct calendar_component *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->stop != y->stop)
		return x->stop < y->stop ? -1 : 1;
	if (x->repeat != y->repeat)
		return x->repeat < y->repeat ? -1 : 1;
	return 0;
}

/* Trims ranges to a multiple of their step, drops steps that never fire,
 * sorts and removes duplicates: what systemd prints and iterates. */
static void
normalize_chain(struct calendar_chain *ch)
{
	unsigned k = 0;

	for (unsigned i = 0; i < ch->n; i++) {
		struct calendar_component *v = &ch->v[i];

		if (v->stop > v->start && v->repeat > 0)
			v->stop -= (v->stop - v->start) % v->repeat;
		if ((v->stop > v->start && v->start + v->repeat > v->stop) || v->start == v->stop) {
			v->repeat = 0;
			v->stop = -1;
		}
	}
	if (ch->n <= 1)
		return;
	qsort(ch->v, ch->n, sizeof(ch->v[0]), component_cmp);
	for (unsigned i = 1; i < ch->n; i++)
		if (component_cmp(&ch->v[k], &ch->v[i]))
			ch->v[++k] = ch->v[i];
	ch->n = k + 1;
}

/* Two-digit years: 0..69 are 20xx, 70..99 are 19xx. */
static void
fix_years(struct calendar_chain *ch)
{
	for (unsigned i = 0; i < ch->n; i++) {
		int *f[2] = { &ch->v[i].start, &ch->v[i].stop };

		for (int j = 0; j < 2; j++) {
			if (*f[j] >= 0 && *f[j] < 70)
				*f[j] += 2000;
			else if (*f[j] >= 70 && *f[j] < 100)
				*f[j] += 1900;
		}
	}
}

static void
normalize(struct calendar_spec *c)
{
	if (c->timezone && !strcmp(c->timezone, "UTC")) {
		c->utc = true;
		free(c->timezone);
		c->timezone = NULL;
	}
	if (c->weekdays <= 0 || c->weekdays >= ALL_WEEKDAYS)
		c->weekdays = -1;
	if (c->end_of_month && c->day.n == 0)
		c->end_of_month = false;
	fix_years(&c->year);
	normalize_chain(&c->year);
	normalize_chain(&c->month);
	normalize_chain(&c->day);
	normalize_chain(&c->hour);
	normalize_chain(&c->minute);
	normalize_chain(&c->usec);
}

static bool
chain_valid(const struct calendar_chain *ch, int from, int to, bool end_of_month)
{
	for (unsigned i = 0; i < ch->n; i++) {
		const struct calendar_component *v = &ch->v[i];

		/* Days from the end of the month: at most 28 back for the first
		 * value, and systemd lowers the bound by 3 for each further one
		 * (its check recurses with the lowered bound), so "~1,28" fails. */
		if (end_of_month)
			to -= 3;

		if (v->start < from || v->start > to || v->repeat > to - from)
			return false;
		if (v->stop >= 0) {
			if (v->stop < from || v->stop > to || v->start + v->repeat > v->stop)
				return false;
		} else if (end_of_month ? v->start - v->repeat < from : v->start + v->repeat > to)
			return false;
	}
	return true;
}

static bool
spec_valid(const struct calendar_spec *c)
{
	return c->weekdays <= ALL_WEEKDAYS && chain_valid(&c->year, MIN_YEAR, MAX_YEAR, false) &&
	       chain_valid(&c->month, 1, 12, false) &&
	       chain_valid(&c->day, 1, 31, c->end_of_month) &&
	       chain_valid(&c->hour, 0, 23, false) && chain_valid(&c->minute, 0, 59, false) &&
	       chain_valid(&c->usec, 0, 60 * USEC_PER_SEC - 1, false);
}

static int
parse_body(const char *p, struct calendar_spec *c)
{
	int r;

	if (!*p)
		return -EINVAL;
	r = parse_shorthand(&p, c);
	if (r == 0) {
		r = parse_weekdays(&p, c);
		if (r >= 0)
			r = parse_date(&p, c);
		if (r == 0)
			r = parse_time(&p, c);
	}
	if (r < 0)
		return r;
	return *p ? -EINVAL : 0;
}

int
calendar_parse(const char *text, struct calendar_spec **ret)
{
	struct calendar_spec *c = calloc(1, sizeof(*c));
	char *body;
	int r;

	if (!c)
		return -ENOMEM;
	c->dst = -1;
	body = split_zone(text, c);
	if (!body) {
		calendar_free(c);
		return -ENOMEM;
	}
	r = parse_body(body, c);
	free(body);
	if (r == 0) {
		normalize(c);
		if (!spec_valid(c))
			r = -EINVAL;
	}
	if (r < 0) {
		calendar_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

static void
format_weekdays(FILE *f, int bits)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	bool comma = false;
	int from = -1, x;

	/* Runs of three or more days print as "A..C", of two as "A,B". */
	for (x = 0; x <= 7; x++) {
		if (x < 7 && bits & (1 << x)) {
			if (from < 0) {
				fprintf(f, "%s%s", comma ? "," : "", days[x]);
				comma = true;
				from = x;
			}
			continue;
		}
		if (from >= 0 && x > from + 1)
			fprintf(f, "%s%s", x > from + 2 ? ".." : ",", days[x - 1]);
		from = -1;
	}
}

static void
format_chain(FILE *f, int width, const struct calendar_chain *ch, bool usec)
{
	int d = usec ? USEC_PER_SEC : 1;

	if (ch->n == 0) {
		fputc('*', f);
		return;
	}
	for (unsigned i = 0; usec && i < ch->n; i++)
		if (ch->v[i].start == 0 && ch->v[i].stop < 0 && ch->v[i].repeat == USEC_PER_SEC) {
			fputc('*', f);
			return;
		}
	for (unsigned i = 0; i < ch->n; i++) {
		const struct calendar_component *v = &ch->v[i];

		if (i > 0)
			fputc(',', f);
		fprintf(f, "%0*d", width, v->start / d);
		if (v->start % d > 0)
			fprintf(f, ".%06d", v->start % d);
		if (v->stop > 0)
			fprintf(f, "..%0*d", width, v->stop / d);
		if (v->stop % d > 0)
			fprintf(f, ".%06d", v->stop % d);
		if (v->repeat > 0 && !(v->stop > 0 && v->repeat == d))
			fprintf(f, "/%d", v->repeat / d);
		if (v->repeat % d > 0)
			fprintf(f, ".%06d", v->repeat % d);
	}
}

int
calendar_format(const struct calendar_spec *c, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	if (c->weekdays > 0 && c->weekdays <= ALL_WEEKDAYS) {
		format_weekdays(f, c->weekdays);
		fputc(' ', f);
	}
	format_chain(f, 4, &c->year, false);
	fputc('-', f);
	format_chain(f, 2, &c->month, false);
	fputc(c->end_of_month ? '~' : '-', f);
	format_chain(f, 2, &c->day, false);
	fputc(' ', f);
	format_chain(f, 2, &c->hour, false);
	fputc(':', f);
	format_chain(f, 2, &c->minute, false);
	fputc(':', f);
	format_chain(f, 2, &c->usec, true);
	if (c->utc)
		fputs(" UTC", f);
	else if (c->timezone)
		fprintf(f, " %s", c->timezone);
	else if (c->dst == 0 || c->dst == 1) {
		/* An explicit local zone name prints as that name. */
		tzset();
		if (tzname[c->dst] && *tzname[c->dst])
			fprintf(f, " %s", tzname[c->dst]);
	}
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
