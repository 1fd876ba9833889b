/* SPDX-License-Identifier: MIT */
/* sockaddr: systemd 252's socket_address_parse() and the integer grammar of
 * its safe_ato*() (see sockaddr.h). Checked against systemd's own parse of
 * Listen*= lines by tests/porter/socket_oracle.py. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "lib/sockaddr.h"

int
parse_c_integer(const char *s, bool is_signed, bool no_ws, long long min, unsigned long long max,
		long long *ret)
{
	char *e = NULL;
	unsigned long long u = 0;
	long long v = 0;

	if (no_ws && *s && strchr(" \t\n\r", *s))
		return -EINVAL;
	s += strspn(s, " \t\n\r");
	errno = 0;
	if (is_signed)
		v = strtoll(s, &e, 0);
	else
		u = strtoull(s, &e, 0);
	if (errno > 0)
		return -errno;
	if (e == s || *e)
		return -EINVAL;
	if (!is_signed) {
		if (u != 0 && s[0] == '-')
			return -ERANGE;
		if (u > max)
			return -ERANGE;
		v = (long long)u;
	} else if (v < min || (v > 0 && (unsigned long long)v > max))
		return -ERANGE;
	if (ret)
		*ret = v;
	return 0;
}

bool
ifname_valid(const char *p, bool alt)
{
	size_t n = strlen(p);
	bool numeric = true;

	if (!n)
		return false;
	if (parse_c_integer(p, true, false, 1, INT32_MAX, NULL) == 0)
		return alt;
	if (n >= (alt ? 128u : 16u) || !strcmp(p, ".") || !strcmp(p, "..") || !strcmp(p, "all") ||
	    !strcmp(p, "default"))
		return false;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
		if (*c <= 32 || *c >= 127 || strchr(":/%", *c))
			return false;
		numeric = numeric && *c >= '0' && *c <= '9';
	}
	return !numeric;
}

/* parse_ip_port(): 1..65535, no leading white space, C prefixes allowed. */
static int
parse_port(const char *s, unsigned short *ret)
{
	long long v;
	int r = parse_c_integer(s, false, true, 0, 65535, &v);

	if (r < 0)
		return r;
	if (v == 0)
		return -EINVAL;
	*ret = (unsigned short)v;
	return 0;
}

/* "vsock:[CID]:PORT" (socket_address_parse_vsock()), each unsigned 32-bit;
 * no CID is VMADDR_CID_ANY. */
static int
parse_vsock(const char *s, struct socket_address *a)
{
	struct sockaddr_vm *vm = (struct sockaddr_vm *)&a->sa;
	const char *colon = strchr(s, ':');
	long long port, cid = VMADDR_CID_ANY;
	char buf[24];
	int r;

	if (!colon)
		return -EINVAL;
	if (colon > s) {
		if ((size_t)(colon - s) >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, (size_t)(colon - s));
		buf[colon - s] = '\0';
		if ((r = parse_c_integer(buf, false, false, 0, UINT32_MAX, &cid)) < 0)
			return r;
	}
	if ((r = parse_c_integer(colon + 1, false, false, 0, UINT32_MAX, &port)) < 0)
		return r;
	vm->svm_family = AF_VSOCK;
	vm->svm_cid = (unsigned)cid;
	vm->svm_port = (unsigned)port;
	a->len = sizeof(*vm);
	return 0;
}

/* "/path" or "@abstract": a path's length counts its NUL, an abstract
 * name's does not (systemd's sockaddr_un_set_path()). */
static int
parse_unix(const char *s, struct socket_address *a)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&a->sa;
	size_t n = strlen(s);
	bool abstract = s[0] == '@';

	if (n < 2)
		return -EINVAL;
	if (n >= sizeof(un->sun_path))
		return abstract ? -EINVAL : -ENAMETOOLONG;
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path + abstract, s + abstract, n - abstract);
	a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + !abstract);
	return 0;
}

/* "ADDR:PORT" or "[V6]:PORT", then "%IFNAME" (in_addr_port_ifindex_name_
 * from_string_auto()): the interface name is checked, not looked up. */
static int
parse_ip(const char *s, struct socket_address *a)
{
	char buf[INET6_ADDRSTRLEN + 16], *host = buf, *port = NULL;
	const char *pct = strchr(s, '%');
	size_t n = pct ? (size_t)(pct - s) : strlen(s);
	struct sockaddr_in *in = (struct sockaddr_in *)&a->sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->sa;
	unsigned short pn;
	bool v6;
	int r;

	if (strchr(s, '#') || (pct && !ifname_valid(pct + 1, true)) || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		*end = '\0';
		host = buf + 1;
		port = end[1] ? end + 2 : NULL;
		v6 = true;
	} else {
		char *colon = strchr(buf, ':');

		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			port = colon + 1;
		}
		v6 = inet_pton(AF_INET, host, &in->sin_addr) != 1;
	}
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
		return -EINVAL;
	if (!port) /* no port, no go */
		return -EINVAL;
	if ((r = parse_port(port, &pn)) < 0)
		return r;
	if (v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(pn);
		a->len = sizeof(*in6);
	} else {
		in->sin_family = AF_INET;
		in->sin_port = htons(pn);
		a->len = sizeof(*in);
	}
	if (pct)
		strcpy(a->ifname, pct + 1); /* ifname_valid(): under 128 bytes */
	return 0;
}

int
socket_address_parse(const char *s, struct socket_address *ret)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ret->sa;
	long long v;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (s[0] == '/' || s[0] == '@')
		return parse_unix(s, ret);
	if (!strncmp(s, "vsock:", 6))
		return parse_vsock(s + 6, ret);
	r = parse_c_integer(s, false, true, 0, 65535, &v);
	if (r == -ERANGE)
		return r;
	if (r == 0 && v > 0) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)v);
		in6->sin6_addr = in6addr_any;
		ret->len = sizeof(*in6);
		ret->port_only = true;
		return 0;
	}
	return parse_ip(s, ret);
}
