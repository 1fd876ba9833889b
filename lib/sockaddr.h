/* SPDX-License-Identifier: MIT */
/* sockaddr: systemd's socket address grammar (socket_address_parse()), the
 * one copy klein-porter checks Listen*= lines with and klein-svc binds by,
 * and the C-style integers systemd's safe_atou()/safe_atoi() read. */
#ifndef KLEIN_LIB_SOCKADDR_H
#define KLEIN_LIB_SOCKADDR_H

#include <stdbool.h>
#include <sys/socket.h>

/* safe_atou()/safe_atoi()/safe_atoli(): C base prefixes (0x.., 0..), leading
 * white space unless no_ws, a '+'; a '-' before a non-zero value of an
 * unsigned grammar is -ERANGE; outside min..max -ERANGE; else -EINVAL.
 * ret may be NULL. */
int parse_c_integer(const char *s, bool is_signed, bool no_ws, long long min,
		    unsigned long long max, long long *ret);

/* ifname_valid_full(): alt allows alternative names (up to 127 bytes) and
 * ifindexes; a plain name is shorter than IFNAMSIZ (16), and neither is "."
 * "..", "all", "default", all digits, or has a byte outside 0x21..0x7e or
 * one of ":/%". */
bool ifname_valid(const char *p, bool alt);

/* One parsed address of ListenStream=/ListenDatagram=/ListenSequentialPacket=. */
struct socket_address {
	struct sockaddr_storage sa; /* AF_UNIX, AF_INET, AF_INET6 or AF_VSOCK */
	socklen_t len;
	bool port_only; /* a bare port: [::]:PORT (0.0.0.0:PORT without IPv6: the caller's call) */
	char ifname[128]; /* an IP address's "%IFNAME", not looked up here; "" if none */
};

/* socket_address_parse(): "/path" or "@abstract" (2..107 bytes), a port
 * 1..65535, "IPV4:PORT", "[IPV6]:PORT", either with "%IFNAME", or
 * "vsock:[CID]:PORT". Returns 0 or -errno as systemd's parser does:
 * -EINVAL, -ERANGE (a number out of range), -ENAMETOOLONG (a long path). */
int socket_address_parse(const char *s, struct socket_address *ret);

#endif
