/* SPDX-License-Identifier: MIT */
/* klein-svc: runit's supervise/status and supervise/stat formats (runsv.c update_status). */
#ifndef KLEIN_SVC_HEALTH_H
#define KLEIN_SVC_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

enum runit_state { RUNIT_DOWN = 0, RUNIT_RUN = 1, RUNIT_FINISH = 2 };

struct runit_status {
	enum runit_state state;
	bool want_up, paused, got_term, want_known;
	long pid;
};

/*
 * supervise/status: 20 bytes: TAI64N start time (12), pid (4, little
 * endian), paused flag, want ('u' or 'd'), got-TERM flag, state (0 down,
 * 1 run, 2 finish). 0 or -EINVAL.
 */
int runit_status_parse(const unsigned char *buf, size_t len, struct runit_status *ret);
/* supervise/stat text: "run", "down", "finish", then ", paused",
 * ", got TERM", ", want down", ", want exit". 0 or -EINVAL. */
int runit_stat_parse(const char *text, struct runit_status *ret);
/*
 * NULL when the service is healthy: running and wanted up, or down because
 * it was wanted down (a down file, sv down, a finished oneshot); otherwise a
 * short reason ("down", "finishing", "paused", "stopping").
 */
const char *runit_status_problem(const struct runit_status *st);

#endif
