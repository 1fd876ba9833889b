/* SPDX-License-Identifier: MIT */
/* emit_files: one function per generated file of a service directory; each
 * returns the malloc'd text, or NULL when out of memory. */
#ifndef KLEIN_PORTER_EMIT_FILES_H
#define KLEIN_PORTER_EMIT_FILES_H

#include "emit.h"

/* emit_run.c */
char *emit_run(const struct run_plan *p, const struct emit_options *o);
/* emit_finish.c */
char *emit_finish(const struct run_plan *p);
/* emit_control.c */
char *emit_control_t(const struct run_plan *p);
char *emit_control_h(const struct run_plan *p);
char *emit_check(const struct run_plan *p);
char *emit_log_run(const struct run_plan *p);

#endif
