/* SPDX-License-Identifier: MIT */
/* calendar_next: when a calendar event next elapses, found field by field
 * from the year down, with libc's mktime() normalizing as systemd 252's
 * find_next() does, so DST gaps and overlaps land where systemd lands. */
#include "lib/calendar.h"

#include <errno.h>
#include <time.h>

#include "lib/tzone.h"

#define USEC_PER_SEC 1000000
#define MAX_YEAR     2199
/* systemd gives up after this many rounds (an event in a DST gap). */
#define MAX_ROUNDS 1000
/* The last second systemd formats: 9999-12-30 23:59:59 UTC. */
#define USEC_FORMATTABLE_MAX 253402214399000000ULL

enum level { L_YEAR, L_MONTH, L_DAY, L_HOUR, L_MINUTE, L_USEC };

static time_t
make_time(struct tm *tm, bool utc)
{
	return utc ? timegm(tm) : mktime(tm);
}

/* The day of the month that is `back` days before the next month's first,
 * or -1 when that is not in tm's month. */
static int
end_of_month_day(const struct tm *tm, bool utc, int back)
{
	struct tm t = *tm;

	t.tm_mon++;
	t.tm_mday = 1 - back;
	if (make_time(&t, utc) < 0 || t.tm_mon != tm->tm_mon)
		return -1;
	return t.tm_mday;
}

/* The smallest value >= *val that one of ch's components allows: 1 when
 * *val changed, 0 when it already matched, -ENOENT when none is left. */
static int
match_chain(const struct calendar_spec *c, const struct calendar_chain *ch, const struct tm *tm,
	    int *val)
{
	bool eom = c->end_of_month && ch == &c->day, found = false;
	int best = -1, r;

	if (ch->n == 0)
		return 0;
	for (unsigned i = 0; i < ch->n; i++) {
		const struct calendar_component *v = &ch->v[i];
		int start = v->start, stop = v->stop;

		if (eom) {
			start = end_of_month_day(tm, c->utc, v->start);
			stop = end_of_month_day(tm, c->utc, v->stop);
			if (stop > 0) {
				int s = start;

				start = stop;
				stop = s;
			}
		}
		if (start >= *val) {
			if (!found || start < best) {
				best = start;
				found = true;
			}
		} else if (v->repeat > 0) {
			int k = start + (*val - start + v->repeat - 1) / v->repeat * v->repeat;

			if ((!found || k < best) && (stop < 0 || k <= stop)) {
				best = k;
				found = true;
			}
		}
	}
	if (!found)
		return -ENOENT;
	r = *val != best;
	*val = best;
	return r;
}

/* 1 when tm is a real time, 0 when mktime() moved it forward (tm is then
 * the moved time with the fields below the first changed one reset),
 * -ERANGE past MAX_YEAR, -EDEADLK when it moved backward. */
static int
within_bounds(struct tm *tm, bool utc)
{
	struct tm t = *tm;
	int cmp;

	if (tm->tm_year + 1900 > MAX_YEAR)
		return -ERANGE;
	if (make_time(&t, utc) < 0)
		return errno ? -errno : -EINVAL;
	if (t.tm_year != tm->tm_year) {
		cmp = t.tm_year < tm->tm_year ? -1 : 1;
		t.tm_mon = 0;
	} else if (t.tm_mon != tm->tm_mon) {
		cmp = t.tm_mon < tm->tm_mon ? -1 : 1;
		t.tm_mday = 1;
	} else if (t.tm_mday != tm->tm_mday) {
		cmp = t.tm_mday < tm->tm_mday ? -1 : 1;
		t.tm_hour = 0;
	} else if (t.tm_hour != tm->tm_hour) {
		cmp = t.tm_hour < tm->tm_hour ? -1 : 1;
		t.tm_min = 0;
	} else if (t.tm_min != tm->tm_min) {
		cmp = t.tm_min < tm->tm_min ? -1 : 1;
		t.tm_sec = 0;
	} else
		cmp = t.tm_sec < tm->tm_sec ? -1 : t.tm_sec > tm->tm_sec;
	if (cmp < 0)
		return -EDEADLK;
	if (cmp > 0)
		*tm = t;
	return cmp == 0;
}

static bool
weekday_matches(int bits, const struct tm *tm, bool utc)
{
	struct tm t = *tm;

	if (bits < 0 || bits >= 127)
		return true;
	if (make_time(&t, utc) < 0)
		return false;
	return bits & (1 << (t.tm_wday == 0 ? 6 : t.tm_wday - 1));
}

/* Sets every field below `level` to its first value. */
static void
reset_below(struct tm *tm, enum level level, int *usec)
{
	switch (level) {
	case L_YEAR:
		tm->tm_mon = 0;
		/* fall through */
	case L_MONTH:
		tm->tm_mday = 1;
		/* fall through */
	case L_DAY:
		tm->tm_hour = 0;
		/* fall through */
	case L_HOUR:
		tm->tm_min = 0;
		/* fall through */
	case L_MINUTE:
		tm->tm_sec = 0;
		*usec = 0;
		break;
	case L_USEC:
		break;
	}
}

