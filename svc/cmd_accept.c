/* SPDX-License-Identifier: MIT */
/* klein-svc accept: Accept=yes, one command per connection (systemd's foo@N-LOCAL-REMOTE instances). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "fdpass.h"
#include "listen.h"

enum { OPT_STDIO = 1024 };

/* A running per-connection instance and the peer it serves. */
struct conn {
	pid_t pid;
	struct sockaddr_storage peer;
	bool has_peer;
};

struct acceptor {
	struct listen_spec *s;
	struct conn *conns; /* max_connections slots; pid 0 is free */
	unsigned n_conns, n_accepted;
	char **cmd;
	bool stdio;
};

/* systemd's IPv4-mapped test, used for instance names and $REMOTE_ADDR alike. */
static bool
v4_mapped(const struct sockaddr_in6 *in6)
{
	return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
}

/* sockaddr_pretty(translate_ipv6, no port): the peer's address for $REMOTE_ADDR. */
static void
addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const struct sockaddr_in6 *in6 = (const void *)ss;
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ss)->sin_addr, buf,
			  (socklen_t)size);
	else if (ss->ss_family == AF_INET6 && v4_mapped(in6))
		inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, buf, (socklen_t)size);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)size);
	else
		snprintf(buf, size, "vsock:%u",
			 ((const struct sockaddr_vm *)(const void *)ss)->svm_cid);
}

static unsigned
addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->sin6_port);
	return ((const struct sockaddr_vm *)(const void *)ss)->svm_port;
}

static bool
is_ip_or_vsock(int family)
{
	return family == AF_INET || family == AF_INET6 || family == AF_VSOCK;
}

/* systemd 252's instance_from_socket(): "N-LOCAL:PORT-REMOTE:PORT", "N-PID-UID" for unix. */
static int
instance_name(int cfd, unsigned nr, char *buf, size_t size)
{
	struct sockaddr_storage local, remote;
	socklen_t l = sizeof(local), rl = sizeof(remote);
	if (getsockname(cfd, (struct sockaddr *)&local, &l) < 0 ||
	    getpeername(cfd, (struct sockaddr *)&remote, &rl) < 0)
		return -errno;
	if (local.ss_family == AF_UNIX) {
		struct ucred uc;
		socklen_t ul = sizeof(uc);
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) < 0 || uc.pid <= 0)
			snprintf(buf, size, "%u-unknown", nr);
		else
			snprintf(buf, size, "%u-%d-%u", nr, (int)uc.pid, (unsigned)uc.uid);
		return 0;
	}
	if (local.ss_family == AF_VSOCK) {
		const struct sockaddr_vm *a = (const void *)&local, *b = (const void *)&remote;
		snprintf(buf, size, "%u-%u:%u-%u:%u", nr, a->svm_cid, a->svm_port, b->svm_cid,
			 b->svm_port);
		return 0;
	}
	char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
	const struct sockaddr_in6 *l6 = (const void *)&local, *r6 = (const void *)&remote;
	if (local.ss_family == AF_INET6 && !(v4_mapped(l6) && v4_mapped(r6))) {
		inet_ntop(AF_INET6, &l6->sin6_addr, la, sizeof(la));
		inet_ntop(AF_INET6, &r6->sin6_addr, ra, sizeof(ra));
	} else {
		addr_text(&local, la, sizeof(la));
		addr_text(&remote, ra, sizeof(ra));
	}
	snprintf(buf, size, "%u-%s:%u-%s:%u", nr, la, addr_port(&local), ra, addr_port(&remote));
	return 0;
}

static bool
same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
			      &((const struct sockaddr_in *)(const void *)b)->sin_addr,
			      sizeof(struct in_addr)) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return ((const struct sockaddr_vm *)(const void *)a)->svm_cid ==
	       ((const struct sockaddr_vm *)(const void *)b)->svm_cid;
}

static void
set_child_env(int cfd, const char *instance)
{
	char buf[64];
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	unsetenv("REMOTE_ADDR");
	unsetenv("REMOTE_PORT");
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	setenv("LISTEN_PID", buf, 1);
	setenv("LISTEN_FDS", "1", 1);
	/* sd_listen_fds_with_names(3): an Accept=yes connection is named "connection". */
	setenv("LISTEN_FDNAMES", "connection", 1);
	setenv("KLEIN_INSTANCE", instance, 1);
	/* service_spawn(): only while still connected, only for IP and vsock peers. */
	if (getpeername(cfd, (struct sockaddr *)&peer, &pl) == 0 &&
	    is_ip_or_vsock(peer.ss_family)) {
		char addr[INET6_ADDRSTRLEN + 8];
		addr_text(&peer, addr, sizeof(addr));
		setenv("REMOTE_ADDR", addr, 1);
		snprintf(buf, sizeof(buf), "%u", addr_port(&peer));
		setenv("REMOTE_PORT", buf, 1);
	}
}

