/* SPDX-License-Identifier: MIT */
/* store_timer: [Timer] values as systemd 252's config_parse_timer() and
 * config_parse_timer_unit() take them, and timer_verify(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/calendar.h"
#include "merge.h"
#include "lib/unitfile.h"
#include "lib/values.h"

/* The keys one empty assignment of any of them resets (systemd frees all
 * of a timer's values at once). */
static const char *const value_keys[] = {
	"OnActiveSec",	"OnBootSec",	   "OnCalendar",
	"OnStartupSec", "OnUnitActiveSec", "OnUnitInactiveSec",
};

int
store_timer(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	struct calendar_spec *c;
	uint64_t usec;
	char *res = NULL;
	int r;

	if (!*value) {
		for (size_t i = 0; i < sizeof(value_keys) / sizeof(value_keys[0]); i++) {
			const struct directive *k =
				directive_find(L->type, "Timer", value_keys[i], L->systemd);

			if (k && (r = merge_list_reset(L, k, line)) < 0)
				return r;
		}
		return 0;
	}
	if ((r = merge_resolve_value(L, value, line, &res)) <= 0)
		return r;
	if (!strcmp(dr->key, "OnCalendar")) {
		r = calendar_parse(res, &c);
		if (r == -ENOMEM) {
			free(res);
			return r;
		}
		calendar_free(r == 0 ? c : NULL);
		if (r < 0) {
			WARN("Failed to parse calendar specification, ignoring: %s", value);
			free(res);
			return 0;
		}
	} else if (parse_sec(res, &usec) < 0) {
		WARN("Failed to parse timer value, ignoring: %s", value);
		free(res);
		return 0;
	}
	return merge_list_add(L, dr, res, line, false);
}

int
store_timer_unit(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	const char *dot;
	char *res = NULL;
	int r;

	if (!*value)
		return merge_scalar(L, dr, NULL, line);
	if ((r = merge_resolve_value(L, value, line, &res)) <= 0)
		return r;
	/* systemd only needs a unit name here (even another .timer). */
	dot = strrchr(res, '.');
	if (!unit_name_is_valid(res) || !dot) {
		WARN("Failed to add trigger on %s, ignoring: Invalid argument", res);
		free(res);
		return 0;
	}
	return merge_scalar(L, dr, res, line);
}

/* timer_verify(): a timer needs a value (or a clock/zone trigger). */
int
timer_verify(struct loader *L)
{
	const struct unit *u = L->u;
	bool any = false;

	for (size_t i = 0; i < sizeof(value_keys) / sizeof(value_keys[0]) && !any; i++) {
		const struct setting *s = unit_setting(u, "Timer", value_keys[i]);

		any = s && s->n_values;
	}
	for (int i = 0; i < 2 && !any; i++) {
		const struct setting *s =
			unit_setting(u, "Timer", i ? "OnTimezoneChange" : "OnClockChange");

		any = s && s->n_values && parse_boolean(s->values[0]) == 1;
	}
	if (!any) {
		diag_add(L->d, u->fragment, 0, DIAG_ERROR,
			 "Timer unit lacks value setting. Refusing.");
		return -ENOEXEC;
	}
	return 0;
}
