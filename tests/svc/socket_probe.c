/* SPDX-License-Identifier: MIT */
/* Test daemon for socket activation: reports what it was passed, then serves the sockets. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Appends one JSON line to $PROBE_OUT: pid, LISTEN_* and REMOTE_* and
 * KLEIN_INSTANCE, and for each fd 3.. of LISTEN_FDS its kind, family, type,
 * bound address, flags, socket options and, for a unix path or FIFO, the
 * node's owner and mode. Then, for Accept=no (names other than
 * "connection"), accepts on every listening stream socket and answers
 * "pid PID\n"; for Accept=yes writes "pid PID instance NAME\n" to fd 3 and
 * holds the connection until the peer closes it.
 */

static int
opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, level, name, &v, &l) < 0)
		return -1;
	return v;
}

static void
json_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "\"%s\":", key);
	if (!v) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	fputc('"', f);
}

static void
node(FILE *f, const char *path)
{
	struct stat st;
	if (path && stat(path, &st) == 0)
		fprintf(f, ",\"uid\":%u,\"gid\":%u,\"mode\":\"%04o\"", (unsigned)st.st_uid,
			(unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
}

static void
address(FILE *f, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	char buf[256] = "";
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
		fprintf(f, ",\"family\":\"inet\",\"addr\":\"%s:%u\"", buf, ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
		fprintf(f, ",\"family\":\"inet6\",\"addr\":\"[%s]:%u\",\"v6only\":%d", buf,
			ntohs(in6->sin6_port), opt(fd, IPPROTO_IPV6, IPV6_V6ONLY));
	} else if (ss->ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)ss;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);
		fputs(",\"family\":\"unix\",", f);
		if (n > 0 && un->sun_path[0] == '\0') {
			memcpy(buf + 1, un->sun_path + 1, n - 1);
			buf[0] = '@';
			buf[n] = '\0';
			json_str(f, "addr", buf);
		} else {
			json_str(f, "addr", un->sun_path);
			node(f, un->sun_path);
		}
	} else
		fprintf(f, ",\"family\":%d", ss->ss_family);
}

static void
describe(FILE *f, int fd)
{
	struct stat st;
	fprintf(f, "{\"fd\":%d,\"nonblock\":%d,\"cloexec\":%d", fd,
		(fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	if (fstat(fd, &st) < 0) {
		fputs(",\"kind\":\"closed\"}", f);
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		char link[64], path[4096];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = '\0';
		fprintf(f, ",\"kind\":\"%s\",", S_ISFIFO(st.st_mode) ? "fifo" : "file");
		json_str(f, "path", path);
		fprintf(f, ",\"accmode\":%d", fcntl(fd, F_GETFL) & O_ACCMODE);
		node(f, S_ISFIFO(st.st_mode) ? path : NULL);
		fputc('}', f);
		return;
	}
	int type = opt(fd, SOL_SOCKET, SO_TYPE);
	fprintf(f, ",\"kind\":\"socket\",\"type\":\"%s\"",
		type == SOCK_STREAM  ? "stream"
		: type == SOCK_DGRAM ? "dgram"
				     : "seqpacket");
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		address(f, fd, &ss, len);
	fprintf(f,
		",\"listening\":%d,\"reuseaddr\":%d,\"reuseport\":%d,\"keepalive\":%d,"
		"\"passcred\":%d,\"rcvbuf\":%d,\"sndbuf\":%d",
		opt(fd, SOL_SOCKET, SO_ACCEPTCONN), opt(fd, SOL_SOCKET, SO_REUSEADDR),
		opt(fd, SOL_SOCKET, SO_REUSEPORT), opt(fd, SOL_SOCKET, SO_KEEPALIVE),
		opt(fd, SOL_SOCKET, SO_PASSCRED), opt(fd, SOL_SOCKET, SO_RCVBUF),
		opt(fd, SOL_SOCKET, SO_SNDBUF));
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		fprintf(f, ",\"nodelay\":%d,\"keepidle\":%d", opt(fd, IPPROTO_TCP, TCP_NODELAY),
			opt(fd, IPPROTO_TCP, TCP_KEEPIDLE));
	fputc('}', f);
}

static int
report(int nfds)
{
	const char *out = getenv("PROBE_OUT");
	FILE *f = out ? fopen(out, "a") : NULL;
	if (!f)
		return -1;
	fprintf(f, "{\"pid\":%d,", (int)getpid());
	const char *keys[] = { "LISTEN_FDS",  "LISTEN_PID",  "LISTEN_FDNAMES",
			       "REMOTE_ADDR", "REMOTE_PORT", "KLEIN_INSTANCE" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_str(f, keys[i], getenv(keys[i]));
		fputc(',', f);
	}
	fputs("\"fds\":[", f);
	for (int i = 0; i < nfds; i++) {
		if (i)
			fputc(',', f);
		describe(f, 3 + i);
	}
	fputs("]}\n", f);
	return fclose(f);
}

static void
serve(int nfds)
{
	struct pollfd p[64];
	int n = 0;
	for (int i = 0; i < nfds && n < 64; i++)
		if (opt(3 + i, SOL_SOCKET, SO_ACCEPTCONN) == 1)
			p[n++] = (struct pollfd){ .fd = 3 + i, .events = POLLIN };
	char msg[64];
	int len = snprintf(msg, sizeof(msg), "pid %d\n", (int)getpid());
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			return;
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			int c = accept(p[i].fd, NULL, NULL);
			if (c >= 0) {
				(void)!write(c, msg, (size_t)len);
				close(c);
			}
		}
	}
}

int
main(void)
{
	const char *fds = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
	int nfds = fds ? atoi(fds) : 0;
	if (report(nfds) < 0)
		return 1;
	if (names && strcmp(names, "connection") == 0) {
		const char *inst = getenv("KLEIN_INSTANCE");
		dprintf(3, "pid %d instance %s\n", (int)getpid(), inst ? inst : "");
		char buf[256];
		while (read(3, buf, sizeof(buf)) > 0)
			;
		return 0;
	}
	if (getenv("PROBE_EXIT"))
		return 0;
	serve(nfds);
	return 0;
}
