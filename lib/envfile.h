/* SPDX-License-Identifier: MIT */
/* systemd 252's EnvironmentFile= format (src/basic/env-file.c). */
#ifndef KLEIN_LIB_ENVFILE_H
#define KLEIN_LIB_ENVFILE_H

#include "lib/env.h"

/*
 * Parses env-file text the way systemd 252's load_env_file() does and merges
 * the assignments into env (a later NAME replaces an earlier one in place).
 * The grammar, per character, as systemd's state machine:
 *  - lines whose first non-blank is '#' or ';' are comments; in 252 a
 *    comment line ending in '\' continues onto the next line (v254 changed it);
 *  - KEY=VALUE; blanks around the key and before the value are skipped; a line
 *    without '=' is ignored;
 *  - unquoted: '\' escapes any character, '\'+newline joins lines, trailing
 *    unescaped blanks are cut; quotes after the first value character are literal;
 *  - '...' literal up to the next quote (newlines and backslashes too);
 *  - "...": '\' before one of  " \ ` $  unescapes it, before a newline removes
 *    both, before anything else is kept;
 *  - text stops at the first NUL byte; no $VAR expansion.
 * Assignments whose name is not a valid environment name are dropped, as
 * systemd's strv_env_clean() does when the service starts; *ret_dropped (if not
 * NULL) counts them. Returns 0, or -EINVAL when a key or value is not valid
 * UTF-8 (then the whole file counts as unreadable, as in systemd, and env is
 * untouched).
 */
int envfile_parse(const char *text, struct strv *env, unsigned *ret_dropped);

#endif
