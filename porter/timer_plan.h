/* SPDX-License-Identifier: MIT */
/* timer_plan: a loaded .timer unit -> the runit service that runs
 * `klein-svc timer` for it (docs/timers.md): translation and its run script. */
#ifndef KLEIN_PORTER_TIMER_PLAN_H
#define KLEIN_PORTER_TIMER_PLAN_H

#include <stddef.h>

#include "lib/diag.h"
#include "load.h"

struct timer_plan {
	char *unit;	   /* "logrotate.timer" */
	char *name;	   /* its service directory: "logrotate.timer" */
	char *target;	   /* the unit it starts: Unit= or "logrotate.service" */
	char *target_name; /* the target's service directory: "logrotate" */
	char *fragment;	   /* the timer's file, for the generated header */
	char **args;	   /* klein-svc timer options, in order */
	size_t n_args;
};

/* Translates a loaded timer: its values become `klein-svc timer` options;
 * what has no runit meaning is warned about (WakeSystem=, OnClockChange=...).
 * A target that is not a .service is refused (an error in d). 0, -EINVAL
 * (refused), or -ENOMEM. */
int timer_translate(const struct unit *u, struct timer_plan *ret, struct diag *d);

/* The run script: `exec klein-svc timer --unit-dir SERVICE_DIR/TARGET ...`.
 * NULL when out of memory. */
char *timer_emit_run(const struct timer_plan *p, const char *service_dir);

void timer_plan_done(struct timer_plan *p);

#endif
