/* SPDX-License-Identifier: MIT */
/* timestamp: systemd's timestamp grammar (parse_timestamp(), what
 * `systemd-analyze timestamp` and --base-time= take) and its printed forms. */
#ifndef KLEIN_LIB_TIMESTAMP_H
#define KLEIN_LIB_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USEC_PER_SEC_U64 1000000ULL

/* Room for any timestamp_format*() result. */
#define TIMESTAMP_MAX 128

/* The current wall-clock time in microseconds since the epoch. */
uint64_t timestamp_now(void);

/* Parses text as systemd's parse_timestamp(): "YYYY-MM-DD HH:MM[:SS[.frac]]"
 * (also with a two-digit year, a leading weekday that must match, and only
 * the date or only the time), then an optional " UTC", local zone name
 * (tzname[0/1]) or IANA zone; "now", "today", "yesterday", "tomorrow",
 * "+SPAN", "-SPAN", "SPAN ago", "SPAN left", "@SECONDS[.frac]". Relative
 * forms count from now_usec. 0 and *ret_usec, or -EINVAL (-ENOMEM). */
int timestamp_parse(const char *text, uint64_t now_usec, uint64_t *ret_usec);

/* "Fri 2026-12-04 15:00:00 CET" in the local zone, or "... UTC" when utc:
 * systemd's format_timestamp(). "--- XXXX-XX-XX XX:XX:XX" past year 9999. */
const char *timestamp_format(uint64_t usec, bool utc, char buf[static TIMESTAMP_MAX]);

/* "1 day 8h left", "5min ago", "now": systemd's format_timestamp_relative()
 * of t seen from now. */
const char *timestamp_format_relative(uint64_t t, uint64_t now, char buf[static TIMESTAMP_MAX]);

/* RFC 3339 in UTC: "2026-12-05T00:00:00Z", with ".ffffff" only when the
 * microseconds are not zero. */
const char *timestamp_format_rfc3339(uint64_t usec, char buf[static TIMESTAMP_MAX]);

#endif
