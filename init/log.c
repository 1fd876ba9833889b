/* SPDX-License-Identifier: MIT */
/* The klein-init logger: one write(2) per line on stderr, no heap. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

static enum log_level threshold = LOGLVL_INFO;

void
log_set_level(enum log_level level)
{
	threshold = level;
}

enum log_level
log_get_level(void)
{
	return threshold;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {
		[LOGLVL_ERROR] = "error: ",
		[LOGLVL_WARN] = "warning: ",
		[LOGLVL_INFO] = "",
		[LOGLVL_DEBUG] = "debug: ",
	};
	char line[1024];
	int saved = errno; /* callers log then use errno */
	va_list ap;
	int n, m;

	if (level > threshold)
		return;
	n = snprintf(line, sizeof(line), "klein-init: %s", tags[level]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2; /* truncated: still end the line */
	line[n++] = '\n';
	/* One write keeps lines whole when services share stderr. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
	errno = saved;
}

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
