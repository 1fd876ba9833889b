/* SPDX-License-Identifier: MIT */
/* klein-svc timer: a runit service that starts another one when a timer
 * unit's values elapse (docs/runtime.md, docs/timers.md). */
#ifndef KLEIN_SVC_TIMER_H
#define KLEIN_SVC_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/timersched.h"

#define TIMER_VALUES_MAX 64

struct timer_opts {
	struct timersched_value values[TIMER_VALUES_MAX];
	size_t n_values;
	const char *unit_dir;	/* the target's runit service directory */
	const char *name;	/* for the Persistent= stamp file */
	const char *state_dir;	/* where stamps live (/var/lib/klein/timers) */
	const char *state_file; /* next=/last= for list-timers (supervise/klein.timer) */
	uint64_t randomized_delay_usec;
	bool fixed_random_delay, persistent;
};

/* The target's state from its supervise/status: running (or finishing)
 * with since_real the wall-clock time of its last start, or down since
 * since_real (0: never ran). 0, or -errno when runsv is not there. */
struct timer_target {
	bool up;
	uint64_t since_real;
};
int timer_target_read(const char *unit_dir, struct timer_target *ret);

/* The wall-clock time of the last trigger from the stamp file (its
 * mtime), or 0 when there is none. */
uint64_t timer_stamp_read(const struct timer_opts *o);

/* The random delay for one elapse: uniform in [0, max) or, with
 * FixedRandomDelay=, the same for every elapse of this timer name. */
uint64_t timer_random_delay(const struct timer_opts *o);

/* The container's start on CLOCK_BOOTTIME (PID 1's start time), in usec. */
uint64_t timer_startup_usec(void);

/* Runs the timer until killed: sleeps until the next elapse (one timerfd
 * per clock, woken early only by a wall-clock change), starts the target
 * once when it is down, waits for it to finish. Returns only on failure
 * (the exit code). */
int timer_run(const struct timer_opts *o);

#endif
