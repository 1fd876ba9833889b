/* SPDX-License-Identifier: MIT */
/* The event pump: wait on the signalfd, act on each signal (stop request,
 * forward to the command, relay to services), reap. loop.c (boot, supervise)
 * and shutdown.c (the bounded stop) both drive it; it calls neither. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

static bool
is_stop_signal(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGPWR;
}

pid_t
command_target(const struct init_state *st)
{
	/* The command leads its own group (spawn's new_pgrp), so -pid is it. */
	return st->opts->forward_group ? -st->command.pid : st->command.pid;
}

/* No command: sig goes as runit's control command, the way `sv hup` would
 * send it, to the services with a control/<c> (runsv runs it; it may exit
 * non-zero to have runsv signal the service). The others are left alone:
 * an unhandled HUP would kill them. */
static void
relay_signal(struct init_state *st, int sig, const char *name)
{
	char c = relay_control_char(sig);
	int skipped = 0;
	int n = relay_to_services(st->opts->service_dir, c, &skipped);

	if (n < 0)
		log_msg(LOGLVL_WARN, "%s: cannot relay to the services: %s: %s", name,
			st->opts->service_dir, strerror(-n));
	else
		log_msg(LOGLVL_INFO,
			"%s: relayed to %d service%s as control '%c' (%d without "
			"control/%c skipped)",
			name, n, n == 1 ? "" : "s", c, skipped, c);
}

static void
handle_signal(struct init_state *st, int sig)
{
	char name[32];

	status_signal_name(sig, name, sizeof(name));
	if (sig == SIGCHLD)
		return; /* the reap after every wake-up handles it */
	if (is_stop_signal(sig)) {
		if (st->stop_requested || st->stopping) {
			log_msg(LOGLVL_INFO, "%s: already stopping", name);
		} else {
			log_msg(LOGLVL_INFO, "%s: stopping", name);
		}
		st->stop_requested = true;
		return;
	}
	if (st->command.running) {
		log_msg(LOGLVL_DEBUG, "forwarding %s to %d", name, (int)command_target(st));
		if (kill(command_target(st), sig) < 0 && errno != ESRCH)
			log_msg(LOGLVL_WARN, "forwarding %s to %d: %s", name,
				(int)command_target(st), strerror(errno));
		return;
	}
	if (!st->opts->command && !st->stopping && relay_control_char(sig))
		relay_signal(st, sig, name);
	else
		log_msg(LOGLVL_DEBUG, "%s ignored (no command to forward it to)", name);
}

static void
record_exit(struct init_state *st, pid_t pid, int ws)
{
	struct child *tracked[] = { &st->script, &st->command, &st->runsvdir };
	char what[64];

	for (size_t i = 0; i < 3; i++) {
		if (!tracked[i]->running || tracked[i]->pid != pid)
			continue;
		tracked[i]->running = false;
		tracked[i]->status = ws;
		if (tracked[i] == &st->command) {
			st->command_done = true;
			status_describe(ws, what, sizeof(what));
			log_msg(LOGLVL_INFO, "command (pid %d) ended: %s", (int)pid, what);
		}
		return;
	}
	log_msg(LOGLVL_DEBUG, "reaped pid %d", (int)pid);
}

static void
reap(struct init_state *st)
{
	int ws;
	pid_t pid;

	/* Until nothing is left: SIGCHLDs coalesce, one wake-up may be many. */
	for (;;) {
		pid = waitpid(-1, &ws, WNOHANG);
		if (pid > 0) {
			record_exit(st, pid, ws);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		st->have_children = pid == 0;
		return;
	}
}

int
loop_wait(struct init_state *st, int timeout_ms)
{
	struct signalfd_siginfo si[16];
	struct pollfd pfd[2] = { { .fd = st->sfd, .events = POLLIN },
				 { .fd = st->wake_fd, .events = POLLIN } };
	char drain[4096] __attribute__((aligned(8)));
	ssize_t n;
	int r;

	r = poll(pfd, st->wake_fd >= 0 ? 2 : 1, timeout_ms);
	if (r < 0 && errno != EINTR)
		log_msg(LOGLVL_WARN, "poll: %s", strerror(errno));
	/* The extra fd only wakes us up; what changed is looked at by the caller. */
	if (st->wake_fd >= 0 && pfd[1].revents)
		while (read(st->wake_fd, drain, sizeof(drain)) > 0)
			;
	while ((n = read(st->sfd, si, sizeof(si))) > 0)
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++)
			handle_signal(st, (int)si[i].ssi_signo);
	reap(st);
	return 0;
}
