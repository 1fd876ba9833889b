/* SPDX-License-Identifier: MIT */
/* tzone: IANA time zone names as systemd checks them, and computing in a
 * zone other than the local one by switching $TZ for a moment. */
#ifndef KLEIN_LIB_TZONE_H
#define KLEIN_LIB_TZONE_H

#include <stdbool.h>

/* 0 when name is "UTC" or a readable TZif file under /usr/share/zoneinfo
 * with a name systemd accepts (letters, digits, -_+/, no leading, trailing
 * or double '/'); else -EINVAL, -ENAMETOOLONG, -EBADMSG or the open error. */
int tz_verify(const char *name);

/* The $TZ of the process before tz_enter(), restored by tz_leave(). */
struct tz_saved {
	char *old; /* malloc'd copy of the old $TZ, NULL when unset */
	bool active;
};

/* Makes localtime()/mktime() compute in zone (":zone" in $TZ) until
 * tz_leave(). 0 or -ENOMEM. Not thread-safe, as $TZ itself is not. */
int tz_enter(const char *zone, struct tz_saved *ret_saved);

/* Restores $TZ as it was before tz_enter() and frees the copy. */
void tz_leave(struct tz_saved *saved);

#endif
