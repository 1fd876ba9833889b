/* SPDX-License-Identifier: MIT */
/* klein-svc: a socket unit's listening sockets, created as systemd 252's socket.c creates them. */
#ifndef KLEIN_SVC_LISTEN_H
#define KLEIN_SVC_LISTEN_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "util.h"

/* systemd refuses more listening fds than one SCM_RIGHTS message can carry. */
#define LISTEN_MAX_PORTS 253

enum port_kind { PORT_SOCKET, PORT_FIFO, PORT_SPECIAL };
enum bind_v6 { BIND_V6_DEFAULT, BIND_V6_BOTH, BIND_V6_ONLY };
enum tstamp { TSTAMP_OFF, TSTAMP_US, TSTAMP_NS };

/* One parsed socket address (systemd's SocketAddress). */
struct sock_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	int type; /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
};

/* One Listen*= line: a socket address or a FIFO/special path. */
struct listen_port {
	enum port_kind kind;
	struct sock_addr addr; /* PORT_SOCKET */
	char *path;	       /* PORT_FIFO, PORT_SPECIAL, and the text as given */
	int fd;
};

/* The [Socket] settings that shape how the sockets are created. */
struct listen_spec {
	struct listen_port ports[LISTEN_MAX_PORTS];
	size_t n_ports;
	const char *name, *fdname, *bind_to_device, *user, *group;
	struct strv symlinks;
	enum bind_v6 bind_ipv6_only;
	enum tstamp timestamping;
	int backlog, priority, mark, ip_tos, ip_ttl, keep_alive_probes;
	mode_t socket_mode, directory_mode;
	uint64_t keep_alive_time, keep_alive_interval, defer_accept; /* usec, 0 unset */
	uint64_t send_buffer, receive_buffer, pipe_size;	     /* 0 unset */
	bool reuse_port, free_bind, transparent, broadcast, keep_alive, no_delay;
	bool pass_cred, pass_sec, pass_pktinfo, writable, remove_on_stop;
	/* Accept=yes only. */
	unsigned max_connections, max_connections_per_source;
};

/* The long options every socket subcommand shares (getopt_long values 512..1023);
 * listen_n_options entries, no terminator. */

extern const struct option listen_options[];
extern const size_t listen_n_options;

/* A getopt_long table (heap, terminated): listen_options, then own[0..n_own). */
struct option *listen_build_options(const struct option *own, size_t n_own);
/* Sets systemd 252's defaults (backlog INT_MAX, modes 0666/0755, 64 connections). */
void listen_spec_init(struct listen_spec *s);
/* Handles one option of listen_options; 0, or -EINVAL after a message. */
int listen_spec_option(struct listen_spec *s, int c, const char *arg);
void listen_spec_done(struct listen_spec *s);

/*
 * systemd's socket_address_parse(): "PORT", "ADDR:PORT", "[V6]:PORT" (each may
 * end in "%IFNAME"), "/path", "@abstract", "vsock:CID:PORT". A bare port is
 * IPv6 [::] when the kernel has IPv6 (/proc/net/if_inet6), else 0.0.0.0.
 * 0 or -EINVAL.
 */
int sock_addr_parse(const char *s, int type, struct sock_addr *ret);

/*
 * Creates every port (umask 0 for the duration, as PID 1): parents of unix
 * sockets and FIFOs with DirectoryMode=, a stale unix socket path replaced,
 * the socket options applied, SocketUser=/SocketGroup= applied, Symlinks=
 * made. The fds are close-on-exec and non-blocking. 0 or -errno after a message;
 * on failure every fd already opened is closed.
 */
int listen_open_all(struct listen_spec *s);
/* Closes every fd; with RemoveOnStop= unlinks the unix socket paths, FIFOs
 * and symlinks. */
void listen_close_all(struct listen_spec *s);

/* The socket's printable form for messages: the text as given. */
const char *listen_port_text(const struct listen_port *p);

#endif
