/* SPDX-License-Identifier: MIT */
/* timersched: the next elapse of a timer's values, as systemd 252's
 * timer_enter_waiting(): earliest calendar time, earliest relative time. */
#include "lib/timersched.h"

#include <errno.h>

/* The event a relative value counts from, or 0 when it has not happened. */
static uint64_t
relative_base(enum timersched_base base, const struct timersched_clock *c)
{
	switch (base) {
	case TIMERSCHED_ACTIVE:
		return c->timer_start_mono;
	case TIMERSCHED_BOOT:
	case TIMERSCHED_STARTUP:
		/* A container has no boot of its own: both count from its start
		 * (CLOCK_BOOTTIME 0 would be the host's boot). */
		return c->startup_mono;
	case TIMERSCHED_UNIT_ACTIVE:
		/* The target's start, or the trigger that started it. */
		return c->unit_active_mono > c->last_trigger_mono ? c->unit_active_mono
								  : c->last_trigger_mono;
	case TIMERSCHED_UNIT_INACTIVE:
		return c->unit_inactive_mono > c->last_trigger_mono ? c->unit_inactive_mono
								    : c->last_trigger_mono;
	case TIMERSCHED_CALENDAR:
		break;
	}
	return 0;
}

static bool
one_shot(enum timersched_base base)
{
	return base == TIMERSCHED_ACTIVE || base == TIMERSCHED_BOOT || base == TIMERSCHED_STARTUP;
}

int
timersched_next(struct timersched_value *values, size_t n, const struct timersched_clock *c,
		struct timersched_next *ret)
{
	struct timersched_next next = { TIMERSCHED_NEVER, TIMERSCHED_NEVER };

	for (size_t i = 0; i < n; i++) {
		struct timersched_value *v = &values[i];
		uint64_t at, from;

		if (v->disabled)
			continue;
		if (v->base == TIMERSCHED_CALENDAR) {
			int r;

			/* systemd counts from the last trigger, so a run missed
			 * while stopped (Persistent=) is due at once. */
			from = c->last_trigger_real  ? c->last_trigger_real
			       : c->timer_start_real ? c->timer_start_real
						     : c->now_real;
			r = calendar_next(v->cal, from, &at);
			if (r == -ENOENT)
				continue;
			if (r < 0)
				return r;
			if (at < next.real)
				next.real = at;
			continue;
		}
		from = relative_base(v->base, c);
		if (!from)
			continue;
		at = from + v->span_usec < from ? TIMERSCHED_NEVER : from + v->span_usec;
		/* OnActiveSec= and kin fire once: done when the last trigger
		 * came after them. */
		if (one_shot(v->base) && c->last_trigger_mono && at < c->last_trigger_mono) {
			v->disabled = true;
			continue;
		}
		if (at < next.mono)
			next.mono = at;
	}
	*ret = next;
	return 0;
}
