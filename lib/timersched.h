/* SPDX-License-Identifier: MIT */
/* timersched: when a timer unit next elapses, as systemd 252's
 * timer_enter_waiting() decides it: the pure part of `klein-svc timer`,
 * which owns the clocks, the sleeping and the target service. */
#ifndef KLEIN_LIB_TIMERSCHED_H
#define KLEIN_LIB_TIMERSCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/calendar.h"

#define TIMERSCHED_NEVER UINT64_MAX

/* What a [Timer] value counts from. */
enum timersched_base {
	TIMERSCHED_ACTIVE,	  /* OnActiveSec=: the timer's own start */
	TIMERSCHED_BOOT,	  /* OnBootSec=: the container's start */
	TIMERSCHED_STARTUP,	  /* OnStartupSec=: the container's start too */
	TIMERSCHED_UNIT_ACTIVE,	  /* OnUnitActiveSec=: the target's last start */
	TIMERSCHED_UNIT_INACTIVE, /* OnUnitInactiveSec=: the target's last stop */
	TIMERSCHED_CALENDAR,	  /* OnCalendar= */
};

struct timersched_value {
	enum timersched_base base;
	uint64_t span_usec;		 /* the relative ones */
	const struct calendar_spec *cal; /* TIMERSCHED_CALENDAR */
	bool disabled;			 /* a one-shot relative value that has fired */
};

/* The events the values count from, in microseconds: *_mono on
 * CLOCK_MONOTONIC/BOOTTIME, *_real on CLOCK_REALTIME; 0 = not happened. */
struct timersched_clock {
	uint64_t now_mono, now_real;
	uint64_t timer_start_mono, timer_start_real; /* when the timer started */
	uint64_t startup_mono;			     /* the container's start */
	uint64_t unit_active_mono;		     /* the target's last start */
	uint64_t unit_inactive_mono;		     /* the target's last stop */
	uint64_t last_trigger_mono;		     /* the timer's last trigger */
	uint64_t last_trigger_real;		     /* the same (Persistent= stamp) */
};

/* The next elapse on each clock (TIMERSCHED_NEVER when none). */
struct timersched_next {
	uint64_t mono, real;
};

/* Computes the next elapse over values[n] as systemd does: a calendar value
 * counts from the last trigger (or the timer's start); OnUnitActiveSec= and
 * OnUnitInactiveSec= from the later of their event and the last trigger,
 * skipped while neither happened; OnActiveSec=, OnBootSec= and
 * OnStartupSec= fire once (one that elapsed before the last trigger is
 * marked disabled). 0, or -errno from calendar_next() other than -ENOENT
 * (an event that never elapses again). */
int timersched_next(struct timersched_value *values, size_t n, const struct timersched_clock *c,
		    struct timersched_next *ret);

#endif
