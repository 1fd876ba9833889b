/* SPDX-License-Identifier: MIT */
/* verify: what systemd 252 checks once a unit's files are applied (the
 * *_verify() of each unit type); a failed check makes the unit bad-setting. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "lib/values.h"

static const char *
scalar(const struct unit *u, const char *section, const char *key)
{
	const struct setting *s = unit_setting(u, section, key);

	return s && !s->is_list ? s->values[0] : NULL;
}

/* service_add_extras() + service_verify(): the checks after loading. */
int
service_verify(struct loader *L)
{
	struct unit *u = L->u;
	const struct exec_list *start = unit_exec(u, "ExecStart"), *stop = unit_exec(u, "ExecStop");
	const char *type = scalar(u, "Service", "Type");
	const char *restart = scalar(u, "Service", "Restart");
	const char *rae = scalar(u, "Service", "RemainAfterExit");
	const char *sa = scalar(u, "Unit", "SuccessAction");
	const char *f = u->fragment;
	bool oneshot;

	if (!type)
		type = L->bus_name ? "dbus" : start ? "simple" : "oneshot";
	oneshot = !strcmp(type, "oneshot");
	if (!start && !stop && (!sa || !strcmp(sa, "none"))) {
		diag_add(L->d, f, 0, DIAG_ERROR,
			 "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.");
		return -ENOEXEC;
	}
	if (!oneshot && !start) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (!start && !(rae && parse_boolean(rae) == 1) && (!sa || !strcmp(sa, "none"))) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has no ExecStart= setting, which is only allowed for RemainAfterExit=yes services. Refusing.");
		return -ENOEXEC;
	}
	if (!oneshot && start && start->n > 1) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (oneshot && restart && (!strcmp(restart, "always") || !strcmp(restart, "on-success"))) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (oneshot && scalar(u, "Service", "ExitType") &&
	    !strcmp(scalar(u, "Service", "ExitType"), "cgroup")) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (!strcmp(type, "dbus") && !L->bus_name) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service is of type D-Bus but no D-Bus service name has been specified. Refusing.");
		return -ENOEXEC;
	}
	if (scalar(u, "Service", "PAMName")) {
		const char *km = scalar(u, "Service", "KillMode");

		if (km && strcmp(km, "control-group") && strcmp(km, "mixed")) {
			diag_add(
				L->d, f, 0, DIAG_ERROR,
				"Service has PAM enabled. Kill mode must be set to 'control-group' or 'mixed'. Refusing.");
			return -ENOEXEC;
		}
	}
	return 0;
}

static bool
bool_set(const struct unit *u, const char *key)
{
	const char *v = scalar(u, "Socket", key);

	return v && parse_boolean(v) == 1;
}

/* socket_verify() (and socket_add_extras()'s defaults): the checks after loading. */
int
socket_verify(struct loader *L)
{
	static const char *const listen[] = { "ListenStream",		"ListenDatagram",
					      "ListenSequentialPacket", "ListenFIFO",
					      "ListenSpecial",		"ListenNetlink",
					      "ListenMessageQueue",	"ListenUSBFunction" };
	struct unit *u = L->u;
	const char *f = u->fragment, *mc = scalar(u, "Socket", "MaxConnections");
	const struct setting *sym = unit_setting(u, "Socket", "Symlinks");
	size_t ports = 0, non_accept = 0, nodes = 0;

	for (size_t i = 0; i < sizeof(listen) / sizeof(listen[0]); i++) {
		const struct setting *s = unit_setting(u, "Socket", listen[i]);
		size_t n = s ? s->n_values : 0;

		ports += n;
		if (i != 0 && i != 2)
			non_accept += n; /* datagrams, FIFOs, special files, ... cannot accept */
		for (size_t k = 0; i < 4 && k < n; k++) /* unix socket paths and FIFOs */
			nodes += s->values[k][0] == '/';
	}
	if (!ports) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.");
		return -ENOEXEC;
	}
	if (bool_set(u, "Accept") && non_accept) {
		diag_add(L->d, f, 0, DIAG_ERROR,
			 "Unit configured for accepting sockets, but sockets are non-accepting. "
			 "Refusing.");
		return -ENOEXEC;
	}
	if (bool_set(u, "Accept") && mc && strtoul(mc, NULL, 0) == 0) {
		diag_add(L->d, f, 0, DIAG_ERROR, "MaxConnection= setting too small. Refusing.");
		return -ENOEXEC;
	}
	if (bool_set(u, "Accept") && scalar(u, "Socket", "Service")) {
		diag_add(L->d, f, 0, DIAG_ERROR,
			 "Explicit service configuration for accepting socket units not supported. "
			 "Refusing.");
		return -ENOEXEC;
	}
	if (sym && sym->n_values && nodes != 1) {
		diag_add(L->d, f, 0, DIAG_ERROR,
			 "Unit has symlinks set but none or more than one node in the file system. "
			 "Refusing.");
		return -ENOEXEC;
	}
	return 0;
}
