/* SPDX-License-Identifier: MIT */
/* klein-svc: socket unit settings, address parsing and listening socket creation (socket.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

#include "lib/sockaddr.h"
#include "lib/values.h"
#include "lib/pwdb.h"

enum {
	OPT_STREAM = 512,
	OPT_DATAGRAM,
	OPT_SEQPACKET,
	OPT_FIFO,
	OPT_SPECIAL,
	OPT_NAME,
	OPT_FDNAME,
	OPT_BACKLOG,
	OPT_BIND_IPV6_ONLY,
	OPT_BIND_TO_DEVICE,
	OPT_REUSE_PORT,
	OPT_FREE_BIND,
	OPT_TRANSPARENT,
	OPT_BROADCAST,
	OPT_KEEP_ALIVE,
	OPT_KEEP_ALIVE_TIME,
	OPT_KEEP_ALIVE_INTERVAL,
	OPT_KEEP_ALIVE_PROBES,
	OPT_DEFER_ACCEPT,
	OPT_NO_DELAY,
	OPT_PRIORITY,
	OPT_MARK,
	OPT_IP_TOS,
	OPT_IP_TTL,
	OPT_SEND_BUFFER,
	OPT_RECEIVE_BUFFER,
	OPT_PIPE_SIZE,
	OPT_PASS_CRED,
	OPT_PASS_SEC,
	OPT_PASS_PKTINFO,
	OPT_TIMESTAMPING,
	OPT_WRITABLE,
	OPT_SOCKET_USER,
	OPT_SOCKET_GROUP,
	OPT_SOCKET_MODE,
	OPT_DIRECTORY_MODE,
	OPT_REMOVE_ON_STOP,
	OPT_SYMLINK,
	OPT_MAX_CONN,
	OPT_MAX_CONN_SOURCE,
};

const struct option listen_options[] = {
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "datagram", required_argument, NULL, OPT_DATAGRAM },
	{ "seqpacket", required_argument, NULL, OPT_SEQPACKET },
	{ "fifo", required_argument, NULL, OPT_FIFO },
	{ "special", required_argument, NULL, OPT_SPECIAL },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "fdname", required_argument, NULL, OPT_FDNAME },
	{ "backlog", required_argument, NULL, OPT_BACKLOG },
	{ "bind-ipv6-only", required_argument, NULL, OPT_BIND_IPV6_ONLY },
	{ "bind-to-device", required_argument, NULL, OPT_BIND_TO_DEVICE },
	{ "reuse-port", no_argument, NULL, OPT_REUSE_PORT },
	{ "free-bind", no_argument, NULL, OPT_FREE_BIND },
	{ "transparent", no_argument, NULL, OPT_TRANSPARENT },
	{ "broadcast", no_argument, NULL, OPT_BROADCAST },
	{ "keep-alive", no_argument, NULL, OPT_KEEP_ALIVE },
	{ "keep-alive-time", required_argument, NULL, OPT_KEEP_ALIVE_TIME },
	{ "keep-alive-interval", required_argument, NULL, OPT_KEEP_ALIVE_INTERVAL },
	{ "keep-alive-probes", required_argument, NULL, OPT_KEEP_ALIVE_PROBES },
	{ "defer-accept", required_argument, NULL, OPT_DEFER_ACCEPT },
	{ "no-delay", no_argument, NULL, OPT_NO_DELAY },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "mark", required_argument, NULL, OPT_MARK },
	{ "ip-tos", required_argument, NULL, OPT_IP_TOS },
	{ "ip-ttl", required_argument, NULL, OPT_IP_TTL },
	{ "send-buffer", required_argument, NULL, OPT_SEND_BUFFER },
	{ "receive-buffer", required_argument, NULL, OPT_RECEIVE_BUFFER },
	{ "pipe-size", required_argument, NULL, OPT_PIPE_SIZE },
	{ "pass-credentials", no_argument, NULL, OPT_PASS_CRED },
	{ "pass-security", no_argument, NULL, OPT_PASS_SEC },
	{ "pass-packet-info", no_argument, NULL, OPT_PASS_PKTINFO },
	{ "timestamping", required_argument, NULL, OPT_TIMESTAMPING },
	{ "writable", no_argument, NULL, OPT_WRITABLE },
	{ "socket-user", required_argument, NULL, OPT_SOCKET_USER },
	{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
	{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
	{ "directory-mode", required_argument, NULL, OPT_DIRECTORY_MODE },
	{ "remove-on-stop", no_argument, NULL, OPT_REMOVE_ON_STOP },
	{ "symlink", required_argument, NULL, OPT_SYMLINK },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
	{ "max-connections-per-source", required_argument, NULL, OPT_MAX_CONN_SOURCE },
};
const size_t listen_n_options = sizeof(listen_options) / sizeof(listen_options[0]);

struct option *
listen_build_options(const struct option *own, size_t n_own)
{
	struct option *o = xmalloc(sizeof(*o) * (listen_n_options + n_own + 1));
	memcpy(o, listen_options, sizeof(*o) * listen_n_options);
	memcpy(o + listen_n_options, own, sizeof(*o) * n_own);
	memset(o + listen_n_options + n_own, 0, sizeof(*o));
	return o;
}

void
listen_spec_init(struct listen_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->backlog = INT32_MAX; /* systemd 252: SOMAXCONN_DELUXE; the kernel caps it */
	s->socket_mode = 0666;
	s->directory_mode = 0755;
	s->max_connections = 64;
	s->priority = s->mark = s->ip_tos = s->ip_ttl = -1;
}

