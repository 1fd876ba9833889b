/* SPDX-License-Identifier: MIT */
/* klein-svc: the reload state file of a Type=notify-reload service. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reload.h"

bool
reload_state_apply(struct reload_state *s, const struct notify_msg *m)
{
	if (m->stopping)
		return false;
	if (m->ready && s->reloading) {
		/* The READY=1 that ends a reload. */
		s->generation++;
		s->reloading = false;
		s->stamp_usec = 0;
		return true;
	}
	if (m->ready && m->reloading) {
		/* Started and finished in one message: only with a timestamp
		 * can a waiter tell it from an older reload. */
		if (!m->monotonic_usec)
			return false;
		s->generation++;
		s->stamp_usec = m->monotonic_usec;
		return true;
	}
	if (m->reloading && !s->reloading) {
		s->reloading = true;
		return true;
	}
	return false;
}

void
reload_state_format(const struct reload_state *s, char *buf, size_t size)
{
	snprintf(buf, size, "GENERATION=%lu\nRELOADING=%d\nMONOTONIC_USEC=%" PRIu64 "\n",
		 s->generation, s->reloading ? 1 : 0, s->stamp_usec);
}

int
reload_state_parse(const char *text, struct reload_state *ret)
{
	bool have_generation = false;
	memset(ret, 0, sizeof(*ret));
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[64];
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			char *v = strchr(line, '=');
			if (v) {
				*v++ = '\0';
				if (!strcmp(line, "GENERATION")) {
					ret->generation = strtoul(v, NULL, 10);
					have_generation = true;
				} else if (!strcmp(line, "RELOADING"))
					ret->reloading = !strcmp(v, "1");
				else if (!strcmp(line, "MONOTONIC_USEC"))
					ret->stamp_usec = strtoull(v, NULL, 10);
			}
		}
		p += len + (nl ? 1 : 0);
	}
	return have_generation ? 0 : -EINVAL;
}
