/* SPDX-License-Identifier: MIT */
/* tr: what the translation rules (tr_*.c) share. The rules themselves are
 * declared in table.h, where the rows name them. */
#ifndef KLEIN_PORTER_TR_H
#define KLEIN_PORTER_TR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "load.h"
#include "strindex.h"
#include "table.h"
#include "translate.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tr_common.c ---- */
/* Appends a copy of s to a NULL-terminated vector. Returns 0 or -ENOMEM. */
int tr_strv_push(char ***v, size_t *n, const char *s);
void tr_strv_free(char **v, size_t n);
bool tr_strv_has(char *const *v, size_t n, const char *s);
/* *dst = a copy of s (the old value freed). Returns 0 or -ENOMEM. */
int tr_set_str(char **dst, const char *s);
/* The final value of s ("" when none). */
const char *tr_last(const struct setting *s);
/* "KEY=VALUE: fmt-or-why" at the setting's file:line. */
void tr_warn(struct diag *d, const struct setting *s, const char *fmt, const char *why);
/* The final value as a boolean, time span or signal into *dst; a bad value
 * warns and leaves *dst. Return 0. */
int tr_get_bool(const struct setting *s, bool *dst, struct diag *d);
int tr_get_time(const struct setting *s, uint64_t *dst, struct diag *d);
int tr_get_signal(const struct setting *s, int *dst, struct diag *d);
/* ---- tr_lifecycle.c ---- */
/* RestartSteps=/RestartMaxDelaySec= as systemd 254's service_restart_usec_next():
 * p->restart_delays, after RestartMaxDelaySec= capped RestartSec=. 0 or -ENOMEM. */
int tr_restart_growth(struct run_plan *p, const char *file, struct diag *d);
/* Every whitespace-separated word of every value of s, deduplicated, into
 * *v (an empty value resets). Returns 0 or -ENOMEM. */
int tr_each_word(const struct setting *s, char ***v, size_t *n);
/* Appends a copy of s unless *v has it; ix indexes *v (a zeroed one to
 * start, strindex_done() after): constant time, where a scan was quadratic. */
int tr_strv_push_unique(char ***v, size_t *n, const char *s, struct strindex *ix);

/* Value grammars (systemd 252, porter-reference.md 2.10): thin adapters over values.h. */
int tv_boolean(const char *s);
int tv_timespan(const char *s, uint64_t *ret_usec);
int tv_signal(const char *s);
int tv_mode(const char *s, unsigned *ret);
/* "SOFT:HARD" in the units klein-svc takes (bytes, seconds, usec for RTTIME). */
int tv_rlimit(const char *name, const char *s, char **ret);
/* "75 250 SIGKILL TERM": exit statuses 0..255 and signal names. */
int tv_status_list(const char *s, int **codes, size_t *n_codes, int **sigs, size_t *n_sigs);

/* ---- tr_exec.c ---- */
/* The unit's Exec* lists into the plan's command lists. Returns 0 or -ENOMEM. */
int tr_exec_lists(struct run_plan *p, const struct unit *u, struct diag *d);
void tr_cmds_free(struct plan_cmds *c);
/* *pc = the commands of one Exec list (freed first). Returns 0 or -ENOMEM. */
int tr_cmds_from_list(struct plan_cmds *pc, const struct exec_list *el, struct diag *d);

/* ---- tr_dirs.c ---- */
void tr_dir_links_free(struct plan_dirs *pd);

#endif
