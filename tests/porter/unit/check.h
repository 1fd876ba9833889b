/* SPDX-License-Identifier: MIT */
/* check: a tiny test harness. CHECK() records a failure and goes on;
 * check_done() prints "N passed, M failed" and gives the exit status. */
#ifndef KLEIN_TESTS_CHECK_H
#define KLEIN_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (cond)                                                             \
			check_passed++;                                               \
		else {                                                                \
			check_failed++;                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
				#cond);                                               \
		}                                                                     \
	} while (0)

/* String equality that prints both sides on failure. */
#define CHECK_STR(a, b)                                                               \
	do {                                                                          \
		const char *check_a_ = (a), *check_b_ = (b);                          \
		if (check_a_ && check_b_ && !strcmp(check_a_, check_b_))              \
			check_passed++;                                               \
		else {                                                                \
			check_failed++;                                               \
			fprintf(stderr, "%s:%d: check failed: %s == %s (\"%s\" vs \"%s\")\n", \
				__FILE__, __LINE__, #a, #b, check_a_ ? check_a_ : "(null)", \
				check_b_ ? check_b_ : "(null)");                      \
		}                                                                     \
	} while (0)

static inline int
check_done(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
