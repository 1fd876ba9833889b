/* SPDX-License-Identifier: MIT */
/* Environment variable names: systemd's rule and the env-dir file-name rule. */
#include <limits.h>
#include <string.h>

#include "lib/envname.h"

bool
env_name_valid(const char *name, size_t len)
{
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

bool
env_name_exportable(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < NAME_MAX;
}
