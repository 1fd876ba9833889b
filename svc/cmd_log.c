/* SPDX-License-Identifier: MIT */
/* klein-svc log: a service's output to the container's output, tagged, and to a bounded file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

#define LINE_MAX_BYTES 4096 /* a longer line is cut into pieces, as svlogd does */

struct logfile {
	char path[4096], old[4100];
	int fd;
	unsigned long long size, max;
};

static void
logfile_open(struct logfile *l)
{
	struct stat st;
	l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	l->size = l->fd >= 0 && fstat(l->fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/* Keeps at most max bytes in PATH and max in PATH.1 (journalctl reads both). */
static void
logfile_write(struct logfile *l, const char *line, size_t n)
{
	char stamp[64];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t k = strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H:%M:%S", &tm);
	snprintf(stamp + k, sizeof(stamp) - k, ".%05ld ", (long)tv.tv_usec / 10);
	k = strlen(stamp);
	if (l->fd >= 0 && l->size + k + n + 1 > l->max && l->size > 0) {
		close(l->fd);
		(void)rename(l->path, l->old); /* on failure the file is reopened and grows */
		logfile_open(l);
	}
	if (l->fd < 0)
		return; /* the container's output still gets the line */
	struct piece {
		const void *b;
		size_t n;
	} parts[3] = { { stamp, k }, { line, n }, { "\n", 1 } };
	for (size_t i = 0; i < 3; i++)
		if (write(l->fd, parts[i].b, parts[i].n) == (ssize_t)parts[i].n)
			l->size += parts[i].n;
}

static void
emit(struct logfile *l, const char *prefix, const char *line, size_t n)
{
	/* stdout is the container's output: a failed write there loses nothing else. */
	if (fputs(prefix, stdout) == EOF || fwrite(line, 1, n, stdout) != n || putchar('\n') == EOF)
		clearerr(stdout);
	fflush(stdout);
	logfile_write(l, line, n);
}

/* mkdir -p DIR (a fresh /run has no /run/klein); failures show at open. */
static void
mkdir_parents(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/", dir);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
}

static int
usage(void)
{
	fputs("usage: klein-svc log [--dir DIR] [--max-size BYTES] NAME\n", stderr);
	return SVC_EXIT_USAGE;
}

int
cmd_log(int argc, char **argv)
{
	static const struct option opts[] = { { "dir", required_argument, NULL, 'd' },
					      { "max-size", required_argument, NULL, 's' },
					      { NULL, 0, NULL, 0 } };
	const char *dir = getenv("KLEIN_LOG_DIR");
	long max = 1024 * 1024;
	int c;
	if (!dir || !*dir)
		dir = "/run/klein/log";
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c != 's' || parse_int(optarg, 1024, 1L << 30, &max) < 0)
			return usage();
	}
	if (optind + 1 != argc)
		return usage();
	/* The porter writes `exec klein-svc log NAME` for every unit name it converts:
	 * only names that are not one file name are refused. */
	const char *name = argv[optind];
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return usage();
	struct logfile l = { .max = (unsigned long long)max };
	snprintf(l.path, sizeof(l.path), "%s/%s", dir, name);
	snprintf(l.old, sizeof(l.old), "%s.1", l.path);
	mkdir_parents(dir);
	logfile_open(&l);
	if (l.fd < 0)
		log_error("cannot write %s: %s (output goes to stdout only)", l.path,
			  strerror(errno));
	char *prefix = xstrjoin3(name, ": ", NULL), buf[LINE_MAX_BYTES];
	size_t n = 0;
	for (int ch; (ch = getchar()) != EOF;) {
		if (ch == '\n' || n == sizeof(buf)) {
			emit(&l, prefix, buf, n);
			n = 0;
		}
		if (ch != '\n')
			buf[n++] = (char)ch;
	}
	if (n)
		emit(&l, prefix, buf, n);
	free(prefix);
	if (l.fd >= 0)
		close(l.fd);
	return 0;
}
