/* SPDX-License-Identifier: MIT */
/* tr_socket: a loaded .socket unit -> the options of `klein-svc listen|accept`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socket_plan.h"
#include "table.h"
#include "tr.h"
#include "translate.h"
#include "lib/values.h"

/* OPT_PORT: from u->ports, in the lines' order across the Listen*= types. */
enum opt_kind { OPT_VALUE, OPT_EACH, OPT_FLAG, OPT_ACCEPT_VALUE, OPT_PORT };

/* [Socket] key -> klein-svc option (docs/runtime.md "Socket activation"). */
static const struct {
	const char *key, *opt;
	enum opt_kind kind;
} options[] = {
	{ "ListenStream", "--stream", OPT_PORT },
	{ "ListenDatagram", "--datagram", OPT_PORT },
	{ "ListenSequentialPacket", "--seqpacket", OPT_PORT },
	{ "ListenFIFO", "--fifo", OPT_PORT },
	{ "ListenSpecial", "--special", OPT_PORT },
	{ "Backlog", "--backlog", OPT_VALUE },
	{ "BindIPv6Only", "--bind-ipv6-only", OPT_VALUE },
	{ "BindToDevice", "--bind-to-device", OPT_VALUE },
	{ "Broadcast", "--broadcast", OPT_FLAG },
	{ "DeferAcceptSec", "--defer-accept", OPT_VALUE },
	{ "DirectoryMode", "--directory-mode", OPT_VALUE },
	{ "FileDescriptorName", "--fdname", OPT_VALUE },
	{ "FreeBind", "--free-bind", OPT_FLAG },
	{ "IPTOS", "--ip-tos", OPT_VALUE },
	{ "IPTTL", "--ip-ttl", OPT_VALUE },
	{ "KeepAlive", "--keep-alive", OPT_FLAG },
	{ "KeepAliveIntervalSec", "--keep-alive-interval", OPT_VALUE },
	{ "KeepAliveProbes", "--keep-alive-probes", OPT_VALUE },
	{ "KeepAliveTimeSec", "--keep-alive-time", OPT_VALUE },
	{ "Mark", "--mark", OPT_VALUE },
	{ "MaxConnections", "--max-connections", OPT_ACCEPT_VALUE },
	{ "MaxConnectionsPerSource", "--max-connections-per-source", OPT_ACCEPT_VALUE },
	{ "NoDelay", "--no-delay", OPT_FLAG },
	{ "PassCredentials", "--pass-credentials", OPT_FLAG },
	{ "PassPacketInfo", "--pass-packet-info", OPT_FLAG },
	{ "PassSecurity", "--pass-security", OPT_FLAG },
	{ "PipeSize", "--pipe-size", OPT_VALUE },
	{ "Priority", "--priority", OPT_VALUE },
	{ "ReceiveBuffer", "--receive-buffer", OPT_VALUE },
	{ "RemoveOnStop", "--remove-on-stop", OPT_FLAG },
	{ "ReusePort", "--reuse-port", OPT_FLAG },
	{ "SendBuffer", "--send-buffer", OPT_VALUE },
	{ "SocketGroup", "--socket-group", OPT_VALUE },
	{ "SocketMode", "--socket-mode", OPT_VALUE },
	{ "SocketUser", "--socket-user", OPT_VALUE },
	{ "Symlinks", "--symlink", OPT_EACH },
	{ "Timestamping", "--timestamping", OPT_VALUE },
	{ "Transparent", "--transparent", OPT_FLAG },
	{ "Writable", "--writable", OPT_FLAG },
};

/* Values systemd accepts in another spelling than klein-svc takes. */
static const char *
normalize(const char *key, const char *v)
{
	static const char *const tos[][2] = { { "low-delay", "16" },
					      { "throughput", "8" },
					      { "reliability", "4" },
					      { "low-cost", "2" } };
	if (!strcmp(key, "IPTOS"))
		for (size_t i = 0; i < sizeof(tos) / sizeof(tos[0]); i++)
			if (!strcmp(v, tos[i][0]))
				return tos[i][1];
	if (!strcmp(key, "Timestamping"))
		return !strcmp(v, "usec") || !strcmp(v, "µs") ? "us"
		       : !strcmp(v, "nsec")		      ? "ns"
							      : v;
	if (!strcmp(key, "BindIPv6Only") && parse_boolean(v) >= 0)
		return parse_boolean(v) ? "ipv6-only" : "both";
	return v;
}

static int
push2(struct socket_plan *sp, const char *opt, const char *v)
{
	if (tr_strv_push(&sp->args, &sp->n_args, opt) < 0 ||
	    (v && tr_strv_push(&sp->args, &sp->n_args, v) < 0))
		return -ENOMEM;
	return 0;
}

