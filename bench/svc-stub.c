/* SPDX-License-Identifier: MIT */
/* svc-stub: the benchmark's runit service; marks "up", then waits for TERM. */

/*
 * Usage: svc-stub MARKDIR NAME [--ignore-term]
 *
 * On start it creates MARKDIR/NAME.up, so the bench knows every service is
 * running before it measures anything. On SIGTERM it creates MARKDIR/NAME.term
 * and exits 0, so the bench can count the services that were stopped
 * gracefully rather than SIGKILLed by the namespace teardown. With
 * --ignore-term it never exits on TERM (the "stubborn service" case); only
 * SIGKILL ends it. It uses sigwaitinfo() with the signals blocked, so no
 * handler races and no sleep child is left behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
touch_mark(const char *dir, const char *name, const char *suffix)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s.%s", dir, name, suffix);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	sigset_t set;
	int ignore_term;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--ignore-term") != 0)) {
		fprintf(stderr, "usage: svc-stub MARKDIR NAME [--ignore-term]\n");
		return 2;
	}
	ignore_term = argc == 4;

	/* runsv sends TERM then CONT on "down"; both must be waited for, not
	 * acted on by default dispositions. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
		perror("svc-stub: sigprocmask");
		return 1;
	}
	int rc = touch_mark(argv[1], argv[2], "up");

	if (rc < 0) {
		fprintf(stderr, "svc-stub: %s/%s.up: %s\n", argv[1], argv[2], strerror(-rc));
		return 1;
	}
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);

		if (sig < 0)
			continue;
		if ((sig == SIGTERM || sig == SIGINT) && !ignore_term) {
			(void)touch_mark(argv[1], argv[2], "term");
			return 0;
		}
	}
}
