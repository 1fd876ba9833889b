/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/calendar and lib/timestamp: systemd.time(7)'s examples,
 * the errors systemd gives, next elapses worked out by hand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/calendar.h"
#include "lib/timestamp.h"

/* The normalized form of text, or the error as "-errno" text. */
static char *
norm(const char *text)
{
	struct calendar_spec *c;
	char *s = NULL;
	int r = calendar_parse(text, &c);

	if (r < 0) {
		if (asprintf(&s, "%d", r) < 0)
			s = NULL;
		return s;
	}
	if (calendar_format(c, &s) < 0)
		s = NULL;
	calendar_free(c);
	return s;
}

#define CHECK_NORM(text, want)                                                                     \
	do {                                                                                       \
		char *got_ = norm(text);                                                           \
		CHECK_STR_EQ(got_, want);                                                          \
		free(got_);                                                                        \
	} while (0)

static void
test_normalized(void)
{
	/* systemd.time(7)'s table. */
	CHECK_NORM("Sat,Thu,Mon..Wed,Sat..Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00");
	CHECK_NORM("Mon,Sun 12-*-* 2,1:23", "Mon,Sun 2012-*-* 01,02:23:00");
	CHECK_NORM("Wed *-1", "Wed *-*-01 00:00:00");
	CHECK_NORM("Wed..Wed,Wed *-1", "Wed *-*-01 00:00:00");
	CHECK_NORM("Wed, 17:48", "Wed *-*-* 17:48:00");
	CHECK_NORM("Wed..Sat,Tue 12-10-15 1:2:3", "Tue..Sat 2012-10-15 01:02:03");
	CHECK_NORM("*-*-7 0:0:0", "*-*-07 00:00:00");
	CHECK_NORM("10-15", "*-10-15 00:00:00");
	CHECK_NORM("monday *-12-* 17:00", "Mon *-12-* 17:00:00");
	CHECK_NORM("Mon,Fri *-*-3,1,2 *:30:45", "Mon,Fri *-*-01,02,03 *:30:45");
	CHECK_NORM("12,14,13,12:20,10,30", "*-*-* 12,13,14:10,20,30:00");
	CHECK_NORM("12..14:10,20,30", "*-*-* 12..14:10,20,30:00");
	CHECK_NORM("mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45");
	CHECK_NORM("03-05 08:05:40", "*-03-05 08:05:40");
	CHECK_NORM("05:40:23.4200004", "*-*-* 05:40:23.420000");
	CHECK_NORM("2003-03-05 05:40 UTC", "2003-03-05 05:40:00 UTC");
	CHECK_NORM("*-*~1..3", "*-*~01..03 00:00:00");
	CHECK_NORM("*:2/3", "*-*-* *:02/3:00");
	CHECK_NORM("*:*:2.5/1.5", "*-*-* *:*:02.500000/1.500000");
	CHECK_NORM("0..10/3:00", "*-*-* 00..09/3:00:00");
	/* The shorthands. */
	CHECK_NORM("minutely", "*-*-* *:*:00");
	CHECK_NORM("hourly", "*-*-* *:00:00");
	CHECK_NORM("weekly", "Mon *-*-* 00:00:00");
	CHECK_NORM("quarterly", "*-01,04,07,10-01 00:00:00");
	CHECK_NORM("semi-annually", "*-01,07-01 00:00:00");
	CHECK_NORM("@0", "1970-01-01 00:00:00 UTC");
	CHECK_NORM("daily Europe/Berlin", "*-*-* 00:00:00 Europe/Berlin");
	CHECK_NORM("daily utc", "*-*-* 00:00:00 UTC");
}

static void
test_errors(void)
{
	static const char *const invalid[] = {
		"",
		"bad",
		"*:50/15",
		"*/2",
		"*:*:1.5..1.9",
		"@1h",
		"5..3:00",
		"Mon--Fri",
		"Mon..",
		"Mond",
		"*-*~1,28",
		"1-2-3-4",
		"hourlyx",
		" daily",
		"*-*-* 1:2:3 ",
		"12:00 Europe/Nowhere",
	};

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		CHECK_NORM(invalid[i], "-22");
	CHECK_NORM("*:0/0", "-34");			      /* -ERANGE */
	CHECK_NORM("*-*-* 4294967296000000000000:00", "-34"); /* strtoul overflow */
}

static uint64_t
at(const char *ts)
{
	uint64_t u = 0;

	CHECK_INT_EQ(timestamp_parse(ts, 0, &u), 0);
	return u;
}

