/* SPDX-License-Identifier: MIT */
/* klein-svc: runit's supervise/status and supervise/stat formats (runsv.c update_status). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"

int
runit_status_parse(const unsigned char *b, size_t len, struct runit_status *ret)
{
	if (len != 20 || b[19] > 2 || (b[17] != 'u' && b[17] != 'd'))
		return -EINVAL;
	ret->pid = (long)((unsigned long)b[12] | (unsigned long)b[13] << 8 |
			  (unsigned long)b[14] << 16 | (unsigned long)b[15] << 24);
	ret->paused = b[16] != 0;
	ret->want_up = b[17] == 'u';
	ret->want_known = true;
	ret->got_term = b[18] != 0;
	ret->state = (enum runit_state)b[19];
	return 0;
}

int
runit_stat_parse(const char *text, struct runit_status *ret)
{
	struct runit_status st = { .want_up = true };
	size_t n;
	if (strncmp(text, "run", 3) == 0)
		st.state = RUNIT_RUN, n = 3;
	else if (strncmp(text, "down", 4) == 0)
		st.state = RUNIT_DOWN, n = 4;
	else if (strncmp(text, "finish", 6) == 0)
		st.state = RUNIT_FINISH, n = 6;
	else
		return -EINVAL;
	const char *rest = text + n;
	if (*rest && *rest != ',' && *rest != '\n')
		return -EINVAL;
	st.paused = strstr(rest, ", paused") != NULL;
	st.got_term = strstr(rest, ", got TERM") != NULL;
	if (strstr(rest, ", want down") || strstr(rest, ", want exit"))
		st.want_up = false;
	/* runsv prints "want" only while not down: a down service's wish is unknown. */
	st.want_known = st.state != RUNIT_DOWN;
	*ret = st;
	return 0;
}

const char *
runit_status_problem(const struct runit_status *st)
{
	switch (st->state) {
	case RUNIT_RUN:
		if (st->paused)
			return "paused";
		return st->want_up ? NULL : "stopping";
	case RUNIT_DOWN:
		return st->want_known && !st->want_up ? NULL : "down";
	case RUNIT_FINISH:
		return st->want_known && !st->want_up ? NULL : "finishing";
	}
	return "unknown state";
}

/* Copies the value of "KEY=" at line into dst when line starts with it. */
static void
take(const char *line, size_t len, const char *key, char *dst, size_t cap)
{
	size_t k = strlen(key);

	if (len > k && !strncmp(line, key, k))
		snprintf(dst, cap, "%.*s", (int)(len - k), line + k);
}

int
svc_result_parse(const char *text, struct svc_result *ret)
{
	struct svc_result r = { "", "", "", 0 };
	char nrestarts[24] = "";

	for (const char *l = text; *l;) {
		size_t len = strcspn(l, "\n");

		take(l, len, "RESULT=", r.result, sizeof(r.result));
		take(l, len, "EXIT_CODE=", r.exit_code, sizeof(r.exit_code));
		take(l, len, "EXIT_STATUS=", r.exit_status, sizeof(r.exit_status));
		take(l, len, "NRESTARTS=", nrestarts, sizeof(nrestarts));
		l += len + (l[len] == '\n');
	}
	/* Digits only (no sign, no spaces); anything else counts as none. */
	if (nrestarts[0] && strspn(nrestarts, "0123456789") == strlen(nrestarts))
		r.nrestarts = strtoul(nrestarts, NULL, 10);
	if (!r.result[0])
		return -EINVAL;
	*ret = r;
	return 0;
}

bool
svc_result_failed(const struct svc_result *r)
{
	return strcmp(r->result, "success") != 0;
}