void
listen_spec_done(struct listen_spec *s)
{
	for (size_t i = 0; i < s->n_ports; i++) {
		if (s->ports[i].fd >= 0)
			close(s->ports[i].fd);
		free(s->ports[i].path);
	}
	s->n_ports = 0;
	strv_done(&s->symlinks);
}

const char *
listen_port_text(const struct listen_port *p)
{
	return p->path;
}

/* systemd 252's socket_ipv6_is_supported(). */
static bool
ipv6_supported(void)
{
	return access("/proc/net/if_inet6", F_OK) == 0;
}

/* The grammar is lib/sockaddr.c's (the porter checked the line with it);
 * here the machine decides the rest: a bare port is [::]:PORT, or
 * 0.0.0.0:PORT without IPv6, and "%IFNAME" must name an interface (its
 * index becomes an IPv6 address's scope). */
int
sock_addr_parse(const char *s, int type, struct sock_addr *ret)
{
	struct socket_address a;
	int r = socket_address_parse(s, &a);

	memset(ret, 0, sizeof(*ret));
	ret->type = type;
	if (r < 0)
		return r;
	if (a.port_only && !ipv6_supported()) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ret->sa;

		in->sin_family = AF_INET;
		in->sin_port = ((struct sockaddr_in6 *)&a.sa)->sin6_port;
		in->sin_addr.s_addr = htonl(INADDR_ANY);
		ret->len = sizeof(*in);
		return 0;
	}
	if (a.ifname[0]) {
		long long index;
		unsigned ifindex = parse_c_integer(a.ifname, true, false, 1, INT32_MAX, &index) == 0
					   ? (unsigned)index
					   : if_nametoindex(a.ifname);

		if (!ifindex)
			return -ENODEV;
		if (a.sa.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&a.sa)->sin6_scope_id = ifindex;
	}
	memcpy(&ret->sa, &a.sa, sizeof(a.sa));
	ret->len = a.len;
	return 0;
}

static int
add_port(struct listen_spec *s, enum port_kind kind, int type, const char *arg)
{
	if (s->n_ports >= LISTEN_MAX_PORTS) {
		log_error("too many listening sockets (at most %d)", LISTEN_MAX_PORTS);
		return -E2BIG;
	}
	struct listen_port *p = &s->ports[s->n_ports];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->fd = -1;
	if (kind == PORT_SOCKET && sock_addr_parse(arg, type, &p->addr) < 0) {
		log_error("invalid socket address '%s'", arg);
		return -EINVAL;
	}
	if (kind != PORT_SOCKET && arg[0] != '/') {
		log_error("not an absolute path: '%s'", arg);
		return -EINVAL;
	}
	p->path = xstrdup(arg);
	s->n_ports++;
	return 0;
}

static int
parse_mode_octal(const char *arg, mode_t *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 8);
	if (!*arg || *end || errno || v > 07777)
		return -EINVAL;
	*ret = (mode_t)v;
	return 0;
}

static int
parse_span_opt(const char *arg, uint64_t *ret)
{
	return parse_time_usec(arg, 1000000, ret);
}

static int
parse_int_opt(const char *arg, long min, long max, int *ret)
{
	long v;
	int r = parse_int(arg, min, max, &v);
	if (r == 0)
		*ret = (int)v;
	return r;
}

static int
parse_enum_opt(struct listen_spec *s, int c, const char *arg)
{
	if (c == OPT_BIND_IPV6_ONLY) {
		if (strcmp(arg, "default") == 0)
			s->bind_ipv6_only = BIND_V6_DEFAULT;
		else if (strcmp(arg, "both") == 0)
			s->bind_ipv6_only = BIND_V6_BOTH;
		else if (strcmp(arg, "ipv6-only") == 0)
			s->bind_ipv6_only = BIND_V6_ONLY;
		else
			return -EINVAL;
		return 0;
	}
	if (strcmp(arg, "off") == 0)
		s->timestamping = TSTAMP_OFF;
	else if (strcmp(arg, "us") == 0)
		s->timestamping = TSTAMP_US;
	else if (strcmp(arg, "ns") == 0)
		s->timestamping = TSTAMP_NS;
	else
		return -EINVAL;
	return 0;
}

