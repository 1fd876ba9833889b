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

/*
 * supervise/klein.result: how the service's last run ended, written by the
 * converted finish script (docs/runtime.md): KEY=VALUE lines RESULT (systemd's
 * Result word: success, exit-code, signal, core-dump, timeout,
 * start-limit-hit), EXIT_CODE (exited, killed, dumped) and EXIT_STATUS (a
 * number or a signal name), as systemd passes them to ExecStopPost=, and
 * optionally NRESTARTS (the automatic restarts so far: systemctl's NRestarts).
 */
struct svc_result {
	char result[32], exit_code[16], exit_status[16];
	unsigned long nrestarts; /* 0 without a valid NRESTARTS= line */
};
/* Parses the file's text; unknown keys are skipped. 0, or -EINVAL without
 * a RESULT= line. */
int svc_result_parse(const char *text, struct svc_result *ret);
/* True unless the run ended in success (systemd's "failed" state once no
 * restart follows). */
bool svc_result_failed(const struct svc_result *r);

#endif
