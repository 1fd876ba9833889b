/* SPDX-License-Identifier: MIT */
/* klein-svc: OpenFile= (systemd 253): files opened as root and passed as LISTEN_FDS. */
#ifndef KLEIN_SVC_OPENFILE_H
#define KLEIN_SVC_OPENFILE_H

#include <stddef.h>

#include "util.h"

/* systemd's EXIT_FDS (202): an OpenFile= could not be opened. */
#define OPENFILE_EXIT 202

/* Whether spec is "PATH[:FDNAME[:OPTIONS]]" (C escapes, PATH absolute, FDNAME
 * by default PATH's file name, options read-only|append|truncate and graceful). */
bool open_file_spec_valid(const char *spec);

/*
 * Opens each spec as systemd's exec child does: a socket is connected
 * (read-only: its write side shut down), anything else opened read-write (or
 * read-only), O_APPEND or O_TRUNC as asked, never created. Appends the fds
 * (close-on-exec) to fds/n (room for max) and each FDNAME to names (joined
 * by ':'). A failure is skipped with a warning for `graceful`, else -errno
 * after a message (nothing appended stays open).
 */
int open_files_collect(const struct strv *specs, int *fds, size_t *n, size_t max, char **names);

#endif
