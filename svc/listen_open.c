/* SPDX-License-Identifier: MIT */
/* klein-svc: opens a socket unit's ports as systemd 252 does (socket_address_listen & co). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

#include "lib/pwdb.h"

/* The unix socket path of a port, or NULL (IP, vsock, abstract). */
static const char *
socket_path(const struct listen_port *p)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&p->addr.sa;
	if (p->kind != PORT_SOCKET)
		return p->kind == PORT_FIFO ? p->path : NULL;
	if (un->sun_family != AF_UNIX || un->sun_path[0] == '\0')
		return NULL;
	return un->sun_path;
}

/* systemd's mkdir_parents(): every missing parent of path, with mode. */
static void
mkdir_parents(const char *path, mode_t mode)
{
	char *copy = xstrdup(path);
	for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		(void)mkdir(copy, mode);
		*p = '/';
	}
	free(copy);
}

static void
set_int(int fd, int level, int opt, int v, const char *what)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) < 0)
		fprintf(stderr, "klein-svc: warning: %s failed: %s\n", what, strerror(errno));
}

/* systemd's fd_set_rcvbuf()/fd_set_sndbuf(): the plain option, then the
 * privileged FORCE variant when the kernel kept less than asked. */
static void
set_buffer(int fd, int opt, int force, uint64_t n)
{
	int v = n > INT32_MAX / 2 ? INT32_MAX / 2 : (int)n, got = 0;
	socklen_t l = sizeof(got);
	if (setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, opt, &got, &l) == 0 && got >= 2 * v)
		return;
	(void)setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v));
}

/* socket_apply_socket_options(): after bind and listen, warnings only. */
static void
apply_options(const struct listen_spec *s, int fd, int family)
{
	if (s->keep_alive)
		set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
	if (s->keep_alive_time)
		set_int(fd, SOL_TCP, TCP_KEEPIDLE, (int)(s->keep_alive_time / 1000000),
			"TCP_KEEPIDLE");
	if (s->keep_alive_interval)
		set_int(fd, SOL_TCP, TCP_KEEPINTVL, (int)(s->keep_alive_interval / 1000000),
			"TCP_KEEPINTVL");
	if (s->keep_alive_probes > 0)
		set_int(fd, SOL_TCP, TCP_KEEPCNT, s->keep_alive_probes, "TCP_KEEPCNT");
	if (s->defer_accept)
		set_int(fd, SOL_TCP, TCP_DEFER_ACCEPT, (int)(s->defer_accept / 1000000),
			"TCP_DEFER_ACCEPT");
	if (s->no_delay)
		set_int(fd, SOL_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	if (s->broadcast)
		set_int(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
	if (s->pass_cred)
		set_int(fd, SOL_SOCKET, SO_PASSCRED, 1, "SO_PASSCRED");
	if (s->pass_sec)
		set_int(fd, SOL_SOCKET, SO_PASSSEC, 1, "SO_PASSSEC");
	if (s->pass_pktinfo && family == AF_INET)
		set_int(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
	if (s->pass_pktinfo && family == AF_INET6)
		set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
	if (s->timestamping != TSTAMP_OFF)
		set_int(fd, SOL_SOCKET,
			s->timestamping == TSTAMP_NS ? SO_TIMESTAMPNS : SO_TIMESTAMP, 1,
			"timestamping");
	if (s->priority >= 0)
		set_int(fd, SOL_SOCKET, SO_PRIORITY, s->priority, "SO_PRIORITY");
	if (s->receive_buffer)
		set_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, s->receive_buffer);
	if (s->send_buffer)
		set_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, s->send_buffer);
	if (s->mark >= 0)
		set_int(fd, SOL_SOCKET, SO_MARK, s->mark, "SO_MARK");
	if (s->ip_tos >= 0)
		set_int(fd, IPPROTO_IP, IP_TOS, s->ip_tos, "IP_TOS");
	if (s->ip_ttl >= 0)
		set_int(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
			family == AF_INET6 ? IPV6_UNICAST_HOPS : IP_TTL, s->ip_ttl, "IP_TTL");
}

/* The options socket_address_listen() sets before bind. */
static int
pre_bind(const struct listen_spec *s, int fd, int family)
{
	int one = 1;
	if (family == AF_INET6 && s->bind_ipv6_only != BIND_V6_DEFAULT) {
		int v = s->bind_ipv6_only == BIND_V6_ONLY;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)) < 0)
			return -errno;
	}
	if (family == AF_INET || family == AF_INET6) {
		if (s->bind_to_device &&
		    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->bind_to_device,
			       (socklen_t)strlen(s->bind_to_device) + 1) < 0)
			return -errno;
		if (s->reuse_port &&
		    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
			return -errno;
		if (s->free_bind) {
			if (family == AF_INET6)
				(void)setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one,
						 sizeof(one));
			else
				(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		}
		if (s->transparent) {
			int r = family == AF_INET6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_TRANSPARENT,
								&one, sizeof(one))
						   : setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT,
								&one, sizeof(one));
			if (r < 0)
				return -errno;
		}
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

