/* SPDX-License-Identifier: MIT */
/* The running init: boot (scripts, runsvdir, command), supervise, then stop
 * (shutdown.c); waiting, forwarding and reaping are events.c's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define RUNSVDIR_RESTART_MS 1000u /* ms; at most one runsvdir start per second */

static int
start_child(struct init_state *st, struct child *c, char *const *argv, bool pgrp, bool tty)
{
	struct spawn_req req = {
		.argv = argv,
		.cwd_fd = st->cwd_fd,
		.new_pgrp = pgrp,
		.take_tty = tty,
	};
	int err = 0, r;

	r = spawn(&req, &c->pid, &err);
	if (r < 0) {
		log_msg(LOGLVL_ERROR, "cannot fork for '%s': %s", argv[0], strerror(-r));
		return r;
	}
	c->running = true;
	c->status = 0;
	if (err) {
		log_msg(LOGLVL_ERROR, "cannot execute '%s': %s", argv[0], strerror(err));
		return -err;
	}
	return 0;
}

/* Waits for c, unless a stop is requested first. */
static void
wait_for(struct init_state *st, struct child *c)
{
	while (c->running && !st->stop_requested)
		loop_wait(st, -1);
}

/* env_poll's question: a look at the signals without waiting. */
static bool
stop_pending(void *ctx)
{
	struct init_state *st = ctx;

	loop_wait(st, 0);
	return st->stop_requested;
}

static int
run_scripts(struct init_state *st, bool env_ok)
{
	const struct env_poll poll = { stop_pending, st };
	const struct init_opts *o = st->opts;
	char **paths = NULL, what[64];
	size_t n = 0;
	uint64_t t0;
	int r;

	r = scripts_list(o->init_dir, &paths, &n);
	if (r < 0) {
		/* A setup error (exit 1), not a failed script (exit 2); a
		 * missing directory is no error at all (scripts_list). */
		log_msg(LOGLVL_ERROR, "%s: cannot list startup scripts: %s", o->init_dir,
			strerror(-r));
		return r == -EINVAL ? -EIO : r;
	}
	for (size_t i = 0; i < n && !st->stop_requested; i++) {
		char *argv[] = { paths[i], NULL };

		log_msg(LOGLVL_INFO, "running %s", paths[i]);
		t0 = now_ms();
		/* Same process group: a ^C on the console reaches it too. */
		if (start_child(st, &st->script, argv, false, false) < 0 && !st->script.running) {
			r = -EINVAL; /* fork failed */
			break;
		}
		wait_for(st, &st->script);
		if (st->script.running)
			break; /* stop requested: the shutdown TERMs it */
		status_describe(st->script.status, what, sizeof(what));
		if (st->script.status == 0) {
			log_msg(LOGLVL_INFO, "%s: %s after %llu ms", paths[i], what,
				(unsigned long long)(now_ms() - t0));
		} else if (o->script_failure_warn) {
			log_msg(LOGLVL_WARN,
				"%s: %s after %llu ms; continuing "
				"(script_failure = warn)",
				paths[i], what, (unsigned long long)(now_ms() - t0));
		} else {
			log_msg(LOGLVL_ERROR,
				"startup script %s failed: %s after "
				"%llu ms; aborting the boot",
				paths[i], what, (unsigned long long)(now_ms() - t0));
			r = -EINVAL;
			break;
		}
		if (env_ok)
			(void)env_reload(o->env_dir, &poll); /* logged inside */
	}
	scripts_free(paths, n);
	return r;
}

static int
start_runsvdir(struct init_state *st)
{
	/* Writable copies: execvp's argv is char *const *. */
	static char prog[] = "runsvdir", flag[] = "-P";
	char *argv[] = { prog, flag, st->opts->service_dir, NULL };
	int r;

	st->runsvdir_started = now_ms();
	/* Own group: a ^C for the console must not kill it. */
	r = start_child(st, &st->runsvdir, argv, true, false);
	if (r == 0)
		log_msg(LOGLVL_INFO, "runsvdir (pid %d) started on %s", (int)st->runsvdir.pid,
			st->opts->service_dir);
	return r;
}

