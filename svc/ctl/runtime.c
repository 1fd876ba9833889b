/* SPDX-License-Identifier: MIT */
/* klein-systemctl: start, stop, restart, reload and kill through runsv's control FIFO. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "proc.h"
#include "util.h"

/* How long a job may take before systemctl gives up on it (systemd's default
 * TimeoutStartSec=/TimeoutStopSec= is 90 s; the stop escalates to KILL itself). */
#define JOB_TIMEOUT_MS 100000
#define POLL_MS	       20

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/*
 * Writes cmd to supervise/control as sv does. With drain, waits until runsv
 * has read every byte: runsv reads one byte per turn and runs a control/X
 * script before the next, so a trailing no-op byte read means X is done.
 */
static int
control(const struct svc_state *s, const char *cmd, bool drain)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/supervise/control", s->dir);
	int fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(cmd);
	int r = write(fd, cmd, n) == (ssize_t)n ? 0 : -EIO;
	for (unsigned waited = 0; r == 0 && drain && waited < JOB_TIMEOUT_MS; waited += POLL_MS) {
		int left = 0;
		if (ioctl(fd, FIONREAD, &left) < 0 || left == 0)
			break;
		sleep_ms(POLL_MS);
	}
	close(fd);
	return r;
}

enum want { WANT_UP, WANT_DOWN };

/* 0 when the job finished as wanted, -EIO when the service failed, -ETIME. */
static int
wait_job(const struct ctl_opts *o, const char *name, enum want w, uint64_t before)
{
	struct svc_state s;
	for (unsigned waited = 0; waited < JOB_TIMEOUT_MS; waited += POLL_MS) {
		if (state_read(o, name, &s) < 0)
			return -ENOENT;
		bool changed = s.since_usec != before;
		if (w == WANT_DOWN && s.runit == 0)
			return 0;
		if (w == WANT_UP && s.runit == 1 && s.want_up && s.ready)
			return 0;
		/* A oneshot's start job ends when its commands have run. */
		if (w == WANT_UP && changed && s.oneshot && s.runit == 0)
			return state_is_failed(&s) ? -EIO : 0;
		/* Down and wanted down after our start: finish chose not to go on. A
		 * oneshot that ran to its end is a success. */
		if (w == WANT_UP && changed && s.runit == 0 && !s.want_up)
			return state_is_failed(&s) ? -EIO : 0;
		sleep_ms(POLL_MS);
	}
	return -ETIME;
}

int
runtime_wait_down(const struct ctl_opts *o, const char *name, unsigned timeout_ms)
{
	(void)timeout_ms;
	return wait_job(o, name, WANT_DOWN, 0);
}

/* runsvdir picks up a new link within 5 s; runsv then opens supervise/ok. */
static int
ensure_supervised(const struct ctl_opts *o, struct svc_state *s)
{
	if (!s->linked) {
		char link[4200];
		snprintf(link, sizeof(link), "%s/%s", o->service_dir, s->name);
		if (symlink(s->dir, link) < 0 && errno != EEXIST)
			return -errno;
	}
	for (unsigned waited = 0; waited < 15000; waited += 100) {
		if (state_read(o, s->name, s) == 0 && s->supervised && s->runit >= 0)
			return 0;
		sleep_ms(100);
	}
	return -ETIME;
}

static int
job_failed(const char *unit, int r)
{
	if (r == -ETIME)
		fprintf(stderr, "Job for %s timed out.\n", unit);
	else
		fprintf(stderr,
			"Job for %s failed because the control process exited with error code.\n"
			"See \"systemctl status %s\" and \"journalctl -xeu %s\" for details.\n",
			unit, unit, unit);
	return CTL_EXIT_FAILURE;
}

