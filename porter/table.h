/* SPDX-License-Identifier: MIT */
/* table: what a directive means, one row per directive, one table per section,
 * one list of section tables per unit type. A row says how the loader checks
 * and stores an assignment (load.c calls row->store) and how the translator
 * maps the final value (translate.c calls row->translate). Adding a directive
 * is adding a row to table_SECTION.c; adding a unit type is adding its section
 * tables and a `struct unit_type` to table.c. See docs/architecture.md. */
#ifndef KLEIN_PORTER_TABLE_H
#define KLEIN_PORTER_TABLE_H

#include <stddef.h>

#include "lib/diag.h"

struct directive;
struct loader; /* merge.h: the unit being loaded, the current file */
struct run_plan;
struct setting;

/* How an assignment KEY=VALUE at `line` of the current file is checked and
 * merged into the unit (store.c, store_exec.c). Returns 0 (applied, or
 * ignored with a warning), -ENOEXEC (the unit is refused: bad-setting),
 * -EINVAL (the file fails to load: error) or -ENOMEM. */
typedef int store_fn(struct loader *L, const struct directive *dr, const char *value,
		     unsigned line);

/* A value grammar for store_checked (check.c): 0 when value is valid, or
 * -EINVAL after systemd's warning (the assignment is then ignored). Called
 * for empty values too (an empty value means "reset" for most grammars). */
typedef int check_fn(struct loader *L, const struct directive *dr, const char *value,
		     unsigned line);

/* How the final setting maps onto the run plan (tr_*.c). why is the row's
 * reason text (tr_drop prints it). Returns 0 or -ENOMEM. */
typedef int tr_fn(struct run_plan *p, const struct setting *s, const char *why, struct diag *d);

struct directive {
	const char *key;	 /* "ExecStart" */
	store_fn *store;	 /* how the loader stores it */
	check_fn *check;	 /* the value grammar (store_checked only), else NULL */
	tr_fn *translate;	 /* how it becomes part of the run plan */
	const char *why;	 /* tr_drop: why it is dropped (the warning text) */
	const char *use_instead; /* deprecated: systemd warns to use this key instead */
	/* The systemd versions that know the key (0: no bound). A row outside the
	 * version being read is an unknown key; two rows with the same key and
	 * disjoint ranges give a key a per-version meaning. */
	unsigned since, until;
};

/* One row: key, store, check (or NULL), translate, why (or NULL). */
#define ROW(key, store, check, translate, why)                                                     \
	{                                                                                          \
		key, store, check, translate, why, NULL, 0, 0                                      \
	}
/* A row that only systemd versions since..until have (0: no bound). */
#define ROW_V(key, store, check, translate, why, since, until)                                     \
	{                                                                                          \
		key, store, check, translate, why, NULL, since, until                              \
	}

struct section_table {
	const char *name;	      /* "Service" */
	const struct directive *rows; /* sorted by key (strcmp) for bsearch */
	size_t n;
};

struct unit_type {
	const char *suffix;			     /* ".service" */
	const struct section_table *const *sections; /* NULL-terminated */
	/* The type's checks once every file is applied (systemd's *_verify()),
	 * or NULL. Returns 0 or -ENOEXEC (bad-setting, with an error in L->d). */
	int (*verify)(struct loader *L);
};

/* The systemd version a reader gets when it names none (version 0). The
 * versions the porter reads units as are listed in sdversion.h. */
#define TABLE_SYSTEMD_VERSION 252

/* The unit type for a unit name by its suffix, or NULL. */
const struct unit_type *unit_type_for(const char *name);

/* The row for SECTION/KEY in type t as systemd `version` knows it (0:
 * TABLE_SYSTEMD_VERSION), or NULL: an unknown key. */
const struct directive *directive_find(const struct unit_type *t, const char *section,
				       const char *key, unsigned version);

/* The section table called name in t, or NULL. */
const struct section_table *section_find(const struct unit_type *t, const char *name);

/* The section tables (table_unit.c, table_service.c, table_install.c). */
extern const struct section_table table_unit, table_service, table_install, table_socket,
	table_timer;

/* Reasons shared by many dropped directives. */
#define WHY_SANDBOX                                                                                \
	"sandboxing needs mount namespaces, seccomp or capabilities that a runit service under "   \
	"Docker does not get; the service runs without this hardening"
#define WHY_CGROUP                                                                                 \
	"resource control needs a cgroup per service; limit the container instead (docker run "    \
	"--memory, --cpus, --pids-limit)"
#define WHY_CAPS                                                                                   \
	"capability sets are not applied (chpst cannot); a root service keeps the container's "    \
	"capabilities, a User= service has none"
#define WHY_UNIT_REL	  "runit has no such relation between services"
#define WHY_FDSTORE	  "there is no file descriptor store: a restarted service starts afresh"
#define WHY_RESTART_STEPS "the restart delay stays RestartSec= (no growing delay)"

