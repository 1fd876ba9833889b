/* SPDX-License-Identifier: MIT */
/* Test helper: sends an sd_notify(3) datagram to $NOTIFY_SOCKET the way libsystemd does. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* usage: notify_helper MESSAGE  ("\n" in MESSAGE is sent as a newline).
 * NOTIFY_HELPER_FULL_ADDRLEN=1: send to an abstract name with the address
 * length sizeof(struct sockaddr_un), the NUL-padded name, as OpenSSH's own
 * sd_notify (9.8 and later, Debian 13's sshd) does. */
int
main(int argc, char **argv)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[4096];
	size_t n = 0;

	if (argc != 2 || !e || !*e || strlen(e) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "notify_helper: NOTIFY_SOCKET unset or bad usage\n");
		return 2;
	}
	for (const char *p = argv[1]; *p && n < sizeof(msg) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			msg[n++] = '\n';
			p++;
		} else
			msg[n++] = *p;
	}
	memcpy(sa.sun_path, e, strlen(e));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(e));
	const char *full = getenv("NOTIFY_HELPER_FULL_ADDRLEN");
	if (e[0] == '@') {
		sa.sun_path[0] = '\0';
		if (full && strcmp(full, "1") == 0)
			len = sizeof(sa);
	} else
		len++;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct iovec iov = { .iov_base = msg, .iov_len = n };
	/* libsystemd attaches credentials only when they differ; send them
	 * explicitly so the receiver's SCM_CREDENTIALS path is exercised. */
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct msghdr mh = { .msg_name = &sa,
			     .msg_namelen = len,
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = &control,
			     .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct ucred uc = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(c), &uc, sizeof(uc));
	if (fd < 0 || sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
		perror("notify_helper: sendmsg");
		return 1;
	}
	return 0;
}
