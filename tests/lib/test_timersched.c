/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/timersched: which event each [Timer] value counts from,
 * one-shot values, Persistent= catch-up. */
#include <stdlib.h>

#include "check.h"
#include "lib/calendar.h"
#include "lib/timersched.h"

#define S 1000000ULL

static void
test_relative(void)
{
	struct timersched_value v[] = {
		{ .base = TIMERSCHED_ACTIVE, .span_usec = 5 * S },
		{ .base = TIMERSCHED_UNIT_ACTIVE, .span_usec = 60 * S },
	};
	struct timersched_clock c = { .now_mono = 100 * S, .timer_start_mono = 100 * S };
	struct timersched_next n;

	/* The target never ran: only OnActiveSec= counts. */
	CHECK_INT_EQ(timersched_next(v, 2, &c, &n), 0);
	CHECK_INT_EQ(n.mono, 105 * S);
	CHECK_INT_EQ(n.real, TIMERSCHED_NEVER);
	/* It fired at 105 and started the target: OnActiveSec= is done, the
	 * next is 60s after the target's start. */
	c.now_mono = c.last_trigger_mono = c.unit_active_mono = 106 * S;
	CHECK_INT_EQ(timersched_next(v, 2, &c, &n), 0);
	CHECK_INT_EQ(n.mono, 166 * S);
	CHECK(v[0].disabled);
	/* OnUnitInactiveSec= counts from the stop. */
	struct timersched_value w = { .base = TIMERSCHED_UNIT_INACTIVE, .span_usec = 2 * S };
	c.unit_inactive_mono = 110 * S;
	CHECK_INT_EQ(timersched_next(&w, 1, &c, &n), 0);
	CHECK_INT_EQ(n.mono, 112 * S);
	/* OnBootSec= counts from the container's start. */
	struct timersched_value b = { .base = TIMERSCHED_BOOT, .span_usec = 30 * S };
	struct timersched_clock fresh = { .now_mono = 50 * S, .startup_mono = 40 * S };
	CHECK_INT_EQ(timersched_next(&b, 1, &fresh, &n), 0);
	CHECK_INT_EQ(n.mono, 70 * S);
}

static void
test_calendar(void)
{
	struct calendar_spec *daily;
	struct timersched_value v = { .base = TIMERSCHED_CALENDAR };
	/* Timer started 2026-12-04 15:00:00 UTC. */
	struct timersched_clock c = { .now_real = 1796396400 * S,
				      .timer_start_real = 1796396400 * S };
	struct timersched_next n;

	CHECK_INT_EQ(calendar_parse("daily UTC", &daily), 0);
	v.cal = daily;
	CHECK_INT_EQ(timersched_next(&v, 1, &c, &n), 0);
	CHECK_INT_EQ(n.real, 1796428800 * S); /* 2026-12-05 00:00 */
	CHECK_INT_EQ(n.mono, TIMERSCHED_NEVER);
	/* Persistent=: last ran 2026-12-02 00:00; the 12-03 run was missed and
	 * is due now (in the past). */
	c.last_trigger_real = (1796428800 - 3 * 86400) * S;
	CHECK_INT_EQ(timersched_next(&v, 1, &c, &n), 0);
	CHECK_INT_EQ(n.real, (1796428800 - 2 * 86400) * S);
	CHECK(n.real < c.now_real);
	calendar_free(daily);
}

int
main(void)
{
	RUN(test_relative);
	RUN(test_calendar);
	return check_done();
}