/* ---- how values are stored (store.c: generic; store_exec.c: [Service]) ---- */
store_fn store_scalar;		/* last assignment wins, kept as written */
store_fn store_checked;		/* row->check, then like store_scalar */
store_fn store_scalar_spec;	/* last wins, specifiers resolved */
store_fn store_slice;		/* store_scalar_spec, and %c/%r follow it */
store_fn store_bus_name;	/* store_scalar_spec; the default Type= becomes dbus */
store_fn store_words;		/* quoted words appended, specifiers resolved; empty resets */
store_fn store_words_raw;	/* quoted words appended, no specifiers; empty resets */
store_fn store_line;		/* the whole value is one item, specifiers resolved */
store_fn store_listen;		/* Listen*=: one address (row->check) or path; empty resets */
store_fn store_socket_user;	/* SocketUser=, SocketGroup=: store_user, nobody warned */
store_fn store_socket_service;	/* [Socket] Service=: a .service name, not a template */
store_fn store_deps;		/* unit names appended, deduplicated; never reset */
store_fn store_install;		/* [Install] lists: words, specifiers where they resolve */
store_fn store_exec;		/* Exec*: command lines (struct exec_list) */
store_fn store_env;		/* Environment=: NAME=VALUE, later names replace */
store_fn store_env_file;	/* EnvironmentFile=: absolute paths, '-' prefix */
store_fn store_env_names;	/* PassEnvironment=, UnsetEnvironment= */
store_fn store_status;		/* SuccessExitStatus= and co: exit codes and signals */
store_fn store_user;		/* User=, Group=: a user/group name or numeric ID */
store_fn store_groups;		/* SupplementaryGroups= */
store_fn store_exec_dir;	/* RuntimeDirectory= and co: SRC[:DST] items */
store_fn store_pid_file;	/* PIDFile=: absolute, /var/run -> /run */
store_fn store_pid_file_notice; /* the same, and the rewrite is a warning (257) */
store_fn store_workdir;		/* WorkingDirectory=: '-', '~' */
store_fn store_output;		/* StandardOutput=, StandardError= */
store_fn store_input;		/* StandardInput= */
store_fn store_timer;		/* On*Sec=, OnCalendar=: lists; empty resets them all */
store_fn store_timer_unit;	/* [Timer] Unit=: a unit name, not a .timer */
/* store_creds.c: "ID:..." items, one per ID, shared with the Encrypted form */
store_fn store_load_credential;		 /* LoadCredential=, LoadCredentialEncrypted= */
store_fn store_set_credential;		 /* SetCredential=, SetCredentialEncrypted= */
store_fn store_import_credential;	 /* ImportCredential=: globs, deduplicated */
store_fn store_import_credential_rename; /* the same, GLOB[:RENAME] (256) */
store_fn store_open_file;		 /* OpenFile=: "PATH:FDNAME:OPTIONS" */

/* ---- value grammars (check.c), with systemd 252's warnings ---- */
check_fn check_bool, check_sec, check_timeout, check_timeout_start, check_signal, check_mode,
	check_rlimit, check_nice, check_oom_score, check_service_type, check_restart,
	check_kill_mode, check_notify_access, check_exit_type;
/* grammars that later versions widened (check.c, the version in the name) */
check_fn check_service_type_253, check_private_tmp_257, check_private_users_257,
	check_protect_cgroups_257, check_restart_mode, check_restart_mode_257, check_unsigned,
	check_service_type_257, check_job_mode, check_job_mode_257, check_action, check_action_253;
/* [Socket] grammars (check.c): numbers, names, socket addresses */
check_fn check_uint, check_int, check_long, check_iec_size, check_ip_tos, check_bind_ipv6,
	check_timestamping, check_socket_protocol, check_ifname, check_listen;

/* ---- translation rules (tr_*.c) ---- */
tr_fn tr_ignore;  /* accepted silently: nothing to do under runit */
tr_fn tr_drop;	  /* "KEY= dropped: WHY" */
tr_fn tr_unknown; /* "[SECTION] KEY= dropped: klein-porter does not know this directive" */
/* tr_unit.c: [Unit] */
tr_fn tr_description, tr_requires, tr_wants, tr_before, tr_start_limit, tr_cond;
/* tr_lifecycle.c: type, restart, timeouts, stopping */
tr_fn tr_type, tr_reload_signal, tr_restart_steps, tr_restart_max_delay, tr_restart_mode, tr_remain,
	tr_guess, tr_pidfile, tr_restart, tr_restart_sec, tr_timeout_stop, tr_timeout_start,
	tr_timeout, tr_kill_signal, tr_final_signal, tr_kill_mode, tr_sighup, tr_sigkill,
	tr_success, tr_prevent, tr_force;
/* tr_identity.c: who and how the process runs */
tr_fn tr_user, tr_group, tr_supp, tr_dynamic_user, tr_pso, tr_workdir, tr_rootdir, tr_umask,
	tr_nice, tr_oom, tr_sigpipe, tr_limit;
/* tr_dirs.c: RuntimeDirectory= and co */
tr_fn tr_dir, tr_dir_mode, tr_preserve;
/* tr_env.c: environment and standard streams */
tr_fn tr_env_file, tr_exec_search_path, tr_unset_env, tr_pass_env, tr_stdio;
/* tr_creds.c: credentials ($CREDENTIALS_DIRECTORY) and OpenFile= */
tr_fn tr_creds, tr_creds_encrypted, tr_open_file;

#endif
