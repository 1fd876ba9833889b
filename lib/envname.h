/* SPDX-License-Identifier: MIT */
/* Environment variable names: systemd's rule and the env-dir file-name rule. */
#ifndef KLEIN_LIB_ENVNAME_H
#define KLEIN_LIB_ENVNAME_H

#include <stdbool.h>
#include <stddef.h>

/* True when name[0..len) is [A-Za-z_][A-Za-z0-9_]*: systemd's
 * env_name_is_valid() and what a POSIX shell accepts in "export NAME=". */
bool env_name_valid(const char *name, size_t len);
/* True for names that can be a file in an env dir (non-empty, no '/', no
 * leading '.', shorter than NAME_MAX). */
bool env_name_exportable(const char *name);

#endif
