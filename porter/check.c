/* SPDX-License-Identifier: MIT */
/* check: the value grammars of store_checked rows, with the warning systemd
 * 252 prints when a value does not parse (the assignment is then ignored).
 * The parsing itself is values.h's; this file only picks the grammar and the
 * message for each row. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "merge.h"
#include "values.h"

int
check_bool(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (*value && parse_boolean(value) < 0) {
		WARN("Failed to parse boolean value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* A time span (config_parse_sec()). */
int
check_sec(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t t;

	(void)dr;
	if (*value && parse_sec(value, &t) < 0) {
		WARN("Failed to parse sec value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* TimeoutStopSec=, TimeoutAbortSec= (config_parse_timeout_abort() and co). */
int
check_timeout(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t t;

	(void)dr;
	if (*value && parse_sec(value, &t) < 0) {
		WARN("Failed to parse time value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* TimeoutSec=, TimeoutStartSec= (config_parse_service_timeout()). */
int
check_timeout_start(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t t;

	if (*value && parse_sec(value, &t) < 0) {
		WARN("Failed to parse %s= parameter, ignoring: %s", dr->key, value);
		return -EINVAL;
	}
	return 0;
}

int
check_signal(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (*value && parse_signal(value) <= 0) {
		WARN("Failed to parse signal name, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

int
check_mode(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	unsigned m;

	(void)dr;
	if (*value && parse_mode(value, &m) < 0) {
		WARN("Failed to parse mode value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* Limit*=: an empty value is no limit value either (systemd warns). */
int
check_rlimit(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t s, h;
	int r = parse_rlimit(dr->key, value, &s, &h);

	if (r == -EILSEQ) {
		WARN("Soft resource limit chosen higher than hard limit, ignoring: %s", value);
		return -EINVAL;
	}
	if (r < 0) {
		WARN("Failed to parse resource value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

int
check_nice(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	int n;
	int r = *value ? parse_nice(value, &n) : 0;

	(void)dr;
	if (r == -ERANGE) {
		WARN("Nice priority out of range, ignoring: %s", value);
		return -EINVAL;
	}
	if (r < 0) {
		WARN("Failed to parse nice priority '%s', ignoring: %s", value, strerror(-r));
		return -EINVAL;
	}
	return 0;
}

int
check_oom_score(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	int n;
	int r = *value ? parse_oom_score_adjust(value, &n) : 0;

	(void)dr;
	if (r == -ERANGE) {
		WARN("OOM score adjust value out of range, ignoring: %s", value);
		return -EINVAL;
	}
	if (r < 0) {
		WARN("Failed to parse the OOM score adjust value '%s', ignoring: %s", value,
		     strerror(-r));
		return -EINVAL;
	}
	return 0;
}

/* One of names, or empty; else systemd's "Failed to parse WHAT" warning. */
static int
check_enum(struct loader *L, const char *const *names, const char *what, const char *value,
	   unsigned line)
{
	if (!*value)
		return 0;
	for (; *names; names++)
		if (!strcmp(*names, value))
			return 0;
	WARN("Failed to parse %s, ignoring: %s", what, value);
	return -EINVAL;
}

int
check_service_type(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "simple", "exec",	 "forking", "oneshot",
					     "dbus",   "notify", "idle",    NULL };

	(void)dr;
	return check_enum(L, names, "service type", value, line);
}

int
check_restart(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "no",	    "on-success",  "on-failure",
					     "on-abnormal", "on-watchdog", "on-abort",
					     "always",	    NULL };

	(void)dr;
	return check_enum(L, names, "service restart specifier", value, line);
}

int
check_kill_mode(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "control-group", "process", "mixed", "none", NULL };
	int r = check_enum(L, names, "kill mode specification", value, line);

	(void)dr;
	if (r == 0 && !strcmp(value, "none"))
		WARN("Unit uses KillMode=none. This is unsafe, as it disables systemd's process lifecycle management for the service. Please update the service to use a safer KillMode=, such as 'mixed' or 'control-group'. Support for KillMode=none is deprecated and will eventually be removed.");
	return r;
}

int
check_notify_access(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "none", "main", "exec", "all", NULL };

	(void)dr;
	return check_enum(L, names, "notify access specifier", value, line);
}

int
check_exit_type(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "main", "cgroup", NULL };

	(void)dr;
	return check_enum(L, names, "service exit type", value, line);
}
