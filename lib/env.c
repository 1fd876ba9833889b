/* SPDX-License-Identifier: MIT */
/* Environment lists (struct strv of NAME=VALUE) and systemd's assignment rule. */
#include <stdlib.h>
#include <string.h>

#include "lib/env.h"
#include "lib/utf8.h"

bool
env_assignment_valid(const char *a)
{
	const char *eq = strchr(a, '=');
	return eq && env_name_valid(a, (size_t)(eq - a)) && utf8_valid(eq + 1);
}

static bool
entry_has_name(const char *entry, const char *name, size_t len)
{
	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

const char *
env_get(const struct strv *env, const char *name, size_t len)
{
	if (len == 0)
		return NULL;
	for (size_t i = env->n; i > 0; i--)
		if (entry_has_name(env->v[i - 1], name, len))
			return env->v[i - 1] + len + 1;
	return NULL;
}

void
env_set(struct strv *env, char *a)
{
	size_t len = strcspn(a, "=");
	for (size_t i = 0; i < env->n; i++)
		if (entry_has_name(env->v[i], a, len)) {
			free(env->v[i]);
			env->v[i] = a;
			return;
		}
	strv_push(env, a);
}

void
env_unset(struct strv *env, const char *pattern)
{
	bool exact = strchr(pattern, '=') != NULL;
	size_t k = 0;
	for (size_t i = 0; i < env->n; i++) {
		char *e = env->v[i];
		bool match = exact ? strcmp(e, pattern) == 0
				   : entry_has_name(e, pattern, strlen(pattern));
		if (match)
			free(e);
		else
			env->v[k++] = e;
	}
	env->n = k;
	if (env->v)
		env->v[k] = NULL;
}
