/* SPDX-License-Identifier: MIT */
/* The bounded stop: services through runsv, then TERM all, KILL at the deadline. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

#define REAP_AFTER_KILL_MS 2000u /* ms; D-state processes may never die */
#define PROCS_MAX	   1024	 /* descendants handled per pass */

static struct proc_info procs[PROCS_MAX];
/* Log services left behind by a runsv we ended early (see runsv_pass). */
static pid_t log_pids[PROCS_MAX];
static size_t log_pids_n;

/* Time left until `until`, for a poll: every wait is woken by a signal
 * (SIGCHLD) or the inotify fd, so this is only ever the deadline. */
static int
ms_left(uint64_t until)
{
	uint64_t now = now_ms();

	if (now >= until)
		return 0;
	return until - now > INT_MAX ? INT_MAX : (int)(until - now);
}

static void
signal_runsv(struct init_state *st)
{
	size_t n = proc_descendants(st->self, procs, PROCS_MAX);

	/* TERM to runsv = control 'x': control/t, TERM+CONT, finish, exit.
	 * This reaches runsv's orphaned by an earlier runsvdir too. */
	for (size_t i = 0; i < n; i++)
		if (strcmp(procs[i].comm, "runsv") == 0)
			(void)kill(procs[i].pid, SIGTERM);
}

static bool
is_log_pid(pid_t pid)
{
	for (size_t i = 0; i < log_pids_n; i++)
		if (log_pids[i] == pid)
			return true;
	return false;
}

/* True once the service of this runsv is down for good (it got our TERM,
 * i.e. want exit). Watches its supervise/ dir first, so that the rename of
 * supervise/stat that says "down" wakes the stop loop up. */
static bool
runsv_service_down(struct init_state *st, pid_t pid, char *stat, size_t cap)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cwd/supervise", (int)pid);
	if (st->wake_fd >= 0)
		(void)inotify_add_watch(st->wake_fd, path, IN_MOVED_TO);
	snprintf(path, sizeof(path), "/proc/%d/cwd/supervise/stat", (int)pid);
	if (read_small(path, stat, cap) < 0)
		return false;
	stat[strcspn(stat, "\n")] = '\0';
	/* "down", maybe ", paused"; never "run"/"finish" (with their wants). */
	return strncmp(stat, "down", 4) == 0 && (stat[4] == ',' || !stat[4]);
}

/* True if pid has a child (among the n procs) other than except. */
static bool
runsv_has_child(const struct proc_info *all, size_t n, pid_t pid, pid_t except)
{
	for (size_t i = 0; i < n; i++)
		if (all[i].ppid == pid && all[i].pid != except)
			return true;
	return false;
}

/* One look at the runsv's: those whose service is down are ended now.
 * runsv sleeps 1 s (signals blocked, control FIFO unread) after a service
 * that ran for less than 1 s goes down, before it honours the exit it was
 * asked for; that would hold every young or crash-looping service's stop
 * for a second. With the service and its finish done, nothing is left for
 * runsv to do but exit, and a KILL only skips the sleep. A log service it
 * leaves sees EOF on its pipe and ends by itself; it is waited for too.
 * Returns how many runsv's and such log services are still alive. */
static size_t
runsv_pass(struct init_state *st)
{
	size_t n = proc_descendants(st->self, procs, PROCS_MAX), left = 0;
	char path[64], buf[32], stat[64];
	pid_t log;

	for (size_t i = 0; i < n; i++) {
		if (is_log_pid(procs[i].pid)) {
			left++;
			continue;
		}
		if (strcmp(procs[i].comm, "runsv") != 0)
			continue;
		left++;
		if (!runsv_service_down(st, procs[i].pid, stat, sizeof(stat)))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cwd/log/supervise/pid", (int)procs[i].pid);
		log = read_small(path, buf, sizeof(buf)) == 0 ? (pid_t)atoi(buf) : 0;
		/* stat can say "down" for a moment while runsv is still starting
		 * the service (the child runs before the parent rewrites stat):
		 * only a runsv with no child but its log is really done. */
		if (runsv_has_child(procs, n, procs[i].pid, log))
			continue;
		if (log > 0 && !is_log_pid(log) && log_pids_n < PROCS_MAX)
			log_pids[log_pids_n++] = log;
		log_msg(LOGLVL_DEBUG, "runsv (pid %d): its service is %s; ending it now",
			(int)procs[i].pid, stat);
		(void)kill(procs[i].pid, SIGKILL);
	}
	return left;
}