static int
do_start(const struct ctl_opts *o, struct svc_state *s, const char *unit)
{
	uint64_t before = s->since_usec;
	int r;
	if (s->runit == 1 && s->want_up) {
		/* Already starting (runsv starts a service it just picked up by itself):
		 * the job still waits until it is ready, as systemd joins a running job. */
		if (s->ready || o->no_block)
			return 0;
	} else if ((r = control(s, "u", false)) < 0 || o->no_block) {
		return r;
	}
	r = wait_job(o, s->name, WANT_UP, before);
	return r < 0 ? job_failed(unit, r) : 0;
}

static int
do_stop(const struct ctl_opts *o, struct svc_state *s, const char *unit)
{
	int r = control(s, "d", false);
	if (r < 0 || o->no_block)
		return r;
	r = wait_job(o, s->name, WANT_DOWN, 0);
	return r < 0 ? job_failed(unit, r) : 0;
}

static int
do_reload(const struct ctl_opts *o, struct svc_state *s, const char *unit)
{
	if (!s->has_reload) {
		fprintf(stderr,
			"Failed to reload %s: Job type reload is not applicable for unit %s.\n",
			unit, unit);
		return CTL_EXIT_NOT_IMPLEMENTED;
	}
	if (!state_is_active(s)) {
		fprintf(stderr, "Failed to reload %s: Unit %s is not active.\n", unit, unit);
		return CTL_EXIT_FAILURE;
	}
	/* '\n' is no command to runsv: reading it means control/h has returned;
	 * it leaves supervise/klein.reload-failed when the reload failed. */
	int r = control(s, o->no_block ? "h" : "h\n", !o->no_block);
	if (r < 0 || o->no_block)
		return r;
	char p[4200];
	snprintf(p, sizeof(p), "%s/supervise/klein.reload-failed", s->dir);
	return access(p, F_OK) == 0 ? job_failed(unit, -EIO) : 0;
}

static int
do_restart(const struct ctl_opts *o, struct svc_state *s, const char *unit)
{
	if (s->runit != 0) {
		int r = control(s, "d", false);
		if (r == 0)
			r = wait_job(o, s->name, WANT_DOWN, 0);
		if (r < 0)
			return job_failed(unit, r);
		state_read(o, s->name, s);
	}
	return do_start(o, s, unit);
}

static int
act(const struct ctl_opts *o, const char *verb, struct svc_state *s, const char *unit)
{
	bool active = state_is_active(s) || strcmp(s->active, "activating") == 0;
	if (strcmp(verb, "start") == 0)
		return do_start(o, s, unit);
	if (strcmp(verb, "stop") == 0)
		return do_stop(o, s, unit);
	if (strcmp(verb, "reload") == 0)
		return do_reload(o, s, unit);
	if (strcmp(verb, "restart") == 0)
		return do_restart(o, s, unit);
	if (strcmp(verb, "try-restart") == 0 || strcmp(verb, "condrestart") == 0)
		return active ? do_restart(o, s, unit) : 0;
	if (strcmp(verb, "reload-or-restart") == 0)
		return active && s->has_reload ? do_reload(o, s, unit) : do_restart(o, s, unit);
	if (strcmp(verb, "try-reload-or-restart") == 0)
		return !active ? 0 : s->has_reload ? do_reload(o, s, unit) : do_restart(o, s, unit);
	return CTL_EXIT_USAGE;
}

static const char *
verb_gerund(const char *verb)
{
	return strcmp(verb, "stop") == 0	? "stop"
	       : strstr(verb, "reload") == verb ? "reload"
						: verb;
}