/* bind(); for a unix path the node gets SocketMode= exactly and a stale one
 * (anything in the way) is unlinked once and the bind retried. */
static int
do_bind(const struct listen_spec *s, int fd, const struct sock_addr *a, const char *path)
{
	if (!path)
		return bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 ? -errno : 0;
	mkdir_parents(path, s->directory_mode);
	mode_t old = umask(~s->socket_mode & 0777);
	int r = bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 ? -errno : 0;
	if (r == -EADDRINUSE && unlink(path) == 0)
		r = bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 ? -errno : 0;
	umask(old);
	return r;
}

static int
open_socket(const struct listen_spec *s, struct listen_port *p)
{
	int family = p->addr.sa.ss_family;
	const char *path = socket_path(p);
	int fd = socket(family, p->addr.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int r = pre_bind(s, fd, family);
	if (r == 0)
		r = do_bind(s, fd, &p->addr, path);
	if (r == 0 && p->addr.type != SOCK_DGRAM && listen(fd, s->backlog) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	/* systemd touches the node so inotify watchers see the socket is ready. */
	if (path)
		(void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
	apply_options(s, fd, family);
	return fd;
}

/* fifo_address_create(): an existing FIFO must already have our mode and owner. */
static int
open_fifo(const struct listen_spec *s, const char *path)
{
	mkdir_parents(path, s->directory_mode);
	mode_t old = umask(~s->socket_mode & 0777);
	int r = mkfifo(path, s->socket_mode);
	umask(old);
	if (r < 0 && errno != EEXIST)
		return -errno;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) ||
	    (st.st_mode & 0777) != (s->socket_mode & 0777) || st.st_uid != getuid() ||
	    st.st_gid != getgid()) {
		close(fd);
		return -EEXIST;
	}
	if (s->pipe_size && fcntl(fd, F_SETPIPE_SZ, (int)s->pipe_size) < 0)
		fprintf(stderr, "klein-svc: warning: setting the pipe size failed: %s\n",
			strerror(errno));
	return fd;
}

/* special_address_create(): a regular file or a character device. */
static int
open_special(const struct listen_spec *s, const char *path)
{
	int fd = open(path, (s->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				    O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))) {
		close(fd);
		return -EEXIST;
	}
	return fd;
}

static char *
db_text(const char *name)
{
	const char *root = getenv("KLEIN_SVC_ROOT");
	char *path = xstrjoin3(root && *root ? root : "", "/etc/", name), *text = NULL;
	if (read_file(path, &text, NULL) < 0)
		text = NULL;
	free(path);
	return text;
}

/* socket_chown(): SocketUser= gives its uid and primary gid, SocketGroup=
 * overrides the gid; "root" and "nobody" are known without an entry. */
