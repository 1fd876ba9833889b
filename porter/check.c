/* SPDX-License-Identifier: MIT */
/* check: the value grammars of store_checked rows, with the warning systemd
 * 252 prints when a value does not parse (the assignment is then ignored).
 * The parsing itself is values.h's; this file only picks the grammar and the
 * message for each row. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "lib/sockaddr.h"
#include "lib/values.h"

int
check_bool(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (*value && parse_boolean(value) < 0) {
		WARN("Failed to parse boolean value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* A time span (config_parse_sec()). */
int
check_sec(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t t;

	(void)dr;
	if (*value && parse_sec(value, &t) < 0) {
		WARN("Failed to parse sec value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* TimeoutStopSec=, TimeoutAbortSec= (config_parse_timeout_abort() and co). */
int
check_timeout(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t t;

	(void)dr;
	if (*value && parse_sec(value, &t) < 0) {
		WARN("Failed to parse time value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* TimeoutSec=, TimeoutStartSec= (config_parse_service_timeout()). */
int
check_timeout_start(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t t;

	if (*value && parse_sec(value, &t) < 0) {
		WARN("Failed to parse %s= parameter, ignoring: %s", dr->key, value);
		return -EINVAL;
	}
	return 0;
}

int
check_signal(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (*value && parse_signal(value) <= 0) {
		WARN("Failed to parse signal name, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

int
check_mode(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	unsigned m;

	(void)dr;
	if (*value && parse_mode(value, &m) < 0) {
		WARN("Failed to parse mode value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* Limit*=: an empty value is no limit value either (systemd warns). */
int
check_rlimit(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t s, h;
	int r = parse_rlimit(dr->key, value, &s, &h);

	if (r == -EILSEQ) {
		WARN("Soft resource limit chosen higher than hard limit, ignoring: %s", value);
		return -EINVAL;
	}
	if (r < 0) {
		WARN("Failed to parse resource value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

int
check_nice(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	int n;
	int r = *value ? parse_nice(value, &n) : 0;

	(void)dr;
	if (r == -ERANGE) {
		WARN("Nice priority out of range, ignoring: %s", value);
		return -EINVAL;
	}
	if (r < 0) {
		WARN("Failed to parse nice priority '%s', ignoring: %s", value, strerror(-r));
		return -EINVAL;
	}
	return 0;
}

int
check_oom_score(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	int n;
	int r = *value ? parse_oom_score_adjust(value, &n) : 0;

	(void)dr;
	if (r == -ERANGE) {
		WARN("OOM score adjust value out of range, ignoring: %s", value);
		return -EINVAL;
	}
	if (r < 0) {
		WARN("Failed to parse the OOM score adjust value '%s', ignoring: %s", value,
		     strerror(-r));
		return -EINVAL;
	}
	return 0;
}

static bool
in_list(const char *const *names, const char *value)
{
	for (; *names; names++)
		if (!strcmp(*names, value))
			return true;
	return false;
}

/* One of names, or empty; else systemd's "Failed to parse WHAT" warning. */
static int
check_enum(struct loader *L, const char *const *names, const char *what, const char *value,
	   unsigned line)
{
	if (!*value)
		return 0;
	for (; *names; names++)
		if (!strcmp(*names, value))
			return 0;
	WARN("Failed to parse %s, ignoring: %s", what, value);
	return -EINVAL;
}

int
check_service_type(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "simple", "exec",	 "forking", "oneshot",
					     "dbus",   "notify", "idle",    NULL };

	(void)dr;
	return check_enum(L, names, "service type", value, line);
}

int
check_restart(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "no",	    "on-success",  "on-failure",
					     "on-abnormal", "on-watchdog", "on-abort",
					     "always",	    NULL };

	(void)dr;
	return check_enum(L, names, "service restart specifier", value, line);
}

int
check_kill_mode(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "control-group", "process", "mixed", "none", NULL };
	int r = check_enum(L, names, "kill mode specification", value, line);

	(void)dr;
	if (r == 0 && !strcmp(value, "none"))
		WARN("Unit uses KillMode=none. This is unsafe, as it disables systemd's process lifecycle management for the service. Please update the service to use a safer KillMode=, such as 'mixed' or 'control-group'. Support for KillMode=none is deprecated and will eventually be removed.");
	return r;
}

int
check_notify_access(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "none", "main", "exec", "all", NULL };

	(void)dr;
	return check_enum(L, names, "notify access specifier", value, line);
}

int
check_exit_type(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "main", "cgroup", NULL };

	(void)dr;
	return check_enum(L, names, "service exit type", value, line);
}

/* ---- values later systemd versions added (their rows in table_*.c say
 * since which version; each grammar here is the whole grammar of its
 * version range) ---- */

/* One of names, or empty; else systemd 257's message for an enum it cannot
 * parse (DEFINE_CONFIG_PARSE_ENUM's "Failed to parse KEY=VALUE"). */
static int
check_enum_257(struct loader *L, const char *const *names, const char *key, const char *value,
	       unsigned line)
{
	if (!*value)
		return 0;
	for (; *names; names++)
		if (!strcmp(*names, value))
			return 0;
	WARN("Failed to parse %s=%s, ignoring: Invalid argument", key, value);
	return -EINVAL;
}

/* Type=: 253 adds notify-reload. */
static const char *const service_types_253[] = { "simple",  "exec",	     "forking",
						 "oneshot", "dbus",	     "notify",
						 "idle",    "notify-reload", NULL };

int
check_service_type_253(struct loader *L, const struct directive *dr, const char *value,
		       unsigned line)
{
	(void)dr;
	return check_enum(L, service_types_253, "service type", value, line);
}

/* Type=: 257 words its warning differently. */
int
check_service_type_257(struct loader *L, const struct directive *dr, const char *value,
		       unsigned line)
{
	return check_enum_257(L, service_types_253, dr->key, value, line);
}

/* A boolean, or one of the extra words (systemd's tristate-or-enum parsers:
 * parse_boolean() first, then the names). */
static int
check_bool_or(struct loader *L, const char *const *names, const char *key, const char *value,
	      unsigned line)
{
	if (!*value || parse_boolean(value) >= 0)
		return 0;
	return check_enum_257(L, names, key, value, line);
}

/* PrivateTmp=: 257 adds disconnected. */
int
check_private_tmp_257(struct loader *L, const struct directive *dr, const char *value,
		      unsigned line)
{
	static const char *const names[] = { "disconnected", NULL };

	(void)dr;
	return check_bool_or(L, names, "PrivateTmp", value, line);
}

/* PrivateUsers=: 256 adds self, 257 identity. */
int
check_private_users_257(struct loader *L, const struct directive *dr, const char *value,
			unsigned line)
{
	static const char *const names[] = { "self", "identity", NULL };

	(void)dr;
	return check_bool_or(L, names, "PrivateUsers", value, line);
}

/* ProtectControlGroups=: 257 adds private and strict. */
int
check_protect_cgroups_257(struct loader *L, const struct directive *dr, const char *value,
			  unsigned line)
{
	static const char *const names[] = { "private", "strict", NULL };

	(void)dr;
	return check_bool_or(L, names, "ProtectControlGroups", value, line);
}

/* RestartMode= (254): normal, direct; 257 adds debug. */
int
check_restart_mode(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "normal", "direct", NULL };

	(void)dr;
	return check_enum(L, names, "service restart mode", value, line);
}

int
check_restart_mode_257(struct loader *L, const struct directive *dr, const char *value,
		       unsigned line)
{
	static const char *const names[] = { "normal", "direct", "debug", NULL };

	return check_enum_257(L, names, dr->key, value, line);
}

/* RestartSteps= (254): an unsigned number. */
int
check_unsigned(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	const char *p = value;

	while (*p >= '0' && *p <= '9')
		p++;
	if (*value && (p == value || *p)) {
		WARN("Failed to parse %s=%s, ignoring: Invalid argument", dr->key, value);
		return -EINVAL;
	}
	return 0;
}

/* OnFailureJobMode=, OnSuccessJobMode= (systemd's job_mode_table). 252. */
static const char *const job_modes_252[] = { "fail",
					     "replace",
					     "replace-irreversibly",
					     "isolate",
					     "flush",
					     "ignore-dependencies",
					     "ignore-requirements",
					     "triggering",
					     NULL };

int
check_job_mode(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	return check_enum(L, job_modes_252, "job mode", value, line);
}

/* 254 adds restart-dependencies; 257 words the warning differently. */
int
check_job_mode_257(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const modes[] = { "fail",
					     "replace",
					     "replace-irreversibly",
					     "isolate",
					     "flush",
					     "ignore-dependencies",
					     "ignore-requirements",
					     "triggering",
					     "restart-dependencies",
					     NULL };

	return check_enum_257(L, modes, dr->key, value, line);
}

/* SuccessAction=, FailureAction= (emergency_action_table of the system
 * manager). 252. */
int
check_action(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const actions[] = {
		"none",	      "reboot",		"reboot-force",	      "reboot-immediate",
		"poweroff",   "poweroff-force", "poweroff-immediate", "exit",
		"exit-force", "kexec",		"kexec-force",	      NULL
	};

	if (!*value || in_list(actions, value))
		return 0;
	WARN("Failed to parse %s=, ignoring: %s", dr->key, value);
	return -EINVAL;
}

/* 253 adds halt, halt-force, halt-immediate; 254 soft-reboot(-force). */
int
check_action_253(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const actions[] = {
		"none",	       "reboot",	 "reboot-force",       "reboot-immediate",
		"poweroff",    "poweroff-force", "poweroff-immediate", "exit",
		"exit-force",  "soft-reboot",	 "soft-reboot-force",  "kexec",
		"kexec-force", "halt",		 "halt-force",	       "halt-immediate",
		NULL
	};

	if (!*value || in_list(actions, value))
		return 0;
	WARN("Failed to parse %s=, ignoring: %s", dr->key, value);
	return -EINVAL;
}

/* ---- [Socket] (systemd 252's config_parse_socket_*() and the number
 * parsers of load-fragment.c) ---- */

/* Backlog=, MaxConnections= and co (config_parse_unsigned): empty is invalid. */
int
check_uint(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (parse_c_integer(value, false, false, 0, UINT32_MAX, NULL) < 0) {
		WARN("Failed to parse unsigned value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* Priority=, Mark=, IPTTL= (config_parse_int). */
int
check_int(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (parse_c_integer(value, true, false, INT32_MIN, INT32_MAX, NULL) < 0) {
		WARN("Failed to parse int value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* MessageQueueMaxMessages=, MessageQueueMessageSize= (config_parse_long). */
int
check_long(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (parse_c_integer(value, true, false, INT64_MIN, INT64_MAX, NULL) < 0) {
		WARN("Failed to parse long value, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}

/* SendBuffer=, ReceiveBuffer=, PipeSize= (config_parse_iec_size). */
int
check_iec_size(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	uint64_t v;
	int r = parse_size(value, &v);

	(void)dr;
	if (r < 0) {
		WARN("Failed to parse size value '%s', ignoring: %s", value, strerror(-r));
		return -EINVAL;
	}
	return 0;
}

/* IPTOS= (ip_tos_from_string(): a name or 0..255). */
int
check_ip_tos(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "low-delay", "throughput", "reliability", "low-cost",
					     NULL };

	(void)dr;
	if (in_list(names, value) || parse_c_integer(value, true, false, 0, 255, NULL) == 0)
		return 0;
	WARN("Failed to parse IP TOS value, ignoring: %s", value);
	return -EINVAL;
}

/* BindIPv6Only= (config_parse_socket_bind): a name or a boolean. */
int
check_bind_ipv6(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "default", "both", "ipv6-only", NULL };

	(void)dr;
	if (in_list(names, value) || parse_boolean(value) >= 0)
		return 0;
	WARN("Failed to parse bind IPv6 only value, ignoring: %s", value);
	return -EINVAL;
}

/* Timestamping= (socket_timestamping_from_string_harder()). */
int
check_timestamping(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	static const char *const names[] = { "off", "us", "ns", "nsec", "usec", "µs", "μs", NULL };

	(void)dr;
	if (in_list(names, value) || parse_boolean(value) >= 0)
		return 0;
	WARN("Failed to parse timestamping precision, ignoring: %s", value);
	return -EINVAL;
}

/* SocketProtocol= (config_parse_socket_protocol): udplite or sctp. */
int
check_socket_protocol(struct loader *L, const struct directive *dr, const char *value,
		      unsigned line)
{
	static const char *const names[] = { "udplite", "sctp", NULL };

	(void)dr;
	if (in_list(names, value))
		return 0;
	WARN("Failed to parse socket protocol, ignoring: %s", value);
	return -EINVAL;
}

/* BindToDevice= (config_parse_socket_bindtodevice): no specifiers; empty
 * and "*" reset. */
int
check_ifname(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	(void)dr;
	if (!*value || !strcmp(value, "*") || ifname_valid(value, false))
		return 0;
	WARN("Invalid interface name, ignoring: %s", value);
	return -EINVAL;
}

/* socket_address_parse_netlink(): "FAMILY [GROUP]", a family name or number. */
static int
netlink_check(const char *s)
{
	static const char *const families[] = {
		"route",   "firewall",	     "inet-diag",  "nflog",	    "xfrm",	 "selinux",
		"iscsi",   "audit",	     "fib-lookup", "connector",	    "netfilter", "ip6-fw",
		"dnrtmsg", "kobject-uevent", "generic",	   "scsitransport", "ecryptfs",	 "rdma",
		NULL
	};
	size_t n = strcspn(s, " \t\n\r");
	char word[32];
	const char *rest = s + n + strspn(s + n, " \t\n\r");

	if (!n || n >= sizeof(word))
		return -EINVAL;
	memcpy(word, s, n);
	word[n] = '\0';
	if (!in_list(families, word) && parse_c_integer(word, true, false, 0, INT32_MAX, NULL) < 0)
		return -EINVAL;
	return *rest ? parse_c_integer(rest, false, false, 0, UINT32_MAX, NULL) : 0;
}

/* ListenStream=, ListenDatagram=, ListenSequentialPacket=, ListenNetlink=
 * (config_parse_socket_listen()), the value with its specifiers resolved. */
int
check_listen(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	struct socket_address a;
	bool netlink = !strcmp(dr->key, "ListenNetlink");
	int r = netlink ? netlink_check(value) : socket_address_parse(value, &a);
	bool local = !netlink && r == 0 && a.sa.ss_family == AF_UNIX;

	if (r < 0) {
		WARN("Failed to parse address value in '%s', ignoring: %s", value, strerror(-r));
		return -EINVAL;
	}
	if (!local && !strcmp(dr->key, "ListenSequentialPacket")) {
		WARN("Address family not supported, ignoring: %s", value);
		return -EINVAL;
	}
	return 0;
}
