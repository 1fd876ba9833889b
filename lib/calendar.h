/* SPDX-License-Identifier: MIT */
/* calendar: systemd 252's calendar events (systemd.time(7), OnCalendar=):
 * parse, print the normalized form, compute the next elapse. */
#ifndef KLEIN_LIB_CALENDAR_H
#define KLEIN_LIB_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

/* systemd refuses more than this many ','-separated values in one field. */
#define CALENDAR_COMPONENTS_MAX 241

/* One value of a field: start, start..stop, start/repeat, start..stop/repeat.
 * stop is -1 when there is no range; repeat 0 when there is none. Seconds are
 * kept in microseconds. */
struct calendar_component {
	int start, stop, repeat;
};

/* A field's values, sorted and unique; n == 0 means '*' (any value). */
struct calendar_chain {
	struct calendar_component *v;
	unsigned n;
};

struct calendar_spec {
	int weekdays;	   /* bit 0 Monday .. bit 6 Sunday; -1: any day */
	bool end_of_month; /* '~': days count from the end of the month */
	bool utc;	   /* computed in UTC */
	int dst;	   /* -1, or 0/1 when the local zone's tzname[0/1] was given */
	char *timezone;	   /* an IANA zone (/usr/share/zoneinfo), or NULL */
	struct calendar_chain year, month, day, hour, minute, usec;
};

/* Parses an expression as systemd's calendar_spec_from_string() does. 0 and
 * *ret (free with calendar_free()), or -EINVAL, -ERANGE, -ENOBUFS (too many
 * values), -ENOMEM: the errno systemd reports for the same text. */
int calendar_parse(const char *text, struct calendar_spec **ret);

/* Frees a spec from calendar_parse() (NULL is fine). */
void calendar_free(struct calendar_spec *c);

/* The normalized form systemd prints ("*-*-* 00:00:00"), malloc'd into *ret.
 * 0 or -ENOMEM. */
int calendar_format(const struct calendar_spec *c, char **ret);

/* The first elapse strictly after after_usec (microseconds since the epoch),
 * computed in the spec's zone (its timezone, UTC, or the process's local
 * zone). 0, -ENOENT when the event never elapses again, -EDEADLK when systemd
 * would give up too, -EINVAL for times past year 9999. Allocates only for a
 * spec with a timezone (it switches $TZ and restores it: not thread-safe). */
int calendar_next(const struct calendar_spec *c, uint64_t after_usec, uint64_t *ret_usec);

#endif
