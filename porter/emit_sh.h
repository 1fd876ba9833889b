/* SPDX-License-Identifier: MIT */
/* emit_sh: the pieces the generated scripts share (emit_sh.c). */
#ifndef KLEIN_PORTER_EMIT_SH_H
#define KLEIN_PORTER_EMIT_SH_H

#include <stdbool.h>
#include <stdint.h>

#include "emit_buf.h"
#include "translate.h"

/* Per enum plan_dir_kind: the directory under which names live, the
 * environment variable that lists them, and the directive. */
extern const char *const sh_dir_roots[PLAN_DIR_N];
extern const char *const sh_dir_envs[PLAN_DIR_N];
extern const char *const sh_dir_keys[PLAN_DIR_N];

/* " 'S'": a space, then s as one single-quoted word. */
void sh_word(struct emit_buf *b, const char *s);

/* "#!/bin/sh" and the comment block naming the unit; what says which script. */
void sh_header(struct emit_buf *b, const struct run_plan *p, const char *what);

/* The options every command gets: environment, then process attributes
 * (`set -- ...`, reused by each command as "$@"). */
void sh_env_block(struct emit_buf *b, const struct run_plan *p);

/* Whether the service has credentials to load (LoadCredential=, SetCredential=,
 * ImportCredential=): the run script fills /run/credentials/UNIT. */
bool sh_has_creds_to_load(const struct run_plan *p);
/* The word PREFIX/run/credentials/UNIT, quoted. */
void sh_creds_dir(struct emit_buf *b, const struct run_plan *p, const char *prefix);

enum cmd_role { ROLE_MAIN, ROLE_AUX };

/* How a line learns its own pid for $SYSTEMD_EXEC_PID (systemd sets it for
 * every process it spawns): a line the script waits for runs in a subshell
 * that reads its pid from /proc/self/stat and execs klein-svc (so the pid
 * stays the command's); an exec'd line is the script's $$; a command that
 * klein-svc supervise forks goes through sh -c for the same read. */
enum cmd_pid { PID_SUBSHELL, PID_SELF, PID_SH };

/* klein-svc exec --env SYSTEMD_EXEC_PID=... "$@" ... -- [chpst ...] PATH ARGS:
 * one Exec line. */
void sh_command(struct emit_buf *b, const struct run_plan *p, const struct plan_cmd *c,
		enum cmd_role role, const char *extra_env, enum cmd_pid pidm);

/* One line per command; a failure ends the script unless the line has '-'. */
void sh_command_lines(struct emit_buf *b, const struct run_plan *p, const struct plan_cmds *cs,
		      const char *key, const char *extra_env, const char *on_fail,
		      const char *indent);

/* A duration as seconds with up to six decimals ("90", "1.5"), or "infinity". */
void sh_seconds(struct emit_buf *b, uint64_t usec);

/* Whether finish applies the start limit. */
bool sh_has_start_limit(const struct run_plan *p);

/* Whether the ready marker waits for ExecStartPost= (run in the background). */
bool sh_post_gates(const struct run_plan *p);

/* pid=$(cat supervise/pid) and, with need_main, $MAINPID for control scripts. */
void sh_mainpid(struct emit_buf *b, const struct run_plan *p, bool need_main);

#endif
