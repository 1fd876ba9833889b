/* SPDX-License-Identifier: MIT */
/* klein-init: options, exit codes and the interfaces its modules share. */
#ifndef KLEIN_INIT_H
#define KLEIN_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/envname.h"
#include "lib/status.h"
#include "lib/utf8.h"

/* Exit codes of klein-init itself; command mode passes the command's own. */
enum {
	INIT_EXIT_OK = 0,      /* requested stop, everything ended in time */
	INIT_EXIT_FAILURE = 1, /* bad usage/config, or runsvdir cannot start */
	INIT_EXIT_SCRIPT = 2,  /* a startup script failed (policy abort) */
	INIT_EXIT_KILLED = 3,  /* requested stop, something needed SIGKILL */
};

enum log_level {
	LOGLVL_ERROR,
	LOGLVL_WARN,
	LOGLVL_INFO,
	LOGLVL_DEBUG,
};

#define INIT_DEFAULT_CONFIG	     "/etc/klein/init.conf"
#define INIT_DEFAULT_INIT_DIR	     "/etc/init"
#define INIT_DEFAULT_SERVICE_DIR     "/etc/service"
#define INIT_DEFAULT_ENV_DIR	     "/etc/container_environment"
#define INIT_DEFAULT_STOP_TIMEOUT_MS 7000u    /* ms; Docker kills at 10 s */
#define INIT_MAX_STOP_TIMEOUT_MS     3600000u /* ms */

/* Everything main.c decides; the strings are owned (see init_opts_done). */
struct init_opts {
	char *init_dir;
	char *service_dir;
	char *env_dir;
	unsigned stop_timeout_ms;
	bool script_failure_warn; /* false: a failing script aborts the boot */
	bool forward_group;	  /* forward to the command's process group */
	enum log_level log_level;
	char **command; /* argv of the command, NULL-terminated; NULL: none */
};

/* log.c: write(2)-based, allocation-free logger ("klein-init: ..."). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Monotonic clock in milliseconds. */
uint64_t now_ms(void);

/* config.c: defaults, libconfuse file, environment overrides. */
/* Fills o with the built-in defaults. Returns 0 or -ENOMEM. */
int config_defaults(struct init_opts *o);
/* Parses the libconfuse file path into o. A missing file is fine unless
 * must_exist. Returns 0, -ENOENT, or -EINVAL after logging
 * "path:line: error: ...". */
int config_load_file(struct init_opts *o, const char *path, bool must_exist);
/* Applies KLEIN_* environment overrides. Returns 0 or -EINVAL (logged). */
int config_apply_env(struct init_opts *o);
/* Replaces *slot with a copy of value. Returns 0 or -ENOMEM. */
int config_set_str(char **slot, const char *value);
/* "7", "2.5", "0.25": seconds (up to ms precision) -> ms. 0 or -EINVAL. */
int config_parse_seconds(const char *s, unsigned *ret_ms);
/* "error", "warn", "info", "debug". 0 or -EINVAL. */
int config_parse_log_level(const char *s, enum log_level *ret_level);
/* "abort" or "warn". 0 or -EINVAL. */
int config_parse_failure(const char *s, bool *ret_warn);
/* "command" or "group" (forward_signals). 0 or -EINVAL. */
int config_parse_forward(const char *s, bool *ret_group);
/* Frees the strings of o (not the command, which points into argv). */
void init_opts_done(struct init_opts *o);

/* envdir.c: the container environment as envdir, .sh and .json. */
/* Streaming writer over an fd with a fixed buffer; err keeps the first
 * failure as -errno. */
struct wbuf {
	int fd;
	int err;
	size_t len;
	char buf[4096];
};
void wbuf_put(struct wbuf *w, const char *s, size_t n);
void wbuf_puts(struct wbuf *w, const char *s);
int wbuf_flush(struct wbuf *w);
/* Writes s as one single-quoted POSIX shell word. */
void env_sh_quote(struct wbuf *w, const char *s);
/* Writes s as a JSON string literal; invalid UTF-8 bytes become \u00XX. */
void env_json_quote(struct wbuf *w, const char *s);
/* Asked now and then during long environment work: stop() returning true
 * abandons it (a stop was requested). */
struct env_poll {
	bool (*stop)(void *ctx);
	void *ctx;
};
/* Imports variables from dir that the environment lacks (image defaults),
 * then writes dir, dir.sh and dir.json. Entries that cannot be variables
 * (directories, unreadable, too long, past the argument space) are skipped
 * with a warning. Returns 0, -EINTR (poll said stop) or -errno (logged). */
