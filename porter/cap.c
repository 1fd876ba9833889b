/* SPDX-License-Identifier: MIT */
/* cap: Linux capability names (linux/capability.h, as of systemd 252's build). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cap.h"

/* Index = capability number. */
static const char *const cap_names[] = {
	"cap_chown",
	"cap_dac_override",
	"cap_dac_read_search",
	"cap_fowner",
	"cap_fsetid",
	"cap_kill",
	"cap_setgid",
	"cap_setuid",
	"cap_setpcap",
	"cap_linux_immutable",
	"cap_net_bind_service",
	"cap_net_broadcast",
	"cap_net_admin",
	"cap_net_raw",
	"cap_ipc_lock",
	"cap_ipc_owner",
	"cap_sys_module",
	"cap_sys_rawio",
	"cap_sys_chroot",
	"cap_sys_ptrace",
	"cap_sys_pacct",
	"cap_sys_admin",
	"cap_sys_boot",
	"cap_sys_nice",
	"cap_sys_resource",
	"cap_sys_time",
	"cap_sys_tty_config",
	"cap_mknod",
	"cap_lease",
	"cap_audit_write",
	"cap_audit_control",
	"cap_setfcap",
	"cap_mac_override",
	"cap_mac_admin",
	"cap_syslog",
	"cap_wake_alarm",
	"cap_block_suspend",
	"cap_audit_read",
	"cap_perfmon",
	"cap_bpf",
	"cap_checkpoint_restore",
};

int
cap_from_name(const char *s)
{
	char *end;
	long n;

	/* systemd tries a number first (safe_atoi(): base prefixes allowed). */
	errno = 0;
	n = strtol(s, &end, 0);
	if (end != s && !*end && !errno)
		return n >= 0 && n < 64 ? (int)n : -EINVAL;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcasecmp(s, cap_names[i]))
			return (int)i;
	return -EINVAL;
}