static bool *
flag_of(struct listen_spec *s, int c)
{
	switch (c) {
	case OPT_REUSE_PORT:
		return &s->reuse_port;
	case OPT_FREE_BIND:
		return &s->free_bind;
	case OPT_TRANSPARENT:
		return &s->transparent;
	case OPT_BROADCAST:
		return &s->broadcast;
	case OPT_KEEP_ALIVE:
		return &s->keep_alive;
	case OPT_NO_DELAY:
		return &s->no_delay;
	case OPT_PASS_CRED:
		return &s->pass_cred;
	case OPT_PASS_SEC:
		return &s->pass_sec;
	case OPT_PASS_PKTINFO:
		return &s->pass_pktinfo;
	case OPT_WRITABLE:
		return &s->writable;
	case OPT_REMOVE_ON_STOP:
		return &s->remove_on_stop;
	default:
		return NULL;
	}
}

static int
value_option(struct listen_spec *s, int c, const char *arg)
{
	int v = 0, r;
	switch (c) {
	case OPT_BACKLOG:
		return parse_int_opt(arg, 0, INT32_MAX, &s->backlog);
	case OPT_KEEP_ALIVE_PROBES:
		return parse_int_opt(arg, 0, INT32_MAX, &s->keep_alive_probes);
	case OPT_PRIORITY:
		return parse_int_opt(arg, 0, INT32_MAX, &s->priority);
	case OPT_MARK:
		return parse_int_opt(arg, 0, INT32_MAX, &s->mark);
	case OPT_IP_TOS:
		return parse_int_opt(arg, 0, 255, &s->ip_tos);
	case OPT_IP_TTL:
		return parse_int_opt(arg, 0, 255, &s->ip_ttl);
	case OPT_KEEP_ALIVE_TIME:
		return parse_span_opt(arg, &s->keep_alive_time);
	case OPT_KEEP_ALIVE_INTERVAL:
		return parse_span_opt(arg, &s->keep_alive_interval);
	case OPT_DEFER_ACCEPT:
		return parse_span_opt(arg, &s->defer_accept);
	case OPT_SEND_BUFFER:
		return parse_size(arg, &s->send_buffer);
	case OPT_RECEIVE_BUFFER:
		return parse_size(arg, &s->receive_buffer);
	case OPT_PIPE_SIZE:
		return parse_size(arg, &s->pipe_size);
	case OPT_SOCKET_MODE:
		return parse_mode_octal(arg, &s->socket_mode);
	case OPT_DIRECTORY_MODE:
		return parse_mode_octal(arg, &s->directory_mode);
	case OPT_BIND_IPV6_ONLY:
	case OPT_TIMESTAMPING:
		return parse_enum_opt(s, c, arg);
	case OPT_MAX_CONN:
	case OPT_MAX_CONN_SOURCE:
		r = parse_int_opt(arg, c == OPT_MAX_CONN ? 1 : 0, INT32_MAX, &v);
		if (r == 0 && c == OPT_MAX_CONN)
			s->max_connections = (unsigned)v;
		else if (r == 0)
			s->max_connections_per_source = (unsigned)v;
		return r;
	default:
		return -EINVAL;
	}
}

int
listen_spec_option(struct listen_spec *s, int c, const char *arg)
{
	bool *flag = flag_of(s, c);
	int r = 0;
	if (flag) {
		*flag = true;
		return 0;
	}
	switch (c) {
	case OPT_STREAM:
		return add_port(s, PORT_SOCKET, SOCK_STREAM, arg);
	case OPT_DATAGRAM:
		return add_port(s, PORT_SOCKET, SOCK_DGRAM, arg);
	case OPT_SEQPACKET:
		return add_port(s, PORT_SOCKET, SOCK_SEQPACKET, arg);
	case OPT_FIFO:
		return add_port(s, PORT_FIFO, 0, arg);
	case OPT_SPECIAL:
		return add_port(s, PORT_SPECIAL, 0, arg);
	case OPT_NAME:
		s->name = arg;
		return 0;
	case OPT_FDNAME:
		s->fdname = arg;
		return 0;
	case OPT_BIND_TO_DEVICE:
		s->bind_to_device = arg;
		return 0;
	case OPT_SOCKET_USER:
		s->user = arg;
		return 0;
	case OPT_SOCKET_GROUP:
		s->group = arg;
		return 0;
	case OPT_SYMLINK:
		if (arg[0] != '/') {
			log_error("--symlink needs an absolute path: '%s'", arg);
			return -EINVAL;
		}
		strv_push(&s->symlinks, xstrdup(arg));
		return 0;
	default:
		r = value_option(s, c, arg);
	}
	if (r < 0) {
		for (size_t i = 0; i < listen_n_options; i++)
			if (listen_options[i].val == c)
				log_error("invalid value in '--%s %s'", listen_options[i].name,
					  arg);
		return -EINVAL;
	}
	return 0;
}