struct svc_ctx {
	const char *dir;
	pid_t pid;  /* find this pid's service (0: report stuck ones) */
	char *name; /* out: service name, when pid was found */
	size_t cap;
	unsigned elapsed; /* ms, for the report */
};

static pid_t
read_pid(const char *dir, const char *svc, const char *sub)
{
	char path[PATH_MAX], buf[32];

	if (snprintf(path, sizeof(path), "%s/%s/%ssupervise/pid", dir, svc, sub) >=
		    (int)sizeof(path) ||
	    read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	return (pid_t)atoi(buf);
}

static int
svc_visit(const char *name, void *ctx)
{
	struct svc_ctx *c = ctx;
	char path[PATH_MAX], stat[32];
	pid_t pid = read_pid(c->dir, name, "");

	if (name[0] == '.')
		return 0;
	if (c->pid) {
		if (pid == c->pid || read_pid(c->dir, name, "log/") == c->pid) {
			snprintf(c->name, c->cap, "%s%s", name, pid == c->pid ? "" : "/log");
			return 1;
		}
		return 0;
	}
	if (snprintf(path, sizeof(path), "%s/%s/supervise/stat", c->dir, name) >=
		    (int)sizeof(path) ||
	    read_small(path, stat, sizeof(stat)) < 0)
		return 0;
	stat[strcspn(stat, "\n")] = '\0';
	if (strcmp(stat, "down") != 0)
		log_msg(LOGLVL_WARN, "service '%s' (pid %d, %s) did not stop within %u ms", name,
			(int)pid, stat, c->elapsed);
	return 0;
}

/* Names the service whose run (or log/run) has pid, into buf. */
static bool
service_of(const struct init_state *st, pid_t pid, char *buf, size_t cap)
{
	struct svc_ctx c = { st->opts->service_dir, pid, buf, cap, 0 };

	return dir_each(st->opts->service_dir, svc_visit, &c) == 1;
}

static void
phase_services(struct init_state *st, uint64_t until)
{
	uint64_t t0 = now_ms();
	struct svc_ctx c = { st->opts->service_dir, 0, NULL, 0, 0 };
	size_t left;

	/* runsvdir first, so that it cannot restart a runsv we are stopping.
	 * runit's runsvdir exits at once on TERM and leaves its runsv's alone,
	 * but checks for the TERM only between polls: one that lands just
	 * before a poll waits out its 5 s timeout. KILL has the same effect
	 * (runsvdir -P put each runsv in a session of its own), at once. */
	if (st->runsvdir.running)
		(void)kill(st->runsvdir.pid, SIGKILL);
	if (st->command.running) {
		(void)kill(command_target(st), SIGTERM);
		(void)kill(command_target(st), SIGCONT);
	}
	if (st->script.running) {
		(void)kill(st->script.pid, SIGTERM);
		(void)kill(st->script.pid, SIGCONT);
	}
	/* Its exit (SIGCHLD) ends the wait; its runsv's are ours from then on. */
	while (st->runsvdir.running && now_ms() < until)
		loop_wait(st, ms_left(until));
	/* No inotify: still correct, runsv's then exit at their own pace. */
	st->wake_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	log_pids_n = 0;
	signal_runsv(st);
	/* Woken by SIGCHLD (a runsv, log service, the command or the script
	 * ended) or by inotify (a service's state changed). */
	while ((left = runsv_pass(st)) > 0 || st->command.running || st->script.running) {
		if (now_ms() >= until)
			break;
		loop_wait(st, ms_left(until));
	}
	if (st->wake_fd >= 0)
		close(st->wake_fd);
	st->wake_fd = -1;
	c.elapsed = (unsigned)(now_ms() - t0);
	if (left > 0)
		(void)dir_each(st->opts->service_dir, svc_visit, &c);
	log_msg(LOGLVL_INFO, "stop phase 1 (services, command): %u ms", c.elapsed);
}

static size_t
signal_all(struct init_state *st, int sig, const char *why)
{
	size_t n = proc_descendants(st->self, procs, PROCS_MAX);
	char svc[128], name[32];

	status_signal_name(sig, name, sizeof(name));
	for (size_t i = 0; i < n; i++) {
		if (service_of(st, procs[i].pid, svc, sizeof(svc)))
			log_msg(LOGLVL_WARN, "%s: sending %s to pid %d (%s) of service '%s'", why,
				name, (int)procs[i].pid, procs[i].comm, svc);
		else
			log_msg(sig == SIGKILL ? LOGLVL_WARN : LOGLVL_INFO,
				"%s: sending %s to pid %d (%s)", why, name, (int)procs[i].pid,
				procs[i].comm);
		if (!st->pid1)
			(void)kill(procs[i].pid, sig);
	}
	/* As PID 1, kill(-1) also reaches what the walk could not see; it
	 * never leaves our namespace. Outside PID 1 it would hit the host. */
	if (st->pid1)
		(void)kill(-1, sig);
	return n;
}

void
stop_marker_set(bool on)
{
	int fd;

	if (!on) {
		(void)unlink(INIT_STOP_MARKER);
		return;
	}
	(void)mkdir(INIT_STOP_MARKER_DIR, 0755);
	fd = open(INIT_STOP_MARKER, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	else
		log_msg(LOGLVL_DEBUG, "cannot create %s: %s", INIT_STOP_MARKER, strerror(errno));
}

size_t
shutdown_run(struct init_state *st)
{
	const struct init_opts *o = st->opts;
	uint64_t t0 = now_ms(), t;
	uint64_t deadline = t0 + o->stop_timeout_ms;
	uint64_t services_until = t0 + o->stop_timeout_ms * 2u / 3u;
	size_t n, killed = 0;

	st->stopping = true;
	stop_marker_set(true);
	log_msg(LOGLVL_INFO, "stopping: deadline %u ms", o->stop_timeout_ms);
	phase_services(st, services_until);

	loop_wait(st, 0);
	if (st->have_children) {
		t = now_ms();
		n = signal_all(st, SIGTERM, "stop phase 2");
		if (st->pid1)
			(void)kill(-1, SIGCONT);
		else
			for (size_t i = 0; i < n; i++)
				(void)kill(procs[i].pid, SIGCONT);
		while (st->have_children && now_ms() < deadline)
			loop_wait(st, ms_left(deadline));
		log_msg(LOGLVL_INFO,
			"stop phase 2 (SIGTERM to %zu remaining processes): "
			"%llu ms",
			n, (unsigned long long)(now_ms() - t));
	}
	if (st->have_children) {
		t = now_ms();
		killed = signal_all(st, SIGKILL, "deadline reached");
		if (killed == 0)
			killed = 1; /* something we could not see still had to die */
		while (st->have_children && now_ms() < deadline + REAP_AFTER_KILL_MS)
			loop_wait(st, ms_left(deadline + REAP_AFTER_KILL_MS));
		log_msg(LOGLVL_WARN, "stop phase 3 (SIGKILL to %zu processes): %llu ms%s", killed,
			(unsigned long long)(now_ms() - t),
			st->have_children ? "; some are still not reaped" : "");
	}
	log_msg(LOGLVL_INFO, "stopped in %llu ms", (unsigned long long)(now_ms() - t0));
	return killed;
}
