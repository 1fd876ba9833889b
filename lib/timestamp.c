/* SPDX-License-Identifier: MIT */
/* timestamp: systemd 252's parse_timestamp(), on libc's strptime() and
 * mktime() as systemd itself uses them (the printed forms: timestamp_format.c). */
#include "lib/timestamp.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/tzone.h"
#include "lib/values.h"

#define USEC_PER_SEC	     1000000ULL
#define USEC_FORMATTABLE_MAX 253402214399000000ULL

static const char *
ends_with(const char *s, const char *suffix, bool nocase)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (k > n || (nocase ? strcasecmp : strcmp)(s + n - k, suffix))
		return NULL;
	return s + n - k;
}

/* The relative forms: "now", "+SPAN", "-SPAN", "SPAN ago", "SPAN left".
 * 1 when text was one (*ret set), 0 when not, -errno when it was wrong. */
static int
parse_relative(const char *text, uint64_t now, uint64_t *ret)
{
	uint64_t plus = 0, minus = 0;
	const char *e;
	char *span = NULL;
	int r;

	if (!strcmp(text, "now"))
		r = 0;
	else if (text[0] == '+')
		r = parse_sec(text + 1, &plus);
	else if (text[0] == '-')
		r = parse_sec(text + 1, &minus);
	else if ((e = ends_with(text, " ago", false)) || (e = ends_with(text, " left", false))) {
		if (!(span = strndup(text, (size_t)(e - text))))
			return -ENOMEM;
		r = parse_sec(span, e[1] == 'a' ? &minus : &plus);
		free(span);
	} else
		return 0;
	if (r < 0)
		return r;
	if (now + plus < now || now + plus > USEC_FORMATTABLE_MAX || now + plus < minus)
		return -EINVAL;
	*ret = now + plus - minus;
	return 1;
}

/* Six fractional digits rounded on the seventh; all must be digits. */
static int
parse_fraction(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6 && *s >= '0' && *s <= '9'; i++, s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (i == 0)
		return -EINVAL;
	for (int j = i; j < 6; j++)
		v *= 10;
	if (i == 6 && *s >= '5' && *s <= '9')
		v++;
	s += strspn(s, "0123456789");
	if (*s)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The absolute forms, into tm (which starts as now). 0, or -EINVAL. */
static int
parse_absolute(const char *t, struct tm *tm, uint64_t *usec)
{
	static const struct {
		const char *fmt;
		bool fraction;
		int zero; /* 1: seconds, 2: the whole time is 00:00:00 */
	} forms[] = {
		{ "%y-%m-%d %H:%M:%S", true, 0 }, { "%Y-%m-%d %H:%M:%S", true, 0 },
		{ "%y-%m-%d %H:%M", false, 1 },	  { "%Y-%m-%d %H:%M", false, 1 },
		{ "%y-%m-%d", false, 2 },	  { "%Y-%m-%d", false, 2 },
		{ "%H:%M:%S", true, 0 },	  { "%H:%M", false, 1 },
	};
	const struct tm now = *tm;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const char *k;

		*tm = now;
		k = strptime(t, forms[i].fmt, tm);
		if (!k)
			continue;
		if (forms[i].fraction && *k == '.')
			return parse_fraction(k + 1, usec);
		if (*k)
			continue;
		if (forms[i].zero >= 1)
			tm->tm_sec = 0;
		if (forms[i].zero == 2)
			tm->tm_min = tm->tm_hour = 0;
		return 0;
	}
	return -EINVAL;
}

/* A leading weekday ("Fri "): its tm_wday, or -1. */
static int
skip_weekday(const char **t)
{
	static const char *const names[] = { "Sunday",	 "Monday", "Tuesday", "Wednesday",
					     "Thursday", "Friday", "Saturday" };

	for (int i = 0; i < 7; i++)
		for (int full = 1; full >= 0; full--) {
			size_t k = full ? strlen(names[i]) : 3;

			if (!strncasecmp(*t, names[i], k) && (*t)[k] == ' ') {
				*t += k + 1;
				return i;
			}
		}
	return -1;
}

