/* SPDX-License-Identifier: MIT */
/* translate: a loaded unit -> struct run_plan, the runit-shaped description of
 * the service that emit.c turns into scripts. One table of directive rules;
 * every directive is either mapped, approximated with a warning, dropped with a
 * warning, or silently accepted. No I/O. */
#ifndef KLEIN_PORTER_TRANSLATE_H
#define KLEIN_PORTER_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "load.h"

#define PLAN_INFINITY UINT64_MAX

enum plan_type {
	PLAN_SIMPLE,  /* simple, exec, idle, dbus: exec in the foreground */
	PLAN_FORKING, /* klein-svc supervise --type forking */
	PLAN_NOTIFY,  /* klein-svc supervise --type notify */
	PLAN_ONESHOT,
};

enum plan_restart {
	PLAN_RESTART_NO,
	PLAN_RESTART_ALWAYS,
	PLAN_RESTART_ON_SUCCESS,
	PLAN_RESTART_ON_FAILURE,
	PLAN_RESTART_ON_ABNORMAL,
	PLAN_RESTART_ON_ABORT,
	PLAN_RESTART_ON_WATCHDOG,
};

enum plan_log {
	PLAN_LOG_PREFIX,  /* log/run prefixes every line with the service name */
	PLAN_LOG_SVLOGD,  /* log/run writes svlogd logs under /var/log/NAME */
	PLAN_LOG_INHERIT, /* no log/: output goes to runsvdir's (the container's) */
};

/* Where one standard stream goes. */
enum plan_stdio {
	PLAN_IO_DEFAULT, /* stdin: /dev/null; stdout: the log; stderr: like stdout */
	PLAN_IO_NULL,
	PLAN_IO_LOG,	 /* journal, syslog, kmsg, inherit-to-container ... */
	PLAN_IO_CONSOLE, /* tty, console */
	PLAN_IO_FILE,	 /* file: (no truncation) */
	PLAN_IO_APPEND,
	PLAN_IO_TRUNCATE,
	PLAN_IO_INHERIT, /* stderr: same as stdout */
	PLAN_IO_SOCKET,	 /* socket: the Accept=yes connection on fd 3 */
};

struct plan_io {
	enum plan_stdio kind;
	char *path;
};

/* One Exec line, ready for `klein-svc exec`. */
struct plan_cmd {
	char *path;
	char **argv; /* NULL-terminated; argv[0] is the '@' name when given */
	size_t argc;
	bool argv0_given; /* '@': argv[0] differs from path */
	bool ignore_failure, no_expand, as_root;
	bool full_privileges; /* '+': also no RootDirectory= (as_root alone: '!') */
	char *file;
	unsigned line;
};

struct plan_cmds {
	struct plan_cmd *v;
	size_t n;
};

enum plan_dir_kind {
	PLAN_DIR_RUNTIME,
	PLAN_DIR_STATE,
	PLAN_DIR_CACHE,
	PLAN_DIR_LOGS,
	PLAN_DIR_CONFIGURATION,
	PLAN_DIR_N,
};

/* A `SRC:DST` item: DST (relative to the same root) becomes a symlink to SRC. */
struct plan_dir_link {
	char *src;
	char *dst;
};

struct plan_dirs {
	char **names; /* relative, normalized; each created once */
	size_t n;
	struct plan_dir_link *links;
	size_t n_links;
	unsigned mode;
};

enum plan_cond_kind {
	PLAN_COND_PATH_EXISTS,
	PLAN_COND_PATH_EXISTS_GLOB,
	PLAN_COND_PATH_IS_DIRECTORY,
	PLAN_COND_PATH_IS_SYMLINK,
	PLAN_COND_FILE_NOT_EMPTY,
	PLAN_COND_DIRECTORY_NOT_EMPTY,
	PLAN_COND_FILE_IS_EXECUTABLE,
	PLAN_COND_PATH_IS_MOUNT_POINT,
	PLAN_COND_PATH_IS_READ_WRITE,
	PLAN_COND_CAPABILITY, /* cap: a bit of the bounding set (CapBnd in /proc/self/status) */
	PLAN_COND_CONST_TRUE, /* evaluated at convert time (what systemd sees in a container) */
	PLAN_COND_CONST_FALSE,
};

struct plan_cond {
	enum plan_cond_kind kind;
	bool negate, trigger, is_assert;
	char *value;
	char *key; /* "ConditionPathExists", for messages */
	char *file;
	unsigned line;
	int cap; /* PLAN_COND_CAPABILITY: the capability's number */
};

struct plan_rlimit {
	char *name;  /* systemd's: "NOFILE" */
	char *value; /* "SOFT:HARD" as klein-svc takes it */
};

/* Exit statuses and signals that count as success or force/prevent a restart. */
struct plan_status_set {
	int *codes;
	size_t n_codes;
	int *signals;
	size_t n_signals;
};

struct run_plan {
	char *unit; /* "nginx.service", "getty@tty1.service" */
	char *name; /* service directory name: "nginx", "getty@tty1" */
	char *fragment;
	char **dropins;
	size_t n_dropins;
	char *description;

	enum plan_type type;
	char *type_name; /* as systemd reads it: "simple", "exec", "forking", ... */
	bool remain_after_exit;
	bool timer_target; /* started by a timer: a down file, finish records the result */
	char *pidfile;
	bool guess_main_pid;

	struct plan_cmds exec_condition, start_pre, start, start_post, reload, stop, stop_post;

