/* SPDX-License-Identifier: MIT */
/* check.h itself: counts, exit status, the file:line failure lines and the
 * final "N passed, M failed" line, checked on a child that runs known checks. */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* Two checks of each kind, one that passes and one that fails, then a NULL
 * string, which fails rather than crashes: 3 passed, 4 failed. */
static void
scripted_checks(void)
{
	const char *none = NULL;
	int n = 0;

	CHECK(1 + 1 == 2);
	CHECK(1 + 1 == 3);
	CHECK_STR_EQ("abc", "abc");
	CHECK_STR_EQ("abc", "abd");
	CHECK_INT_EQ(n++, 0); /* evaluated once: n is 1 after it */
	CHECK_INT_EQ(n, 7);
	CHECK_STR_EQ(none, "x");
}

/* Runs FN in a child with stdout and stderr in OUT; returns its wait status. */
static int
run_child(void (*fn)(void), char *out, size_t size)
{
	int fds[2], status = -1;
	size_t n = 0;

	if (pipe(fds) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		/* The child starts from the parent's counts: its own only. */
		check_passed = check_failed = 0;
		fn();
		int rc = check_done();
		fflush(NULL);
		_exit(rc);
	}
	close(fds[1]);
	for (ssize_t r; pid > 0 && (r = read(fds[0], out + n, size - 1 - n)) > 0;)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

/* True when OUT has the line "FILE:LINE: check failed: MESSAGE" with FILE
 * this source and LINE one that holds CALL. */
static bool
reported_at(const char *out, const char *message, const char *call)
{
	char needle[256], file[512], text[512];
	unsigned line = 0;

	snprintf(needle, sizeof(needle), ": check failed: %s\n", message);
	const char *hit = strstr(out, needle);
	if (!hit)
		return false;
	const char *start = hit;
	while (start > out && start[-1] != '\n')
		start--;
	const char *colon = hit;
	while (colon > start && colon[-1] != ':')
		colon--;
	if (colon == start || (size_t)(colon - 1 - start) >= sizeof(file))
		return false;
	memcpy(file, start, (size_t)(colon - 1 - start));
	file[colon - 1 - start] = '\0';
	if (strcmp(file, __FILE__) != 0 || sscanf(colon, "%u", &line) != 1)
		return false;
	FILE *f = fopen(file, "r");
	if (!f)
		return false;
	for (unsigned i = 0; i < line && fgets(text, sizeof(text), f); i++)
		;
	fclose(f);
	return line > 0 && strstr(text, call) != NULL;
}

static void
passing_checks(void)
{
	CHECK(1);
	CHECK_STR_EQ("", "");
	CHECK_INT_EQ(-1, -1L);
}

int
main(void)
{
	static char out[8192];

	int status = run_child(scripted_checks, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CHECK(strstr(out, "3 passed, 4 failed\n") != NULL);
	CHECK(reported_at(out, "1 + 1 == 3", "CHECK(1 + 1 == 3);"));
	CHECK(reported_at(out, "\"abc\" == \"abd\" (\"abc\" vs \"abd\")",
			  "CHECK_STR_EQ(\"abc\", \"abd\");"));
	CHECK(reported_at(out, "n == 7 (1 vs 7)", "CHECK_INT_EQ(n, 7);"));
	CHECK(reported_at(out, "none == \"x\" (\"(null)\" vs \"x\")",
			  "CHECK_STR_EQ(none, \"x\");"));
	/* Passing checks print nothing but the final line. */
	CHECK(strstr(out, "1 + 1 == 2") == NULL && strstr(out, "n++") == NULL);

	status = run_child(passing_checks, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_STR_EQ(out, "3 passed, 0 failed\n");
	/* check_done()'s status is under test too: do not rely on it alone. */
	int rc = check_done();
	return rc != 0 || check_failed != 0;
}