static int
start_one(const struct ctl_opts *o, const char *verb, const char *unit)
{
	char name[256];
	struct svc_state s;
	bool stop = strcmp(verb, "stop") == 0;
	if (!unit_to_svname(unit, name, sizeof(name)) || state_read(o, name, &s) < 0) {
		/* stop/try-restart of an unknown unit: systemd has nothing loaded. */
		fprintf(stderr, "Failed to %s %s: Unit %s %s.\n", verb_gerund(verb), unit, unit,
			stop ? "not loaded" : "not found");
		return CTL_EXIT_NOT_INSTALLED;
	}
	const char *fs = install_state(o, unit);
	if (fs && strcmp(fs, "masked") == 0 && !stop) {
		fprintf(stderr, "Failed to %s %s: Unit %s is masked.\n", verb_gerund(verb), unit,
			unit);
		return CTL_EXIT_FAILURE;
	}
	if (stop && !s.linked)
		return 0;
	int r = ensure_supervised(o, &s);
	if (r < 0) {
		fprintf(stderr, "Failed to %s %s: runsv does not supervise %s: %s\n",
			verb_gerund(verb), unit, s.dir, strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	r = act(o, verb, &s, unit);
	if (r < 0) {
		fprintf(stderr, "Failed to %s %s: %s\n", verb_gerund(verb), unit, strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	return r;
}

int
verb_start(const struct ctl_opts *o, const char *verb, char **args, int n)
{
	if (n == 0) {
		fprintf(stderr, "Too few arguments.\n");
		return CTL_EXIT_USAGE;
	}
	if (o->offline) {
		fprintf(stderr, "Running in chroot, ignoring command '%s'\n", verb);
		return 0;
	}
	struct namelist units = { 0 };
	units_expand(o, args, n, &units);
	int rc = 0;
	for (size_t i = 0; i < units.n; i++) {
		if (!ctl_is_root()) {
			rc = access_denied(verb_gerund(verb), units.v[i]);
			continue;
		}
		int r = start_one(o, verb, units.v[i]);
		if (r && !rc)
			rc = r;
	}
	namelist_done(&units);
	return rc;
}

static void
kill_tree(pid_t top, int sig, struct pidlist *done)
{
	struct pidlist l = { 0 };
	pidlist_add(&l, top);
	proc_children(top, true, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (pidlist_has(done, l.v[i]))
			continue;
		pidlist_add(done, l.v[i]);
		(void)kill(l.v[i], sig); /* a process may be gone meanwhile */
	}
	pidlist_done(&l);
}

static int
kill_one(const struct ctl_opts *o, const char *unit)
{
	char name[256];
	struct svc_state s;
	if (!unit_to_svname(unit, name, sizeof(name)) || state_read(o, name, &s) < 0) {
		fprintf(stderr, "Failed to kill unit %s: Unit %s not loaded.\n", unit, unit);
		return CTL_EXIT_NOT_INSTALLED;
	}
	bool main_only = strcmp(o->kill_whom, "main") == 0;
	if (s.runit != 1 || s.main_pid <= 0) {
		if (!main_only)
			return 0;
		fprintf(stderr, "Failed to kill unit %s: No main process to kill\n", unit);
		return CTL_EXIT_FAILURE;
	}
	if (main_only)
		return kill(s.main_pid, o->signal) < 0 ? CTL_EXIT_FAILURE : 0;
	/* Without cgroups: the main process, runsv's child and their descendants. */
	struct pidlist done = { 0 };
	kill_tree(s.main_pid, o->signal, &done);
	kill_tree(s.pid, o->signal, &done);
	pidlist_done(&done);
	return 0;
}

int
verb_kill(const struct ctl_opts *o, char **args, int n)
{
	if (n == 0) {
		fprintf(stderr, "Too few arguments.\n");
		return CTL_EXIT_USAGE;
	}
	if (o->offline) {
		fprintf(stderr, "Running in chroot, ignoring command 'kill'\n");
		return 0;
	}
	struct namelist units = { 0 };
	units_expand(o, args, n, &units);
	int rc = 0;
	for (size_t i = 0; i < units.n; i++) {
		int r = ctl_is_root() ? kill_one(o, units.v[i]) : access_denied("kill", units.v[i]);
		if (r && !rc)
			rc = r;
	}
	namelist_done(&units);
	return rc;
}
