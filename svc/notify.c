/* SPDX-License-Identifier: MIT */
/* klein-svc: the sd_notify(3) datagram protocol (NOTIFY_SOCKET). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "util.h"

static bool
line_is(const char *line, size_t len, const char *kv)
{
	return strlen(kv) == len && memcmp(line, kv, len) == 0;
}

static bool
line_value(const char *line, size_t len, const char *key, const char **val, size_t *vlen)
{
	size_t k = strlen(key);
	if (len < k || memcmp(line, key, k) != 0)
		return false;
	*val = line + k;
	*vlen = len - k;
	return true;
}

static long
parse_num(const char *v, size_t n)
{
	char buf[32];
	long r;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9' || parse_int(buf, 0, 0x7fffffff, &r) < 0)
		return -1;
	return r;
}

/* MONOTONIC_USEC= is a 64-bit count: digits only, 0 when malformed. */
static uint64_t
parse_usec(const char *v, size_t n)
{
	uint64_t r = 0;
	if (n == 0 || n > 19)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		r = r * 10 + (uint64_t)(v[i] - '0');
	}
	return r;
}

void
notify_parse(const char *buf, size_t len, struct notify_msg *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->errno_value = -1;
	for (size_t i = 0; i < len;) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t l = nl ? (size_t)(nl - line) : len - i;
		const char *v;
		size_t vl;
		long n;
		i += l + 1;
		if (line_is(line, l, "READY=1"))
			ret->ready = true;
		else if (line_is(line, l, "STOPPING=1"))
			ret->stopping = true;
		else if (line_is(line, l, "RELOADING=1"))
			ret->reloading = true;
		else if (line_value(line, l, "MAINPID=", &v, &vl)) {
			n = parse_num(v, vl);
			ret->mainpid = n > 0 ? (pid_t)n : 0;
		} else if (line_value(line, l, "MONOTONIC_USEC=", &v, &vl)) {
			ret->monotonic_usec = parse_usec(v, vl);
		} else if (line_value(line, l, "ERRNO=", &v, &vl)) {
			n = parse_num(v, vl);
			ret->errno_value = n >= 0 ? (int)n : -1;
		} else if (line_value(line, l, "STATUS=", &v, &vl)) {
			if (vl >= sizeof(ret->status))
				vl = sizeof(ret->status) - 1;
			memcpy(ret->status, v, vl);
			ret->status[vl] = '\0';
			ret->has_status = true;
		}
	}
}

int
notify_open(const char *arg, bool padded)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(arg);
	socklen_t salen;
	int one = 1;

	if (n == 0 || n >= sizeof(sa.sun_path) || (padded && arg[0] != '@'))
		return -EINVAL;
	memcpy(sa.sun_path, arg, n);
	if (arg[0] == '@') {
		/* Abstract namespace: a leading NUL, no terminator (as sd_notify). */
		sa.sun_path[0] = '\0';
		salen = padded ? (socklen_t)sizeof(sa)
			       : (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (arg[0] != '@')
		(void)unlink(arg);
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    (arg[0] != '@' && chmod(arg, 0777) < 0)) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int
notify_receive(int fd, char *buf, size_t len, pid_t *ret_sender)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 253)];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &control,
		.msg_controllen = sizeof(control),
	};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	*ret_sender = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			/* sd_pid_notify_with_fds(): we keep no fd store, close them. */
			size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *fds = (int *)(void *)CMSG_DATA(c);
			for (size_t i = 0; i < nfd; i++)
				close(fds[i]);
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			*ret_sender = uc.pid;
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EMSGSIZE;
	buf[n] = '\0';
	return (int)n;
}
