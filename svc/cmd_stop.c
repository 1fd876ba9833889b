/* SPDX-License-Identifier: MIT */
/* klein-svc stop: systemd.kill(5) stop logic for runit's control/t. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "proc.h"
#include "util.h"

#include "lib/values.h"

#define DEFAULT_TIMEOUT_USEC (90ULL * 1000000ULL) /* systemd's DefaultTimeoutStopSec */
#define FINAL_WAIT_USEC	     (5ULL * 1000000ULL)  /* after the final signal */
#define POLL_USEC	     20000ULL

enum kill_mode { KM_CONTROL_GROUP, KM_MIXED, KM_PROCESS, KM_NONE };

struct stop_opts {
	int sig, final_sig; /* final_sig 0: none */
	uint64_t timeout;   /* 0 or VALUE_INFINITY: wait forever, no escalation */
	enum kill_mode mode;
	bool sighup;
	pid_t pid;
};

static const struct option stop_options[] = {
	{ "signal", required_argument, NULL, 's' },
	{ "final-signal", required_argument, NULL, 'f' },
	{ "timeout", required_argument, NULL, 't' },
	{ "mode", required_argument, NULL, 'm' },
	{ "sighup", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *const mode_names[] = {
	[KM_CONTROL_GROUP] = "control-group",
	[KM_MIXED] = "mixed",
	[KM_PROCESS] = "process",
	[KM_NONE] = "none",
};

static int
parse_stop(struct stop_opts *o, int argc, char **argv)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", stop_options, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'f': {
			int sig =
				strcmp(optarg, "none") == 0 && c == 'f' ? 0 : parse_signal(optarg);
			if (sig < 0) {
				log_error("stop: unknown signal '%s'", optarg);
				return -EINVAL;
			}
			*(c == 's' ? &o->sig : &o->final_sig) = sig;
			break;
		}
		case 't':
			if (parse_time_usec(optarg, 1000000ULL, &o->timeout) < 0) {
				log_error("stop: invalid timeout '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'm': {
			size_t i;
			for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == sizeof(mode_names) / sizeof(mode_names[0])) {
				log_error("stop: unknown kill mode '%s'", optarg);
				return -EINVAL;
			}
			o->mode = (enum kill_mode)i;
			break;
		}
		case 'h':
			o->sighup = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		log_error("stop: exactly one PID expected");
		return -EINVAL;
	}
	int pid;
	if (parse_pid(argv[optind], &pid) < 0 || pid == 1) {
		log_error("stop: invalid PID '%s'", argv[optind]);
		return -EINVAL;
	}
	o->pid = pid;
	return 0;
}

/*
 * The "control group" of a runit service: PID and every descendant (found
 * through /proc parent links); when PID leads its own process group (the
 * porter starts services with chpst -P / setsid), also every member of that
 * group, which catches children that were reparented away. A shared group
 * (runsv's, runsvdir's) is never signalled. Never ourselves or our ancestors.
 */
static void
collect_group(pid_t pid, struct pidlist *out)
{
	struct proc_stat st;
	if (!pidlist_has(out, pid))
		pidlist_add(out, pid);
	proc_children(pid, true, out);
	if (proc_stat_read(pid, &st) == 0 && st.pgrp == pid) {
		struct pidlist all = { 0 };
		proc_children(0, true, &all); /* every process: pid 0 parents the roots */
		for (size_t i = 0; i < all.n; i++) {
			struct proc_stat s2;
			if (!pidlist_has(out, all.v[i]) && proc_stat_read(all.v[i], &s2) == 0 &&
			    s2.pgrp == pid)
				pidlist_add(out, all.v[i]);
		}
		pidlist_done(&all);
	}
	for (pid_t self = getpid(); self > 1;) {
		for (size_t i = 0; i < out->n;)
			if (out->v[i] == self)
				out->v[i] = out->v[--out->n];
			else
				i++;
		struct proc_stat s3;
		if (proc_stat_read(self, &s3) < 0)
			break;
		self = s3.ppid;
	}
}

static void
send_all(const struct pidlist *l, int sig)
{
	for (size_t i = 0; i < l->n; i++)
		(void)kill(l->v[i], sig);
}

static bool
any_alive(const struct pidlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (proc_alive(l->v[i]))
			return true;
	return false;
}

/* Waits until nothing in l is alive (zombies count as gone); false on timeout. */
static bool
wait_gone(const struct pidlist *l, uint64_t timeout)
{
	bool forever = timeout == 0 || timeout == VALUE_INFINITY;
	uint64_t end = now_usec() + (forever ? 0 : timeout);
	while (any_alive(l)) {
		if (!forever && now_usec() >= end)
			return false;
		struct timespec ts = { 0, (long)POLL_USEC * 1000 };
		nanosleep(&ts, NULL);
	}
	return true;
}

int
cmd_stop(int argc, char **argv)
{
	struct stop_opts o = { .sig = SIGTERM,
			       .final_sig = SIGKILL,
			       .timeout = DEFAULT_TIMEOUT_USEC };
	struct pidlist group = { 0 }, main_only = { 0 };

	if (parse_stop(&o, argc, argv) < 0)
		return SVC_EXIT_USAGE;
	if (o.mode == KM_NONE || !proc_alive(o.pid))
		return 0;
	pidlist_add(&main_only, o.pid);
	if (o.mode != KM_PROCESS)
		collect_group(o.pid, &group);
	/* systemd.kill(5): mixed sends the first signal to the main process only. */
	const struct pidlist *first = o.mode == KM_CONTROL_GROUP ? &group : &main_only;
	const struct pidlist *last = o.mode == KM_PROCESS ? &main_only : &group;
	send_all(first, o.sig);
	if (o.sig != SIGKILL && o.sig != SIGCONT)
		send_all(first, SIGCONT);
	if (o.sighup)
		send_all(first, SIGHUP);
	if (!wait_gone(last, o.timeout) && o.final_sig > 0) {
		/* The group may have grown while we waited. */
		if (o.mode != KM_PROCESS && proc_alive(o.pid))
			collect_group(o.pid, &group);
		send_all(last, o.final_sig);
		(void)wait_gone(last, FINAL_WAIT_USEC);
	}
	pidlist_done(&group);
	pidlist_done(&main_only);
	return 0;
}
