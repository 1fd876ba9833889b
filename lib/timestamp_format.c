/* SPDX-License-Identifier: MIT */
/* timestamp_format: systemd's printed times (format_timestamp*()) and the
 * clock; apart from the parser so klein-svc links no grammar it needs not. */
#include "lib/timestamp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define USEC_PER_SEC	     1000000ULL
#define USEC_PER_MINUTE	     (60 * USEC_PER_SEC)
#define USEC_PER_HOUR	     (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY	     (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK	     (7 * USEC_PER_DAY)
#define USEC_PER_MONTH	     (2629800 * USEC_PER_SEC)
#define USEC_PER_YEAR	     (31557600 * USEC_PER_SEC)
#define USEC_FORMATTABLE_MAX 253402214399000000ULL

static const char *const weekdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

uint64_t
timestamp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

const char *
timestamp_format(uint64_t usec, bool utc, char buf[static TIMESTAMP_MAX])
{
	time_t t = (time_t)(usec / USEC_PER_SEC);
	struct tm tm;
	size_t n;

	if (usec > USEC_FORMATTABLE_MAX)
		return strcpy(buf, "--- XXXX-XX-XX XX:XX:XX");
	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
		return strcpy(buf, "n/a");
	memcpy(buf, weekdays[tm.tm_wday], 3);
	n = 3 + strftime(buf + 3, TIMESTAMP_MAX - 3, " %Y-%m-%d %H:%M:%S", &tm);
	if (utc)
		strcpy(buf + n, " UTC");
	else if (tm.tm_zone && *tm.tm_zone)
		snprintf(buf + n, TIMESTAMP_MAX - n, " %s", tm.tm_zone);
	return buf;
}

const char *
timestamp_format_relative(uint64_t t, uint64_t now, char buf[static TIMESTAMP_MAX])
{
	static const struct {
		uint64_t unit;
		const char *one, *many;
		uint64_t sub;
		const char *sub_one, *sub_many;
	} big[] = {
		{ USEC_PER_YEAR, "year", "years", USEC_PER_MONTH, "month", "months" },
		{ USEC_PER_MONTH, "month", "months", USEC_PER_DAY, "day", "days" },
		{ USEC_PER_WEEK, "week", "weeks", USEC_PER_DAY, "day", "days" },
	};
	const char *s = t > now ? "left" : "ago";
	uint64_t d = t > now ? t - now : now - t;
	unsigned long long q;

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		if (d < big[i].unit)
			continue;
		q = d % big[i].unit / big[i].sub;
		snprintf(buf, TIMESTAMP_MAX, "%llu %s %llu %s %s",
			 (unsigned long long)(d / big[i].unit),
			 d / big[i].unit == 1 ? big[i].one : big[i].many, q,
			 q == 1 ? big[i].sub_one : big[i].sub_many, s);
		return buf;
	}
	if (d >= 2 * USEC_PER_DAY)
		snprintf(buf, TIMESTAMP_MAX, "%llu days %s", (unsigned long long)(d / USEC_PER_DAY),
			 s);
	else if (d >= 25 * USEC_PER_HOUR)
		snprintf(buf, TIMESTAMP_MAX, "1 day %lluh %s",
			 (unsigned long long)((d - USEC_PER_DAY) / USEC_PER_HOUR), s);
	else if (d >= 6 * USEC_PER_HOUR)
		snprintf(buf, TIMESTAMP_MAX, "%lluh %s", (unsigned long long)(d / USEC_PER_HOUR),
			 s);
	else if (d >= USEC_PER_HOUR)
		snprintf(buf, TIMESTAMP_MAX, "%lluh %llumin %s",
			 (unsigned long long)(d / USEC_PER_HOUR),
			 (unsigned long long)(d % USEC_PER_HOUR / USEC_PER_MINUTE), s);
	else if (d >= 5 * USEC_PER_MINUTE)
		snprintf(buf, TIMESTAMP_MAX, "%llumin %s",
			 (unsigned long long)(d / USEC_PER_MINUTE), s);
	else if (d >= USEC_PER_MINUTE)
		snprintf(buf, TIMESTAMP_MAX, "%llumin %llus %s",
			 (unsigned long long)(d / USEC_PER_MINUTE),
			 (unsigned long long)(d % USEC_PER_MINUTE / USEC_PER_SEC), s);
	else if (d >= USEC_PER_SEC)
		snprintf(buf, TIMESTAMP_MAX, "%llus %s", (unsigned long long)(d / USEC_PER_SEC), s);
	else if (d >= 1000)
		snprintf(buf, TIMESTAMP_MAX, "%llums %s", (unsigned long long)(d / 1000), s);
	else if (d > 0)
		snprintf(buf, TIMESTAMP_MAX, "%lluus %s", (unsigned long long)d, s);
	else
		strcpy(buf, "now");
	return buf;
}

const char *
timestamp_format_rfc3339(uint64_t usec, char buf[static TIMESTAMP_MAX])
{
	time_t t = (time_t)(usec / USEC_PER_SEC);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&t, &tm))
		return strcpy(buf, "n/a");
	n = strftime(buf, TIMESTAMP_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	if (usec % USEC_PER_SEC)
		n += (size_t)snprintf(buf + n, TIMESTAMP_MAX - n, ".%06llu",
				      (unsigned long long)(usec % USEC_PER_SEC));
	strcpy(buf + n, "Z");
	return buf;
}
