/* SPDX-License-Identifier: MIT */
/* check: the one check harness of every C test under tests/.
 *
 * A test program includes "check.h" (its target has ${PROJECT_SOURCE_DIR}/tests
 * among its include directories), makes any number of checks, and ends main()
 * with `return check_done();`.
 *
 *   CHECK(cond)          passes when cond is true
 *   CHECK_STR_EQ(a, b)   passes when both strings are non-NULL and equal;
 *                        a NULL on either side is a failure, never a crash
 *   CHECK_INT_EQ(a, b)   passes when a == b, both compared as long long
 *   RUN(test_fn)         calls test_fn() (names the test functions in main)
 *   check_done()         prints "N passed, M failed" on stdout (the line CI
 *                        reads) and returns the exit status: 0, or 1 after
 *                        any failure
 *
 * A failed check does not stop the test: it prints "FILE:LINE: check failed:"
 * with the expression (and both values for the _EQ forms) on stderr, and the
 * test goes on so that one run reports every failure. Each argument is
 * evaluated exactly once. A failure outside any check (say, a cleanup that
 * did not work) may be recorded with check_failed++; it is not counted as a
 * check. */
#ifndef KLEIN_TESTS_CHECK_H
#define KLEIN_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond)                                                                          \
			check_passed++;                                                            \
		else {                                                                             \
			check_failed++;                                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
	do {                                                                                       \
		const char *check_a_ = (a), *check_b_ = (b);                                       \
		if (check_a_ && check_b_ && !strcmp(check_a_, check_b_))                           \
			check_passed++;                                                            \
		else {                                                                             \
			check_failed++;                                                            \
			fprintf(stderr, "%s:%d: check failed: %s == %s (\"%s\" vs \"%s\")\n",      \
				__FILE__, __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",        \
				check_b_ ? check_b_ : "(null)");                                   \
		}                                                                                  \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                                         \
	do {                                                                                       \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
		if (check_a_ == check_b_)                                                          \
			check_passed++;                                                            \
		else {                                                                             \
			check_failed++;                                                            \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%lld vs %lld)\n",          \
				__FILE__, __LINE__, #a, #b, check_a_, check_b_);                   \
		}                                                                                  \
	} while (0)

#define RUN(test_fn) test_fn()

static inline int
check_done(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