/* Until a stop is requested or the command ends; keeps runsvdir alive. */
static void
supervise(struct init_state *st)
{
	char what[64];
	uint64_t now;
	int timeout;

	while (!st->stop_requested && !st->command_done) {
		timeout = -1; /* idle: no periodic wake-up at all */
		if (!st->runsvdir.running) {
			now = now_ms();
			if (st->runsvdir_restart_at == 0) {
				status_describe(st->runsvdir.status, what, sizeof(what));
				st->runsvdir_restart_at =
					st->runsvdir_started + RUNSVDIR_RESTART_MS;
				if (st->runsvdir_restart_at < now)
					st->runsvdir_restart_at = now;
				log_msg(LOGLVL_WARN,
					"runsvdir (pid %d) ended: %s; "
					"restarting it in %llu ms",
					(int)st->runsvdir.pid, what,
					(unsigned long long)(st->runsvdir_restart_at - now));
			}
			if (now >= st->runsvdir_restart_at) {
				st->runsvdir_restart_at = 0;
				(void)start_runsvdir(st); /* logged; retried */
				continue;
			}
			timeout = (int)(st->runsvdir_restart_at - now);
		}
		loop_wait(st, timeout);
	}
}

static int
setup_signals(struct init_state *st)
{
	sigset_t all;

	/* main() blocked everything already; the fd only reads them. */
	sigfillset(&all);
	st->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (st->sfd < 0) {
		log_msg(LOGLVL_ERROR, "signalfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int
exit_code(struct init_state *st, bool by_command, int boot, size_t killed)
{
	if (by_command)
		return status_exit_code(st->command.status);
	if (boot == -EINVAL)
		return INIT_EXIT_SCRIPT;
	if (boot < 0)
		return INIT_EXIT_FAILURE;
	return killed ? INIT_EXIT_KILLED : INIT_EXIT_OK;
}

/* Startup is over: scripts ran, runsvdir and the command started. From
 * here until the stop ends klein-init never touches the heap. Weak and
 * empty: the heap-guard test build (tests/init/heapguard.c) overrides it to
 * arm a malloc checker (weak here only, so that definition is the strong one). */
#pragma weak init_steady
void
init_steady(void)
{
}

/* Becomes a subreaper outside PID 1, reads signals, moves to "/". */
static int
init_setup(struct init_state *st)
{
	if (!st->pid1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
			log_msg(LOGLVL_ERROR, "cannot become a child subreaper: %s",
				strerror(errno));
			return -errno;
		}
		/* tini warns too: orphans of other ancestors are not ours. */
		log_msg(LOGLVL_INFO, "not PID 1 (pid %d): running as a child subreaper",
			(int)st->self);
	}
	log_msg(LOGLVL_DEBUG,
		"init_dir %s, service_dir %s, env_dir %s, stop_timeout %u ms, "
		"script_failure %s",
		st->opts->init_dir, st->opts->service_dir, st->opts->env_dir,
		st->opts->stop_timeout_ms, st->opts->script_failure_warn ? "warn" : "abort");
	if (setup_signals(st) < 0)
		return -EIO;
	/* Children get the cwd we were started in; we must not pin a mount. */
	st->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	(void)!chdir("/");
	if (!getenv("PATH"))
		(void)setenv("PATH",
			     "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			     "/usr/bin:/sbin:/bin",
			     1);
	return 0;
}

/* Scripts, then runsvdir, then the command. 0, -EINVAL (a script failed)
 * or another -errno (nothing more can start). */
static int
boot(struct init_state *st)
{
	const struct env_poll poll = { stop_pending, st };
	bool env_ok = env_setup(st->opts->env_dir, &poll) == 0;
	int r;

	stop_marker_set(false); /* a /run kept from an earlier run */
	r = run_scripts(st, env_ok);
	if (r == 0 && !st->stop_requested)
		(void)rundir_setup("/run"); /* logged inside; runsv reports the rest */
	if (r == 0 && !st->stop_requested && start_runsvdir(st) < 0)
		r = -ENOEXEC;
	if (r == 0 && !st->stop_requested && st->opts->command) {
		/* An exec failure is the command's 126/127, not ours. */
		(void)start_child(st, &st->command, st->opts->command, true, true);
	}
	return r;
}

int
init_run(const struct init_opts *o)
{
	struct init_state st;
	bool by_command;
	size_t killed;
	int r, code;

	memset(&st, 0, sizeof(st));
	st.opts = o;
	st.self = getpid();
	st.pid1 = st.self == 1;
	st.sfd = -1;
	st.wake_fd = -1;
	st.cwd_fd = -1;
	log_set_level(o->log_level);
	if (init_setup(&st) < 0) {
		if (st.sfd >= 0)
			close(st.sfd);
		return INIT_EXIT_FAILURE;
	}
	r = boot(&st);
	if (r == 0) {
		init_steady();
		supervise(&st);
	}
	/* Decided now: a SIGTERM during the stop must not change it. */
	by_command = st.command_done && !st.stop_requested;
	killed = shutdown_run(&st);
	code = exit_code(&st, by_command, r, killed);
	log_msg(LOGLVL_INFO, "exiting with status %d", code);
	if (st.cwd_fd >= 0)
		close(st.cwd_fd);
	close(st.sfd);
	return code;
}
