/* SPDX-License-Identifier: MIT */
/* klein-svc unit tests: a minimal check harness (file:line on failure). */
#ifndef KLEIN_SVC_CHECK_H
#define KLEIN_SVC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed, check_passed;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (cond)                                                              \
			check_passed++;                                                \
		else {                                                                 \
			check_failed++;                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                      \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                              \
	do {                                                                            \
		const char *a_ = (a), *b_ = (b);                                        \
		if (a_ && b_ && strcmp(a_, b_) == 0)                                    \
			check_passed++;                                                 \
		else {                                                                  \
			check_failed++;                                                 \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__,    \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");                \
		}                                                                       \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                              \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                     \
		if (a_ == b_)                                                           \
			check_passed++;                                                 \
		else {                                                                  \
			check_failed++;                                                 \
			fprintf(stderr, "%s:%d: %lld != %lld (%s)\n", __FILE__, __LINE__, a_, b_, #a); \
		}                                                                       \
	} while (0)

#define RUN(fn) fn()

#define CHECK_DONE()                                                                    \
	(fprintf(stderr, "%d passed, %d failed\n", check_passed, check_failed), check_failed ? 1 : 0)

#endif