int env_setup(const char *dir, const struct env_poll *poll);
/* Applies what a script changed in dir (added, changed, removed) to the
 * environment, then rewrites the files that differ. Same returns. */
int env_reload(const char *dir, const struct env_poll *poll);

/* scripts.c: the startup scripts of the init directory. */
/* True if a directory entry name is never run (dotfile, *~, *.dpkg-*). */
bool scripts_name_skipped(const char *name);
/* Lists the runnable scripts of dir as full paths, byte-sorted. A missing
 * dir gives none. Caller frees with scripts_free. Returns 0 or -errno. */
int scripts_list(const char *dir, char ***ret_paths, size_t *ret_n);
void scripts_free(char **paths, size_t n);

/* spawn.c: fork + clean child state + exec. */
struct spawn_req {
	char *const *argv;
	int cwd_fd;    /* fchdir here in the child; -1: stay */
	bool new_pgrp; /* own process group */
	bool take_tty; /* and make it the tty's foreground group */
};
/* Starts argv. On success *ret_pid is the child; *ret_exec_err is 0 or the
 * errno of the failed exec (the child then exits 126/127). Returns 0 or
 * -errno if fork failed. */
int spawn(const struct spawn_req *req, pid_t *ret_pid, int *ret_exec_err);

/* proc.c: descendants via /proc, directory walking without malloc. */
struct proc_info {
	pid_t pid;
	pid_t ppid;
	char comm[32];
};
/* Fills out with the live descendants of root (up to max). Returns count. */
size_t proc_descendants(pid_t root, struct proc_info *out, size_t max);
/* Calls fn for each entry of path except . and ..; stops when fn returns
 * non-zero and returns that. Returns 0 or -errno. */
int dir_each(const char *path, int (*fn)(const char *name, void *ctx), void *ctx);
/* Reads at most cap-1 bytes of path into buf, terminated. 0 or -errno. */
int read_small(const char *path, char *buf, size_t cap);

/* relay.c: signals to the services when there is no command. */
/* The runit control character for sig (runsv(8): h, 1, 2, q, a, c), or 0
 * if it has none or is not relayed. */
char relay_control_char(int sig);
/* Writes c to the SERVICE_DIR/NAME/supervise/control FIFO (non-blocking;
 * no heap) of each service that has an executable control/<c>, i.e. asked
 * for it; *skipped (if not NULL) counts the service dirs without one.
 * Returns how many took it, or -errno if service_dir cannot be read. */
int relay_to_services(const char *service_dir, char c, int *skipped);
/* Creates RUN/runit/supervise (0755), where converted services' supervise
 * links point, if RUN exists. Read-only or denied: a debug log. 0 or -errno. */
int rundir_setup(const char *run);

/* The running init: loop.c (boot, supervise) calls shutdown.c (the bounded
 * stop); both drive events.c (signals, reaping), which calls neither. */
struct child {
	pid_t pid;
	int status;
	bool running;
};
struct init_state {
	const struct init_opts *opts;
	int sfd;
	int wake_fd; /* also polled by loop_wait and drained (-1: none) */
	int cwd_fd;
	pid_t self;
	bool pid1;
	bool have_children;
	bool stop_requested;
	bool stopping;
	struct child script, command, runsvdir;
	bool command_done; /* the command ended (its status decides) */
	uint64_t runsvdir_started;
	uint64_t runsvdir_restart_at;
};
/* events.c: where signals for the command go: its pid, or -pid for its group. */
pid_t command_target(const struct init_state *st);
/* events.c: waits up to timeout_ms (-1: forever) for signals, then reaps. */
int loop_wait(struct init_state *st, int timeout_ms);
/* shutdown.c: the bounded stop; returns the number of processes that needed SIGKILL. */
size_t shutdown_run(struct init_state *st);
/* The file that tells `systemctl is-system-running` the container is stopping
 * (svc/ctl/ctl.h CTL_STOP_MARKER): created (with /run/klein) when the stop
 * begins, removed at boot so that a /run kept across a restart does not lie.
 * Only open/close/unlink/mkdir: no heap. Errors are ignored (a read-only
 * /run only loses the state word). */
#define INIT_STOP_MARKER_DIR "/run/klein"
#define INIT_STOP_MARKER     INIT_STOP_MARKER_DIR "/stopping"
void stop_marker_set(bool on);
/* Runs klein-init with o; returns the process exit code. */
int init_run(const struct init_opts *o);
/* Called once when startup is over; from then on no heap use (a weak
 * no-op that the heap-guard test build replaces). */
void init_steady(void);

#endif
