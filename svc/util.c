/* SPDX-License-Identifier: MIT */
/* klein-svc: file helpers, number parsing, the clock and error messages. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int
read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*ret_buf = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int
write_file_atomic(const char *path, const char *text)
{
	char *tmp = xstrjoin3(path, ".tmp", NULL);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = -errno;
		free(tmp);
		return e;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			(void)unlink(tmp);
			free(tmp);
			return e;
		}
		off += (size_t)w;
	}
	int r = 0;
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		(void)unlink(tmp);
	}
	free(tmp);
	return r;
}

int
parse_int(const char *s, long min, long max, long *ret)
{
	char *end;
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno == ERANGE || (errno == 0 && *end == '\0' && (v < min || v > max)))
		return -ERANGE;
	if (errno || *end != '\0' || end == s)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
parse_pid(const char *s, int *ret)
{
	long v;
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	if (parse_int(s, 1, INT_MAX, &v) < 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

uint64_t
now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
log_error(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write(2) so lines from parallel processes do not interleave. */
	char line[1100];
	int m = snprintf(line, sizeof(line), "klein-svc: %.*s", n, buf);
	if (m > 0)
		(void)!write(2, line, (size_t)m < sizeof(line) ? (size_t)m : sizeof(line) - 1);
}

int
signalfd_block(const int *signals)
{
	sigset_t set;
	sigemptyset(&set);
	for (; *signals; signals++)
		sigaddset(&set, *signals);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}
