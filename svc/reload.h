/* SPDX-License-Identifier: MIT */
/* klein-svc: the reload state a Type=notify-reload service reported, as
 * `klein-svc supervise` records it (supervise/klein.reload) for `klein-svc
 * reload`, which waits on it with inotify. */
#ifndef KLEIN_SVC_RELOAD_H
#define KLEIN_SVC_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify.h"

#define RELOAD_FILE_NAME "klein.reload" /* default: next to the ready file */

struct reload_state {
	unsigned long generation; /* reloads the service finished (RELOADING=1, then READY=1) */
	bool reloading;		  /* RELOADING=1 came, READY=1 not yet */
	/* The MONOTONIC_USEC= of the last finished reload when it was one
	 * datagram RELOADING=1 + READY=1 (0 otherwise): it only counts for a
	 * reload that began before that time, as systemd checks. */
	uint64_t stamp_usec;
};

/*
 * Applies one notify message, as systemd's service_notify_message() reads
 * RELOADING=1/READY=1 for Type=notify-reload (STOPPING=1 wins over both).
 * Returns true when the state changed.
 */
bool reload_state_apply(struct reload_state *s, const struct notify_msg *m);

/* "GENERATION=N\nRELOADING=0|1\nMONOTONIC_USEC=N\n" into buf. */
void reload_state_format(const struct reload_state *s, char *buf, size_t size);

/* Parses reload_state_format()'s text (unknown lines skipped); 0 or -EINVAL
 * when GENERATION= is missing. */
int reload_state_parse(const char *text, struct reload_state *ret);

#endif