/* A trailing " NAME" where NAME is the local zone's tzname[0] or [1] (as
 * format_timestamp() prints it): where the space is, and *dst, or NULL. */
static const char *
local_zone_suffix(const char *t, int *dst)
{
	tzset();
	for (int j = 0; j <= 1; j++) {
		const char *e;

		if (!tzname[j] || !*tzname[j])
			continue;
		e = ends_with(t, tzname[j], true);
		if (e && e > t && e[-1] == ' ') {
			*dst = j;
			return e - 1;
		}
	}
	return NULL;
}

/* The day words, as days from today. */
static int
day_word(const char *t)
{
	if (!strcmp(t, "yesterday"))
		return -1;
	if (!strcmp(t, "today"))
		return 0;
	if (!strcmp(t, "tomorrow"))
		return 1;
	return INT_MIN;
}

/* systemd's parse_timestamp_impl(); with_tz: a zone file was given and cut
 * off, $TZ is set to it, and only the absolute forms are accepted. */
static int
parse_impl(const char *text, uint64_t now, bool with_tz, uint64_t *ret)
{
	char *copy = NULL;
	const char *t = text, *e;
	int dst = -1, weekday, r = 0;
	bool utc = false;
	uint64_t usec = 0;
	struct tm tm;
	time_t x;

	if (t[0] == '@' && !with_tz)
		return parse_sec(t + 1, ret);
	if (!with_tz) {
		r = parse_relative(t, now, ret);
		if (r != 0)
			return r < 0 ? r : 0;
		if ((e = ends_with(t, " UTC", true)))
			utc = true;
		else
			e = local_zone_suffix(t, &dst);
		if (e && !(t = copy = strndup(t, (size_t)(e - t))))
			return -ENOMEM;
	}
	x = (time_t)(now / USEC_PER_SEC);
	if (!(utc ? gmtime_r(&x, &tm) : localtime_r(&x, &tm))) {
		free(copy);
		return -EINVAL;
	}
	tm.tm_isdst = dst;
	if (day_word(t) != INT_MIN) {
		tm.tm_mday += day_word(t);
		tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
		weekday = -1;
	} else {
		weekday = skip_weekday(&t);
		r = parse_absolute(t, &tm, &usec);
	}
	free(copy);
	if (r < 0 || (weekday >= 0 && tm.tm_wday != weekday))
		return -EINVAL;
	x = utc ? timegm(&tm) : mktime(&tm);
	if (x < 0 || (uint64_t)x * USEC_PER_SEC + usec > USEC_FORMATTABLE_MAX)
		return -EINVAL;
	*ret = (uint64_t)x * USEC_PER_SEC + usec;
	return 0;
}

int
timestamp_parse(const char *text, uint64_t now_usec, uint64_t *ret_usec)
{
	const char *space = strrchr(text, ' ');
	struct tz_saved saved = { 0 };
	char *cut = NULL;
	bool with_tz;
	int r;

	if (!space || tz_verify(space + 1) < 0 || ends_with(text, " UTC", true))
		return parse_impl(text, now_usec, false, ret_usec);
	/* A zone file: parse in that zone. A name that is also the zone's own
	 * abbreviation ("CET") stays for parse_impl() to match as tzname. */
	r = tz_enter(space + 1, &saved);
	if (r < 0)
		return r;
	with_tz = strcmp(space + 1, tzname[0]) && strcmp(space + 1, tzname[1]);
	if (with_tz && !(cut = strndup(text, (size_t)(space - text))))
		r = -ENOMEM;
	else
		r = parse_impl(with_tz ? cut : text, now_usec, with_tz, ret_usec);
	free(cut);
	tz_leave(&saved);
	return r;
}
