/* SPDX-License-Identifier: MIT */
/* klein-svc: passing listening fds over a unix socket and installing them as LISTEN_FDS. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "openfile.h"

#include "lib/values.h"

#define DEFAULT_WAIT_USEC (90ULL * 1000000ULL)

int
fdpass_send(int sock, const int *fds, size_t n, const char *text)
{
	if (n > FDPASS_MAX_FDS)
		return -E2BIG;
	size_t clen = CMSG_SPACE(sizeof(int) * (n ? n : 1));
	char *cbuf = xmalloc(clen);
	memset(cbuf, 0, clen);
	char *copy = xstrdup(text); /* iovec wants a mutable pointer */
	struct iovec iov = { .iov_base = copy, .iov_len = strlen(text) + 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n > 0) {
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	ssize_t r = sendmsg(sock, &m, MSG_NOSIGNAL);
	free(cbuf);
	free(copy);
	return r < 0 ? -errno : 0;
}

static int
recv_fds(int sock, int *fds, size_t *n, char *text)
{
	size_t clen = CMSG_SPACE(sizeof(int) * FDPASS_MAX_FDS);
	char *cbuf = xmalloc(clen);
	struct iovec iov = { .iov_base = text, .iov_len = FDPASS_MAX_TEXT - 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = clen
	};
	ssize_t got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	int r = got < 0 ? -errno : 0;
	*n = 0;
	if (r == 0) {
		text[got] = '\0';
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				memcpy(fds + *n, CMSG_DATA(c), k * sizeof(int));
				*n += k;
			}
		if (got == 0 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
			r = -EBADMSG;
	}
	free(cbuf);
	if (r < 0)
		for (size_t i = 0; i < *n; i++)
			close(fds[i]);
	return r;
}

int
fdpass_fetch(const char *path, uint64_t timeout_usec, int *fds, size_t *n, char *text)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	strcpy(un.sun_path, path);
	uint64_t deadline = now_usec() + timeout_usec;
	for (;;) {
		int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (sock < 0)
			return -errno;
		if (connect(sock, (struct sockaddr *)&un, sizeof(un)) == 0) {
			int r = recv_fds(sock, fds, n, text);
			close(sock);
			return r;
		}
		int err = errno;
		close(sock);
		/* The holder (NAME.socket) starts alongside the service: wait for it. */
		if (err != ENOENT && err != ECONNREFUSED)
			return -err;
		if (timeout_usec != UINT64_MAX && now_usec() >= deadline)
			return -ETIMEDOUT;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int
fds_move_to_3(int *fds, size_t n)
{
	/* First out of the way (above 3+n), then down into place: no fd clobbers another. */
	for (size_t i = 0; i < n; i++) {
		int t = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + (int)n);
		if (t < 0)
			return -errno;
		close(fds[i]);
		fds[i] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (dup2(fds[i], 3 + (int)i) < 0)
			return -errno;
		close(fds[i]);
		fds[i] = 3 + (int)i;
	}
	return 0;
}

int
sockets_timeout_parse(const char *arg, uint64_t *ret_usec)
{
	int r = parse_time_usec(arg, 1000000, ret_usec);
	if (r < 0) {
		log_error("invalid time span in '--sockets-timeout %s'", arg);
		return r;
	}
	if (*ret_usec == 0)
		*ret_usec = UINT64_MAX;
	return 0;
}

/* LISTEN_FDS a parent (klein-svc accept) left for this very process: they
 * stay in front (3..) and keep their names. The number of them, or 0. */
static size_t
inherited_fds(const struct strv *env, int *fds, char **names)
{
	const char *pid = env_get(env, "LISTEN_PID", 10), *nfds = env_get(env, "LISTEN_FDS", 10);
	const char *fdnames = env_get(env, "LISTEN_FDNAMES", 14);
	long v, n;
	if (!pid || !nfds || parse_int(pid, 1, INT32_MAX, &v) < 0 || v != (long)getpid() ||
	    parse_int(nfds, 0, FDPASS_MAX_FDS, &n) < 0)
		return 0;
	for (long i = 0; i < n; i++)
		fds[i] = 3 + (int)i;
	free(*names);
	*names = xstrdup(fdnames ? fdnames : "");
	return (size_t)n;
}

int
fds_install(const struct strv *paths, uint64_t timeout_usec, const struct strv *open_files,
	    struct strv *env)
{
	if (timeout_usec == 0)
		timeout_usec = DEFAULT_WAIT_USEC;
	int *fds = xmalloc(sizeof(int) * FDPASS_MAX_FDS);
	char *text = xmalloc(FDPASS_MAX_TEXT), *names = xstrdup("");
	size_t total = paths->n ? 0 : inherited_fds(env, fds, &names);
	int r = 0;
	for (size_t i = 0; i < paths->n && r == 0; i++) {
		size_t got = 0;
		int tmp[FDPASS_MAX_FDS];
		r = fdpass_fetch(paths->v[i], timeout_usec, tmp, &got, text);
		if (r < 0) {
			log_error("cannot get the listening sockets from %s: %s", paths->v[i],
				  strerror(-r));
			break;
		}
		if (total + got > FDPASS_MAX_FDS) {
			for (size_t k = 0; k < got; k++)
				close(tmp[k]);
			log_error("more than %d listening sockets", FDPASS_MAX_FDS);
			r = -E2BIG;
			break;
		}
		memcpy(fds + total, tmp, got * sizeof(int));
		total += got;
		char *joined = xstrjoin3(names, *names && *text ? ":" : "", text);
		free(names);
		names = joined;
	}
	/* OpenFile= after the sockets, as systemd appends them (opened as root). */
	if (r == 0 && open_files->n &&
	    (r = open_files_collect(open_files, fds, &total, FDPASS_MAX_FDS, &names)) < 0)
		r = -ENOEXEC;
	if (r == 0 && (r = fds_move_to_3(fds, total)) < 0)
		log_error("cannot move the passed file descriptors to fd 3: %s", strerror(-r));
	if (r == 0 && total) {
		char buf[64];
		snprintf(buf, sizeof(buf), "LISTEN_FDS=%zu", total);
		env_set(env, xstrdup(buf));
		snprintf(buf, sizeof(buf), "LISTEN_PID=%d", (int)getpid());
		env_set(env, xstrdup(buf));
		env_set(env, xstrjoin3("LISTEN_FDNAMES=", names, NULL));
	}
	free(names);
	free(text);
	free(fds);
	return r;
}