static int
resolve_owner(const struct listen_spec *s, uid_t *uid, gid_t *gid)
{
	int r = 0;
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (s->user && *s->user) {
		char *text = db_text("passwd");
		struct pw_entry pw = { 0 };
		if (strcmp(s->user, "root") == 0 || strcmp(s->user, "0") == 0)
			*uid = 0, *gid = 0;
		else if (strcmp(s->user, "nobody") == 0 || strcmp(s->user, "65534") == 0)
			*uid = 65534, *gid = 65534;
		else if (text && pw_lookup(text, s->user, &pw) == 0)
			*uid = pw.uid, *gid = pw.gid;
		else
			r = -ESRCH;
		pw_entry_done(&pw);
		free(text);
		if (r < 0) {
			log_error("SocketUser: unknown user '%s'", s->user);
			return r;
		}
	}
	if (s->group && *s->group) {
		char *text = db_text("group");
		if (strcmp(s->group, "root") == 0 || strcmp(s->group, "0") == 0)
			*gid = 0;
		else if (strcmp(s->group, "nogroup") == 0 || strcmp(s->group, "65534") == 0)
			*gid = 65534;
		else if (!text || gr_lookup(text, s->group, gid) < 0)
			r = -ESRCH;
		free(text);
		if (r < 0)
			log_error("SocketGroup: unknown group '%s'", s->group);
	}
	return r;
}

static int
chown_ports(const struct listen_spec *s)
{
	uid_t uid;
	gid_t gid;
	if ((!s->user || !*s->user) && (!s->group || !*s->group))
		return 0;
	int r = resolve_owner(s, &uid, &gid);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_ports; i++) {
		const char *path = socket_path(&s->ports[i]);
		if (path && chown(path, uid, gid) < 0) {
			r = -errno;
			log_error("cannot change the owner of %s: %s", path, strerror(errno));
			return r;
		}
	}
	return 0;
}

/* socket_symlink(): only when exactly one port has a file system node. */
static void
make_symlinks(const struct listen_spec *s)
{
	const char *target = NULL;
	for (size_t i = 0; i < s->n_ports; i++) {
		const char *p = socket_path(&s->ports[i]);
		if (p && target)
			return;
		if (p)
			target = p;
	}
	if (!target)
		return;
	for (size_t i = 0; i < s->symlinks.n; i++) {
		const char *link = s->symlinks.v[i];
		mkdir_parents(link, s->directory_mode);
		int r = symlink(target, link) < 0 ? -errno : 0;
		if (r == -EEXIST) {
			char buf[4096];
			ssize_t n = readlink(link, buf, sizeof(buf) - 1);
			if (n >= 0 && (buf[n] = '\0', strcmp(buf, target) == 0))
				r = 0;
			else if (s->remove_on_stop && unlink(link) == 0)
				r = symlink(target, link) < 0 ? -errno : 0;
		}
		if (r < 0)
			fprintf(stderr, "klein-svc: warning: cannot create symlink %s -> %s: %s\n",
				link, target, strerror(-r));
	}
}

static int
open_port(const struct listen_spec *s, struct listen_port *p)
{
	switch (p->kind) {
	case PORT_SOCKET:
		return open_socket(s, p);
	case PORT_FIFO:
		return open_fifo(s, p->path);
	default:
		return open_special(s, p->path);
	}
}

int
listen_open_all(struct listen_spec *s)
{
	/* PID 1 runs with umask 0: DirectoryMode= and SocketMode= are exact. */
	mode_t old = umask(0);
	int r = 0;
	for (size_t i = 0; i < s->n_ports && r == 0; i++) {
		int fd = open_port(s, &s->ports[i]);
		if (fd < 0) {
			r = fd;
			log_error("cannot listen on %s: %s", s->ports[i].path, strerror(-r));
		} else
			s->ports[i].fd = fd;
	}
	if (r == 0)
		r = chown_ports(s);
	if (r == 0)
		make_symlinks(s);
	umask(old);
	if (r < 0)
		for (size_t i = 0; i < s->n_ports; i++)
			if (s->ports[i].fd >= 0) {
				close(s->ports[i].fd);
				s->ports[i].fd = -1;
			}
	return r;
}

void
listen_close_all(struct listen_spec *s)
{
	for (size_t i = 0; i < s->n_ports; i++) {
		struct listen_port *p = &s->ports[i];
		bool was_open = p->fd >= 0;
		if (was_open)
			close(p->fd);
		p->fd = -1;
		/* As systemd: nodes are normally left for the next start to replace. */
		const char *path = socket_path(p);
		if (was_open && s->remove_on_stop && path)
			(void)unlink(path);
	}
	if (s->remove_on_stop)
		for (size_t i = 0; i < s->symlinks.n; i++)
			(void)unlink(s->symlinks.v[i]);
}