static void
check_next(const char *expr, const char *from, const char *want)
{
	struct calendar_spec *c;
	uint64_t next = 0;

	CHECK_INT_EQ(calendar_parse(expr, &c), 0);
	if (!c)
		return;
	CHECK_INT_EQ(calendar_next(c, at(from), &next), 0);
	CHECK_INT_EQ(next, at(want));
	calendar_free(c);
}

static void
test_next(void)
{
	check_next("daily", "2026-12-04 15:00:00 UTC", "2026-12-05 00:00:00 UTC");
	check_next("Mon..Fri 10:00", "2026-12-04 15:00:00 UTC", "2026-12-07 10:00:00 UTC");
	check_next("*-02-29", "2026-12-04 15:00:00 UTC", "2028-02-29 00:00:00 UTC");
	check_next("*-02~01", "2028-01-10 00:00:00 UTC", "2028-02-29 00:00:00 UTC");
	check_next("*-02~01", "2027-01-10 00:00:00 UTC", "2027-02-28 00:00:00 UTC");
	check_next("*:*:0/3", "2026-12-04 15:00:01 UTC", "2026-12-04 15:00:03 UTC");
	check_next("*:*:0.5", "2026-12-04 15:00:00 UTC", "2026-12-04 15:00:00.5 UTC");
	/* 00:00 in Berlin is 23:00 UTC in winter, 22:00 in summer. */
	check_next("daily Europe/Berlin", "2026-12-04 15:00:00 UTC", "2026-12-04 23:00:00 UTC");
	check_next("daily Europe/Berlin", "2026-07-04 15:00:00 UTC", "2026-07-04 22:00:00 UTC");
	/* 02:30 does not exist in Berlin on 2026-03-29: the next day's. */
	check_next("*-*-* 02:30 Europe/Berlin", "2026-03-29 00:00:00 UTC",
		   "2026-03-30 00:30:00 UTC");

	struct calendar_spec *c;
	uint64_t next;

	CHECK_INT_EQ(calendar_parse("2020-*-* 00:00", &c), 0);
	CHECK_INT_EQ(calendar_next(c, at("2026-01-01 00:00:00 UTC"), &next), -ENOENT);
	calendar_free(c);
}

static void
test_timestamp(void)
{
	char buf[TIMESTAMP_MAX];
	uint64_t now = 1796396400ULL * 1000000, u = 0; /* 2026-12-04 15:00:00 UTC */

	CHECK_INT_EQ(at("2026-12-04 15:00:00 UTC"), now);
	CHECK_INT_EQ(at("Fri 2026-12-04 15:00 UTC"), now);
	CHECK_INT_EQ(at("26-12-04 15:00:00.25 UTC"), now + 250000);
	CHECK_INT_EQ(at("@1796396400"), now);
	CHECK_INT_EQ(timestamp_parse("Thu 2026-12-04 15:00:00 UTC", 0, &u), -EINVAL);
	CHECK_INT_EQ(timestamp_parse("garbage", 0, &u), -EINVAL);
	CHECK_INT_EQ(timestamp_parse("+5min", now, &u), 0);
	CHECK_INT_EQ(u, now + 300000000);
	CHECK_INT_EQ(timestamp_parse("2 days ago", now, &u), 0);
	CHECK_INT_EQ(u, now - 2ULL * 86400 * 1000000);
	CHECK_INT_EQ(timestamp_parse("tomorrow UTC", now, &u), 0);
	CHECK_INT_EQ(u, 1796428800ULL * 1000000);
	CHECK_STR_EQ(timestamp_format(now, true, buf), "Fri 2026-12-04 15:00:00 UTC");
	CHECK_STR_EQ(timestamp_format_rfc3339(now + 500000, buf), "2026-12-04T15:00:00.500000Z");
	CHECK_STR_EQ(timestamp_format_rfc3339(now, buf), "2026-12-04T15:00:00Z");
	CHECK_STR_EQ(timestamp_format_relative(now + 9 * 3600000000ULL, now, buf), "9h left");
	CHECK_STR_EQ(timestamp_format_relative(now + 33 * 3600000000ULL, now, buf),
		     "1 day 9h left");
	CHECK_STR_EQ(timestamp_format_relative(now - 90000000ULL, now, buf), "1min 30s ago");
	CHECK_STR_EQ(timestamp_format_relative(now, now, buf), "now");
}

int
main(void)
{
	/* Compute in UTC whatever the caller's zone. */
	setenv("TZ", "UTC", 1);
	RUN(test_normalized);
	RUN(test_errors);
	RUN(test_next);
	RUN(test_timestamp);
	return check_done();
}