	char *exec_search_path; /* ExecSearchPath=, ':'-joined; NULL when unset */
	char **env;		/* Environment= ("NAME=VALUE"), then porter.conf env */
	size_t n_env;
	char **env_files; /* "-/path" or "/path" */
	size_t n_env_files;
	char **unset_env;
	size_t n_unset_env;

	char *user, *group;
	char **supplementary_groups;
	size_t n_supplementary_groups;
	bool permissions_start_only;
	char *working_directory; /* as written: may start with '-', may be "~" */
	char *root_directory;
	int umask; /* -1: systemd's default 0022 */
	bool nice_set;
	int nice;
	bool oom_score_adjust_set;
	int oom_score_adjust;
	bool ignore_sigpipe; /* default true */
	struct plan_rlimit *rlimits;
	size_t n_rlimits;

	struct plan_dirs dirs[PLAN_DIR_N];
	int runtime_preserve; /* 0 no, 1 yes, 2 restart */

	/* Credentials (tr_creds.c), as `klein-svc credentials` takes them:
	 * "ID:PATH", "ID:VALUE" (C-escaped), "GLOB"; has_creds: some credential
	 * directive is set, so $CREDENTIALS_DIRECTORY is too (systemd's
	 * exec_context_has_credentials(), the Encrypted forms included). */
	bool has_creds;
	char **creds_load, **creds_set, **creds_import;
	size_t n_creds_load, n_creds_set, n_creds_import;
	char **open_files; /* OpenFile=: "PATH:FDNAME:OPTIONS", for the main command */
	size_t n_open_files;

	struct plan_io in, out, err;
	enum plan_log log;
	/* porter.conf log_dir (borrowed: the config outlives the plan; NULL: the
	 * default) and log_max_size (bytes; 0: the default). */
	const char *log_dir;
	unsigned long long log_max_size;

	struct plan_cond *conds;
	size_t n_conds;

	enum plan_restart restart;
	bool restart_always_forced; /* porter.conf restart = "always" */
	uint64_t restart_usec;
	/* RestartSteps=, RestartMaxDelaySec= (254): the delay grows from restart_usec
	 * to the max over the steps; 0 steps (or no max): it does not grow. */
	unsigned restart_steps;
	uint64_t restart_max_delay_usec;
	/* The delay before the Nth automatic restart in a row is restart_delays[N-1];
	 * after the last, restart_max_delay_usec. Empty: always restart_usec. */
	uint64_t *restart_delays;
	size_t n_restart_delays;
	/* Type=notify-reload (253): reload sends reload_signal and waits for
	 * RELOADING=1, READY=1 (klein-svc reload). */
	bool notify_reload;
	int reload_signal;
	uint64_t start_limit_interval_usec; /* 0 (or a burst of 0): no start limit */
	unsigned start_limit_burst;
	struct plan_status_set success_status, restart_prevent, restart_force;

	int kill_signal, final_kill_signal;
	bool send_sighup, send_sigkill;
	char *kill_mode; /* "control-group", "mixed", "process", "none" */
	uint64_t timeout_stop_usec, timeout_start_usec;

	char **requires; /* service dir names this one must wait for (Requires/BindsTo/Requisite) */
	size_t n_requires;
	char **wants; /* Wants= and After= service names: waited for if present */
	size_t n_wants;
	/* Socket activation (set by convert_socket.c, not by translate_unit): the
	 * control sockets of the socket holders the main command fetches its
	 * listening fds from (`klein-svc exec --sockets`). */
	char **sockets;
	size_t n_sockets;
};

/* Overrides from porter.conf (config.h fills this; all fields optional). */
struct translate_options {
	const char *log;	/* "prefix", "svlogd", "inherit"; NULL = prefix */
	const char *restart;	/* "unit" or "always"; NULL = unit */
	const char *type;	/* replaces Type= */
	const char *exec_start; /* replaces ExecStart= (systemd's syntax, split by translate) */
	char *const *env;	/* extra "NAME=VALUE" after the unit's Environment= */
	size_t n_env;
	const char *name; /* service directory name; NULL = derived from the unit name */
	/* porter.conf log_dir (NULL: the default) and log_max_size (bytes; 0: the default) */
	const char *log_dir;
	unsigned long long log_max_size;
};

/* Translates u into *ret. Warnings for every dropped or approximated directive
 * go to d (file:line of the directive); a unit that cannot run under runit at
 * all (no ExecStart, bad state) gets an error in d and -EINVAL. Returns 0,
 * -EINVAL (refused) or -ENOMEM. On success free *ret with run_plan_done(). */
int translate_unit(const struct unit *u, const struct translate_options *o, struct run_plan *ret,
		   struct diag *d);

/* "simple", "forking (klein-svc supervise)", ... for the summary line. */
const char *translate_strategy(const struct run_plan *p);

/* The service directory name for a unit name: "nginx.service" -> "nginx". */
char *translate_service_name(const char *unit);

void run_plan_done(struct run_plan *p);

/* Accept=yes: the per-connection instances get no credentials (their
 * directory would outlive them: no finish runs per connection); warns when
 * the unit has some. tr_creds.c. */
void translate_drop_creds(struct run_plan *p, struct diag *d);

/* Splits an ExecStart= value with systemd's rules (prefixes, quoting) into a
 * plan_cmd; used for porter.conf's exec_start. Returns 0 or -EINVAL. */
int translate_split_exec(const char *value, struct plan_cmd *ret);

/* Splits a loader `*Directory=` item `SRC[:DST]` (`\:`, `\\` escaped in SRC)
 * into malloc'ed *src and *dst (NULL without DST). Returns 0 or -ENOMEM. */
int translate_dir_item(const char *item, char **src, char **dst);

#endif