/* Matches one level's chain against tm (and usec for seconds). */
static int
match_level(const struct calendar_spec *c, enum level level, struct tm *tm, int *usec)
{
	static const int offset[] = { 1900, 1, 0, 0, 0 };
	int *field[] = { &tm->tm_year, &tm->tm_mon, &tm->tm_mday, &tm->tm_hour, &tm->tm_min };
	const struct calendar_chain *chains[] = { &c->year, &c->month,	&c->day,
						  &c->hour, &c->minute, &c->usec };
	int val, r;

	if (level == L_USEC) {
		val = tm->tm_sec * USEC_PER_SEC + *usec;
		r = match_chain(c, chains[level], tm, &val);
		*usec = val % USEC_PER_SEC;
		tm->tm_sec = val / USEC_PER_SEC;
		return r;
	}
	val = *field[level] + offset[level];
	r = match_chain(c, chains[level], tm, &val);
	*field[level] = val - offset[level];
	return r;
}

/* Moves to the next value of the field at `level`, the lower ones reset. */
static void
carry(struct tm *tm, enum level level, int *usec)
{
	int *field[] = { &tm->tm_year, &tm->tm_mon, &tm->tm_mday, &tm->tm_hour, &tm->tm_min };

	(*field[level])++;
	reset_below(tm, level, usec);
}

/* <0, 0, >0 as a (with usec ua) is before, at, after b (usec ub), field by field. */
static int
tm_cmp(const struct tm *a, int ua, const struct tm *b, int ub)
{
	const int x[] = { a->tm_year, a->tm_mon, a->tm_mday, a->tm_hour, a->tm_min, a->tm_sec, ua };
	const int y[] = { b->tm_year, b->tm_mon, b->tm_mday, b->tm_hour, b->tm_min, b->tm_sec, ub };

	for (unsigned i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* systemd's find_next(): each round normalizes tm, then fixes the fields
 * from the year down; a field with no match left carries into the one above
 * and starts a new round, as does a time mktime() had to move. A match
 * before the start (mktime() carried the search back out of a DST gap, as in
 * Lord_Howe's 30-minute one) moves on by an hour and from then on keeps the
 * DST flag mktime() found instead of the event's: Debian's systemd 252 does
 * this (upstream's fix for zones with a negative DST offset), seen by tracing
 * its mktime() calls. */
static int
find_next(const struct calendar_spec *c, struct tm *tm, int *usec)
{
	struct tm t = *tm;
	int us = *usec;
	bool keep_dst = false;

	for (int round = 0; round < MAX_ROUNDS; round++) {
		enum level level;
		int r;

		(void)make_time(&t, c->utc);
		if (!keep_dst)
			t.tm_isdst = c->dst;
		r = match_level(c, L_YEAR, &t, &us);
		if (r > 0)
			reset_below(&t, L_YEAR, &us);
		if (r < 0)
			return r;
		if (within_bounds(&t, c->utc) <= 0)
			return -ENOENT;
		for (level = L_MONTH; level <= L_USEC; level++) {
			r = match_level(c, level, &t, &us);
			if (r > 0 && level != L_USEC)
				reset_below(&t, level, &us);
			if (r >= 0)
				r = within_bounds(&t, c->utc);
			if (r < 0)
				carry(&t, level - 1, &us);
			if (r <= 0)
				break;
			if (level == L_DAY && !weekday_matches(c->weekdays, &t, c->utc)) {
				carry(&t, L_DAY, &us);
				break;
			}
		}
		if (level > L_USEC && tm_cmp(&t, us, tm, *usec) < 0) {
			t.tm_hour++;
			keep_dst = true;
			continue;
		}
		if (level > L_USEC) {
			*tm = t;
			*usec = us;
			return 0;
		}
	}
	return -EDEADLK;
}

static int
next_here(const struct calendar_spec *c, uint64_t after, uint64_t *ret)
{
	struct tm tm;
	time_t t;
	int usec, r;

	if (after > USEC_FORMATTABLE_MAX)
		return -EINVAL;
	after++;
	t = (time_t)(after / USEC_PER_SEC);
	if (!(c->utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
		return -EINVAL;
	usec = (int)(after % USEC_PER_SEC);
	r = find_next(c, &tm, &usec);
	if (r < 0)
		return r;
	t = make_time(&tm, c->utc);
	if (t < 0)
		return -EINVAL;
	/* find_next() never goes back before the start; a guard all the same:
	 * never report a time that is not in the future. */
	if ((uint64_t)t * USEC_PER_SEC + (uint64_t)usec < after)
		return -EDEADLK;
	*ret = (uint64_t)t * USEC_PER_SEC + (uint64_t)usec;
	return 0;
}

int
calendar_next(const struct calendar_spec *c, uint64_t after_usec, uint64_t *ret_usec)
{
	struct tz_saved saved = { 0 };
	uint64_t next = 0;
	int r;

	if (!c->timezone)
		r = next_here(c, after_usec, &next);
	else {
		r = tz_enter(c->timezone, &saved);
		if (r < 0)
			return r;
		r = next_here(c, after_usec, &next);
		tz_leave(&saved);
	}
	if (r == 0)
		*ret_usec = next;
	return r;
}
