/* SPDX-License-Identifier: MIT */
/* The bounded stop: services through runsv, then TERM all, KILL at the deadline. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

#define STOP_TICK_MS 50u         /* ms; polling only while stopping */
#define REAP_AFTER_KILL_MS 2000u /* ms; D-state processes may never die */
#define PROCS_MAX 1024           /* descendants handled per pass */

static struct proc_info procs[PROCS_MAX];

static int
ms_left(uint64_t until)
{
	uint64_t now = now_ms();

	if (now >= until)
		return 0;
	return until - now > STOP_TICK_MS ? (int)STOP_TICK_MS : (int)(until - now);
}

static size_t
count_runsv(struct init_state *st)
{
	size_t n = proc_descendants(st->self, procs, PROCS_MAX), k = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(procs[i].comm, "runsv") == 0)
			k++;
	return k;
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
	struct svc_ctx c = {st->opts->service_dir, pid, buf, cap, 0};

	return dir_each(st->opts->service_dir, svc_visit, &c) == 1;
}

static void
phase_services(struct init_state *st, uint64_t until)
{
	uint64_t t0 = now_ms();
	struct svc_ctx c = {st->opts->service_dir, 0, NULL, 0, 0};

	/* runsvdir first: on TERM it exits and leaves the runsv's alone, so
	 * it cannot restart a runsv we are stopping. */
	if (st->runsvdir.running)
		(void)kill(st->runsvdir.pid, SIGTERM);
	if (st->command.running) {
		(void)kill(command_target(st), SIGTERM);
		(void)kill(command_target(st), SIGCONT);
	}
	if (st->script.running) {
		(void)kill(st->script.pid, SIGTERM);
		(void)kill(st->script.pid, SIGCONT);
	}
	/* runsvdir checks its TERM flag only between polls, and a TERM that
	 * lands just before a poll waits out its 5 s timeout: repeat it. */
	while (st->runsvdir.running && now_ms() < until) {
		loop_wait(st, ms_left(until));
		if (st->runsvdir.running)
			(void)kill(st->runsvdir.pid, SIGTERM);
	}
	signal_runsv(st);
	while (now_ms() < until && (st->runsvdir.running || st->command.running ||
	                            st->script.running || count_runsv(st) > 0))
		loop_wait(st, ms_left(until));
	c.elapsed = (unsigned)(now_ms() - t0);
	if (count_runsv(st) > 0)
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

size_t
shutdown_run(struct init_state *st)
{
	const struct init_opts *o = st->opts;
	uint64_t t0 = now_ms(), t;
	uint64_t deadline = t0 + o->stop_timeout_ms;
	uint64_t services_until = t0 + o->stop_timeout_ms * 2u / 3u;
	size_t n, killed = 0;

	st->stopping = true;
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
