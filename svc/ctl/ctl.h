/* SPDX-License-Identifier: MIT */
/* klein-systemctl: systemctl/journalctl over runit service directories (docs/systemctl.md). */
#ifndef KLEIN_CTL_H
#define KLEIN_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* systemctl(1)'s exit codes (LSB). */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILURE = 1, /* generic failure; is-failed: not failed */
	CTL_EXIT_USAGE = 1,   /* systemctl exits 1 on a bad option or verb */
	CTL_EXIT_NOT_ACTIVE = 3,
	CTL_EXIT_NOT_IMPLEMENTED = 3, /* "Job type reload is not applicable" */
	CTL_EXIT_NO_SUCH_UNIT = 4,    /* status of an unknown unit */
	CTL_EXIT_NO_PERMISSION = 4,   /* access denied */
	CTL_EXIT_NOT_INSTALLED = 5,   /* start of an unknown unit */
};

/* klein-init creates it when the container's stop begins and removes it at boot
 * (init/init.h INIT_STOP_MARKER): is-system-running then says "stopping". */
#define CTL_STOP_MARKER "/run/klein/stopping"

struct ctl_opts {
	const char *root;	 /* --root=DIR: unit files only, nothing runs */
	const char *service_dir; /* KLEIN_SERVICE_DIR, default /etc/service */
	const char *sv_dir;	 /* KLEIN_SV_DIR, default /etc/sv (disabled converted services) */
	const char *log_dir;	 /* KLEIN_LOG_DIR, default /run/klein/log */
	const char *svlogd_dir;	 /* KLEIN_SVLOGD_DIR, default /var/log (porter.conf log = svlogd) */
	const char *porter;	 /* KLEIN_PORTER, default klein-porter */
	bool quiet, no_block, no_legend, plain, all, value, now, full, force, runtime;
	long lines; /* -n; -1 when not given */
	char type[128];
	char state_filter[64];
	char props[512]; /* -p, comma separated, several -p joined */
	char kill_whom[8];
	char preset_mode[16]; /* full, enable-only, disable-only */
	int signal;
	/* journalctl */
	bool follow;
	const char *since, *until, *output;
	bool offline;  /* no runsvdir: --root, or nothing supervises KLEIN_SERVICE_DIR */
	bool stopping; /* not --root/SYSTEMD_OFFLINE, and klein-init's CTL_STOP_MARKER exists */
};

/* What runit and the klein.* files say of one service (state.c). */
struct svc_state {
	char name[256];	     /* runit name: "nginx", "getty@tty1", "foo.socket" */
	char unit[300];	     /* unit name: "nginx.service", "foo.socket" */
	char activates[256]; /* a timer's target (its runit name), else "" */
	char dir[4096];	     /* the service directory (under service_dir or sv_dir) */
	bool exists;	     /* dir has a run file */
	bool linked;	     /* dir is in service_dir (runsvdir supervises it) */
	bool converted;	     /* written by klein-porter (.klein-porter manifest) */
	bool supervised;     /* runsv holds supervise/ok open */
	int runit;	     /* 0 down, 1 run, 2 finish; -1 unknown */
	bool want_up, paused;
	bool stopping;	     /* up, wanted down, and being stopped (not `sv once`: a timer's run) */
	pid_t pid;	     /* runsv's child (run, or finish) */
	pid_t main_pid;	     /* the daemon: klein.pid when set, else pid while running */
	uint64_t since_usec; /* realtime of the last runit state change; 0 unknown */
	bool ready;	     /* check passes (or no check) */
	bool oneshot;	     /* Type=oneshot without RemainAfterExit=: active never */
	bool has_reload;     /* control/h exists, or not converted (runit's HUP) */
	const char *active;  /* ActiveState */
	const char *sub;     /* SubState */
	char result[32];     /* Result: success, exit-code, signal, core-dump, ... */
	char exec_code[16];  /* ExecMainCode as text: exited, killed, dumped, "" */
	int exec_status;     /* ExecMainStatus */
	unsigned nrestarts;
	char fragment[4096];   /* the unit file the service was converted from, or "" */
	char description[512]; /* Description= from the generated header, or "" */
};

