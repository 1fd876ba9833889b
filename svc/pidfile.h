/* SPDX-License-Identifier: MIT */
/* klein-svc: PID files read the way systemd's service_load_pid_file() does. */
#ifndef KLEIN_SVC_PIDFILE_H
#define KLEIN_SVC_PIDFILE_H

#include <stdbool.h>
#include <sys/types.h>

struct pidfile {
	pid_t pid;
	bool questionable; /* reached through an unsafe symlink chain */
	bool root_owned;   /* the file itself belongs to root */
};

/* Reads the pid in path. The path is opened without following unsafe
 * symlinks (systemd's CHASE_SAFE: a link in a user's directory pointing at
 * another owner's file); such a chain is read anyway but marked
 * questionable. Only a regular file is read. Returns 0, or -errno
 * (missing, not a regular file, not a pid). */
int pidfile_read(const char *path, struct pidfile *ret);

enum pidfile_verdict {
	PIDFILE_OK,	      /* one of the service's processes, or vouched for by root */
	PIDFILE_SELF,	      /* the supervisor itself or PID 1 */
	PIDFILE_UNSAFE_CHAIN, /* outside the service, read through an unsafe chain */
	PIDFILE_NOT_ROOT,     /* outside the service, and the file is not root's */
};

/* Whether pf's pid may become the main pid of the service whose processes
 * are the descendants of supervisor (there are no cgroups in a container).
 * Outside of them, systemd accepts a pid only from a root-owned file read
 * through a safe chain: else a service running as a user could name any
 * process, and its stop signal would go there. */
enum pidfile_verdict pidfile_check(const struct pidfile *pf, pid_t supervisor);

#endif
