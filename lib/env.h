/* SPDX-License-Identifier: MIT */
/* Environment lists (struct strv of NAME=VALUE) and systemd's assignment rule. */
#ifndef KLEIN_LIB_ENV_H
#define KLEIN_LIB_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/alloc.h"
#include "lib/envname.h"
#include "lib/utf8.h"

/* True when a is NAME=VALUE with a valid name and valid UTF-8 value
 * (systemd's env_assignment_is_valid()). */
bool env_assignment_valid(const char *a);
/* Value of NAME in env or NULL (name[0..len)). */
const char *env_get(const struct strv *env, const char *name, size_t len);
/* Sets assignment a ("NAME=VALUE", taken) replacing NAME in place, or appends. */
void env_set(struct strv *env, char *a);
/* env_set() of as[0..n) in order (each taken), in time linear in n and env's
 * size: what a long list or an env file needs. */
void env_merge(struct strv *env, char **as, size_t n);
/* Removes NAME (pattern without '=') or exactly NAME=VALUE (pattern with '='). */
void env_unset(struct strv *env, const char *pattern);
/* env_unset() of each pattern, in linear time; env holds each name once (as
 * env_set() and env_merge() keep it). */
void env_unset_many(struct strv *env, char *const *patterns, size_t n);

#endif