/* state.c */
int state_read(const struct ctl_opts *o, const char *name, struct svc_state *ret);
bool state_is_active(const struct svc_state *s);
/* [Unit] Description= of s->fragment (a host path) into s->description. */
void state_read_description(struct svc_state *s);
bool state_is_failed(const struct svc_state *s);

/* names.c: unit names and globs over the known services */
struct namelist {
	char **v;
	size_t n, cap;
};
void namelist_add(struct namelist *l, const char *s);
void namelist_done(struct namelist *l);
bool namelist_has(const struct namelist *l, const char *s);
/* "nginx" -> "nginx.service"; names with a known suffix stay. Writes into buf. */
const char *unit_name_normalize(const char *arg, char *buf, size_t size);
/* "nginx.service" -> "nginx" (runit's name); "foo.socket", "foo.timer" stay (the
 * porter names their runit services so); NULL for other types. */
const char *unit_to_svname(const char *unit, char *buf, size_t size);
/* The reverse: "nginx" -> "nginx.service", "foo.socket" -> "foo.socket". */
const char *svname_to_unit(const char *svname, char *buf, size_t size);
/* "service", "socket", "timer", ...: the unit name's suffix without the dot. */
const char *unit_type(const char *unit);
/* --type's comma list ("service,socket") names the unit's type; "" names all. */
bool unit_type_wanted(const char *types, const char *unit);
bool unit_is_glob(const char *s);
/* Every runit service known: linked in service_dir, and (all) converted ones in sv_dir. */
void services_list(const struct ctl_opts *o, bool all, struct namelist *out);
/* Expands args (names or globs) into unit names ("x.service"), in order, without
 * duplicates. A glob matching nothing adds nothing. */
void units_expand(const struct ctl_opts *o, char **args, int n, struct namelist *out);

/* runtime.c: verbs that change services (need root and runsvdir) */
int verb_start(const struct ctl_opts *o, const char *verb, char **args, int n);
int verb_kill(const struct ctl_opts *o, char **args, int n);
int runtime_wait_down(const struct ctl_opts *o, const char *name, unsigned timeout_ms);

/* show.c */
int verb_is_active(const struct ctl_opts *o, const char *verb, char **args, int n);
int verb_status(const struct ctl_opts *o, char **args, int n);
int verb_show(const struct ctl_opts *o, char **args, int n);
int verb_cat(const struct ctl_opts *o, char **args, int n);

/* list.c */
int verb_list_units(const struct ctl_opts *o, char **args, int n);
int verb_list_timers(const struct ctl_opts *o, char **args, int n);
int verb_is_system_running(const struct ctl_opts *o);
int verb_daemon_reload(const struct ctl_opts *o);

/* install.c: unit files and their links, as systemctl does them offline */
int verb_install(const struct ctl_opts *o, const char *verb, char **args, int n);
int verb_is_enabled(const struct ctl_opts *o, char **args, int n);
int verb_list_unit_files(const struct ctl_opts *o, char **args, int n);
/* The unit-file state of unit ("enabled", "disabled", "static", "masked", ...),
 * or NULL when no unit file is found. */
const char *install_state(const struct ctl_opts *o, const char *unit);

/* journal.c */
int journal_main(const struct ctl_opts *o, char **units, int n);
/* Prints the last n lines of a service's log (status); 0 or -errno. */
int journal_tail(const struct ctl_opts *o, const char *svname, long n, bool short_fmt);

/* cli.c */
int ctl_main(int argc, char **argv);
/* Time formats as systemd prints them. */
void fmt_timestamp(uint64_t usec, char *buf, size_t size);
void fmt_timespan_ago(uint64_t usec, char *buf, size_t size);
bool ctl_is_root(void);
int access_denied(const char *verb, const char *unit);

#endif