static void
run_child(const struct acceptor *a, int cfd, const char *instance)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	set_child_env(cfd, instance);
	/* exec_child(): the connection is passed in blocking mode. */
	int fl = fcntl(cfd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(cfd, F_SETFL, fl & ~O_NONBLOCK);
	int fds[1] = { cfd };
	if (fds_move_to_3(fds, 1) < 0 || (a->stdio && (dup2(3, 0) < 0 || dup2(3, 1) < 0)))
		_exit(1);
	execvp(a->cmd[0], a->cmd);
	int err = errno;
	log_error("cannot execute '%s': %s", a->cmd[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* socket_enter_running() for one connection: refuse (close) over the limits, else spawn. */
static void
handle_connection(struct acceptor *a, int cfd)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	bool has_peer = getpeername(cfd, (struct sockaddr *)&peer, &pl) == 0 &&
			is_ip_or_vsock(peer.ss_family);
	char instance[256], addr[INET6_ADDRSTRLEN + 8];
	if (a->n_conns >= a->s->max_connections) {
		log_error("Too many incoming connections (%u), dropping connection.", a->n_conns);
		goto refuse;
	}
	if (a->s->max_connections_per_source > 0 && has_peer) {
		unsigned same = 1;
		for (unsigned i = 0; i < a->s->max_connections; i++)
			if (a->conns[i].pid > 0 && a->conns[i].has_peer &&
			    same_source(&a->conns[i].peer, &peer))
				same++;
		if (same > a->s->max_connections_per_source) {
			addr_text(&peer, addr, sizeof(addr));
			log_error("Too many incoming connections (%u) from source %s, dropping "
				  "connection.",
				  same, addr);
			goto refuse;
		}
	}
	/* A connection reset before we could name it is over; the socket lives on. */
	if (instance_name(cfd, a->n_accepted, instance, sizeof(instance)) < 0)
		goto refuse;
	pid_t pid = fork();
	if (pid < 0) {
		log_error("cannot fork: %s", strerror(errno));
		goto refuse;
	}
	if (pid == 0)
		run_child(a, cfd, instance);
	a->n_accepted++;
	for (unsigned i = 0; i < a->s->max_connections; i++)
		if (a->conns[i].pid == 0) {
			a->conns[i] =
				(struct conn){ .pid = pid, .peer = peer, .has_peer = has_peer };
			break;
		}
	a->n_conns++;
refuse:
	close(cfd);
}

static void
reap(struct acceptor *a)
{
	pid_t pid;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (unsigned i = 0; i < a->s->max_connections; i++)
			if (a->conns[i].pid == pid) {
				a->conns[i].pid = 0;
				a->n_conns--;
				break;
			}
}

/* Stopping the socket unit: no new connections; the running instances are
 * told to stop (the container is going down or the socket was stopped). */
static void
stop_instances(struct acceptor *a)
{
	for (unsigned i = 0; i < a->s->max_connections; i++)
		if (a->conns[i].pid > 0)
			kill(a->conns[i].pid, SIGTERM);
}

static int
loop(struct acceptor *a, int sfd)
{
	size_t n = a->s->n_ports;
	struct pollfd *p = xmalloc(sizeof(*p) * (n + 1));
	for (bool done = false; !done;) {
		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = a->s->ports[i].fd, .events = POLLIN };
		p[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (poll(p, n + 1, -1) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			int cfd = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (cfd >= 0)
				handle_connection(a, cfd);
		}
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo == SIGCHLD)
				reap(a);
			else if (si.ssi_signo != SIGHUP)
				done = true;
	}
	free(p);
	stop_instances(a);
	return 0;
}

static int
run_acceptor(struct acceptor *a)
{
	for (size_t i = 0; i < a->s->n_ports; i++)
		if (a->s->ports[i].kind != PORT_SOCKET || a->s->ports[i].addr.type == SOCK_DGRAM) {
			log_error("Accept=yes needs stream or seqpacket sockets, not %s",
				  listen_port_text(&a->s->ports[i]));
			return SVC_EXIT_USAGE;
		}
	int sfd = signalfd_block((const int[]){ SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, 0 });
	if (sfd < 0 || listen_open_all(a->s) < 0)
		return 1;
	a->conns = xmalloc(sizeof(*a->conns) * a->s->max_connections);
	memset(a->conns, 0, sizeof(*a->conns) * a->s->max_connections);
	int r = loop(a, sfd);
	listen_close_all(a->s);
	close(sfd);
	free(a->conns);
	return r;
}

int
cmd_accept(int argc, char **argv)
{
	static const struct option own[] = {
		{ "stdio", no_argument, NULL, OPT_STDIO },
	};
	struct option *opts = listen_build_options(own, 1);
	struct listen_spec s;
	struct acceptor a = { .s = &s };
	int c, ret = SVC_EXIT_USAGE;
	listen_spec_init(&s);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == OPT_STDIO)
			a.stdio = true;
		else if (c == '?' || listen_spec_option(&s, c, optarg) < 0)
			goto out;
	}
	if (optind >= argc || s.n_ports == 0) {
		log_error("usage: klein-svc accept LISTEN-OPTIONS... -- COMMAND...");
		goto out;
	}
	a.cmd = argv + optind;
	ret = run_acceptor(&a);
out:
	listen_spec_done(&s);
	free(opts);
	return ret;
}