static int
map_setting(struct socket_plan *sp, const struct setting *s)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(options[i].key, s->key))
			continue;
		if (options[i].kind == OPT_FLAG)
			return parse_boolean(s->values[0]) == 1 ? push2(sp, options[i].opt, NULL)
								: 0;
		if (options[i].kind == OPT_PORT ||
		    (options[i].kind == OPT_ACCEPT_VALUE && !sp->accept))
			return 0;
		for (size_t k = 0; k < s->n_values; k++)
			if (*s->values[k] &&
			    push2(sp, options[i].opt, normalize(s->key, s->values[k])) < 0)
				return -ENOMEM;
		return 0;
	}
	return 0;
}

/* The ports, in order (Listen*= types klein-svc cannot open have no option:
 * their table rows warn). */
static int
map_ports(struct socket_plan *sp, const struct unit *u)
{
	for (size_t k = 0; k < u->n_ports; k++) {
		const char *eq = strchr(u->ports[k], '=');
		for (size_t i = 0; eq && i < sizeof(options) / sizeof(options[0]); i++)
			if (options[i].kind == OPT_PORT &&
			    !strncmp(options[i].key, u->ports[k], (size_t)(eq - u->ports[k])) &&
			    !options[i].key[eq - u->ports[k]]) {
				if (push2(sp, options[i].opt, eq + 1) < 0)
					return -ENOMEM;
				sp->n_ports++;
			}
	}
	return 0;
}

/* Accept=no: Service= or NAME.service; Accept=yes: the template PREFIX@.service. */
static char *
service_of(const struct unit *u, bool accept)
{
	const struct setting *svc = unit_setting(u, "Socket", "Service");
	char *out = NULL;
	if (!accept && svc)
		return strdup(svc->values[0]);
	const char *at = strchr(u->name, '@'), *dot = strrchr(u->name, '.');
	size_t n = (size_t)((at ? at : dot) - u->name);
	if (asprintf(&out, "%.*s%s", (int)n, u->name, accept ? "@.service" : ".service") < 0)
		return NULL;
	return out;
}

/* ExecStartPre= ... ExecStopPost= of the [Socket] section. */
static int
socket_commands(struct socket_plan *sp, const struct unit *u, struct diag *d)
{
	const struct {
		const char *key;
		struct plan_cmds *to;
	} lists[] = {
		{ "ExecStartPre", &sp->start_pre },
		{ "ExecStartPost", &sp->start_post },
		{ "ExecStopPre", &sp->stop_pre },
		{ "ExecStopPost", &sp->stop_post },
	};
	for (size_t i = 0; i < u->n_exec; i++)
		for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
			if (!strcmp(u->exec[i].key, lists[k].key) &&
			    tr_cmds_from_list(lists[k].to, &u->exec[i], d) < 0)
				return -ENOMEM;
	return 0;
}

int
socket_translate(const struct unit *u, struct socket_plan *ret, struct diag *d)
{
	struct socket_plan sp = { 0 };
	const struct unit_type *t = unit_type_for(u->name);
	const struct setting *acc = unit_setting(u, "Socket", "Accept");
	const struct setting *desc = unit_setting(u, "Unit", "Description");
	int r = 0;

	if (u->state != UNIT_LOADED) {
		diag_add(d, u->fragment, 0, DIAG_ERROR, "the unit is %s",
			 unit_state_name(u->state));
		return -EINVAL;
	}
	sp.accept = acc && parse_boolean(acc->values[0]) == 1;
	if (!(sp.unit = strdup(u->name)) || !(sp.service = service_of(u, sp.accept)) ||
	    (u->fragment && !(sp.fragment = strdup(u->fragment))) ||
	    (desc && !(sp.description = strdup(desc->values[0]))) ||
	    push2(&sp, "--name", u->name) < 0)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < u->n_dropins; i++)
		r = tr_strv_push(&sp.dropins, &sp.n_dropins, u->dropins[i]);
	for (size_t i = 0; r == 0 && i < u->n_settings; i++) {
		const struct setting *s = &u->settings[i];
		const struct directive *dr = directive_find(t, s->section, s->key, u->systemd);
		if (strcmp(s->section, "Socket"))
			continue; /* [Unit] relations order the services themselves; [Install] is ours */
		if (dr && dr->translate != tr_ignore) {
			struct run_plan dummy = { 0 };
			r = dr->translate(&dummy, s, dr->why, d);
		} else {
			r = map_setting(&sp, s);
		}
	}
	if (r == 0)
		r = map_ports(&sp, u);
	if (r == 0)
		r = socket_commands(&sp, u, d);
	if (r < 0) {
		socket_plan_done(&sp);
		return r;
	}
	*ret = sp;
	return 0;
}

void
socket_plan_done(struct socket_plan *sp)
{
	if (!sp)
		return;
	free(sp->unit), free(sp->fragment), free(sp->description), free(sp->service);
	tr_strv_free(sp->dropins, sp->n_dropins);
	tr_strv_free(sp->args, sp->n_args);
	tr_cmds_free(&sp->start_pre), tr_cmds_free(&sp->start_post);
	tr_cmds_free(&sp->stop_pre), tr_cmds_free(&sp->stop_post);
	memset(sp, 0, sizeof(*sp));
}

char *
socket_control_path(const char *socket_unit)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", SOCKET_CONTROL_DIR, socket_unit) < 0 ? NULL : p;
}
