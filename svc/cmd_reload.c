/* SPDX-License-Identifier: MIT */
/* klein-svc reload: Type=notify-reload's reload, for control/h: send
 * ReloadSignal= to the main process and wait until the service reports
 * RELOADING=1 and then READY=1 (klein-svc supervise records both in
 * supervise/klein.reload), bounded by TimeoutStartSec= as systemd bounds it. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cmd.h"
#include "reload.h"
#include "util.h"

#include "lib/values.h"

#define DEFAULT_TIMEOUT_USEC (90ULL * 1000000ULL) /* systemd's DefaultTimeoutStartSec */

enum reload_wait { WAIT_YES, WAIT_NO, WAIT_IF_RELOADING };

struct reload_opts {
	int sig; /* 0: none */
	enum reload_wait wait;
	uint64_t timeout; /* 0 or VALUE_INFINITY: no limit */
	const char *state_file;
	pid_t pid;
};

static const struct option reload_options[] = {
	{ "signal", required_argument, NULL, 's' },
	{ "wait", required_argument, NULL, 'w' },
	{ "timeout", required_argument, NULL, 't' },
	{ "state-file", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

static int
parse_reload(struct reload_opts *o, int argc, char **argv)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", reload_options, NULL)) != -1) {
		switch (c) {
		case 's':
			o->sig = strcmp(optarg, "none") == 0 ? 0 : parse_signal(optarg);
			if (o->sig < 0) {
				log_error("reload: unknown signal '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'w':
			if (strcmp(optarg, "yes") == 0)
				o->wait = WAIT_YES;
			else if (strcmp(optarg, "no") == 0)
				o->wait = WAIT_NO;
			else if (strcmp(optarg, "if-reloading") == 0)
				o->wait = WAIT_IF_RELOADING;
			else {
				log_error("reload: --wait takes yes, no or if-reloading, not '%s'",
					  optarg);
				return -EINVAL;
			}
			break;
		case 't':
			if (parse_time_usec(optarg, 1000000ULL, &o->timeout) < 0) {
				log_error("reload: invalid timeout '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'f':
			o->state_file = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	if (o->sig && optind + 1 != argc) {
		log_error("reload: the main process's PID is required with a signal");
		return -EINVAL;
	}
	if (optind < argc && parse_pid(argv[optind], &o->pid) < 0) {
		log_error("reload: invalid pid '%s'", argv[optind]);
		return -EINVAL;
	}
	if (optind + 1 < argc) {
		log_error("reload: too many arguments");
		return -EINVAL;
	}
	return 0;
}

static int
read_state(const char *path, struct reload_state *st)
{
	char *text;
	size_t len;
	int r = read_file(path, &text, &len);
	if (r < 0)
		return r;
	r = reload_state_parse(text, st);
	free(text);
	return r;
}

/* An inotify watch on the state file's directory: supervise replaces the
 * file by rename, and removes it when the service is gone. */
static int
watch_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd >= 0 &&
	    inotify_add_watch(fd, dir ? dir : ".",
			      IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_CREATE) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	free(dir);
	return fd < 0 ? -errno : fd;
}

/* Waits until the generation passes gen0 with a reload that began after
 * begin: 0, -ETIME, or -ESRCH when the service went away. */
static int
wait_done(const struct reload_opts *o, int ifd, unsigned long gen0, uint64_t begin)
{
	bool forever = o->timeout == 0 || o->timeout == VALUE_INFINITY;
	uint64_t end = begin + (forever ? 0 : o->timeout);
	for (;;) {
		struct reload_state st;
		if (read_state(o->state_file, &st) == -ENOENT)
			return -ESRCH;
		if (st.generation > gen0 && (st.stamp_usec == 0 || st.stamp_usec >= begin))
			return 0;
		uint64_t now = now_usec();
		if (!forever && now >= end)
			return -ETIME;
		int ms = forever ? -1 : (int)((end - now + 999) / 1000);
		struct pollfd p = { .fd = ifd, .events = POLLIN };
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -errno;
		char buf[4096];
		while (read(ifd, buf, sizeof(buf)) > 0)
			;
	}
}

int
cmd_reload(int argc, char **argv)
{
	struct reload_opts o = { .sig = SIGHUP,
				 .timeout = DEFAULT_TIMEOUT_USEC,
				 .state_file = "supervise/" RELOAD_FILE_NAME };
	if (parse_reload(&o, argc, argv) < 0)
		return SVC_EXIT_USAGE;
	struct reload_state st = { 0 };
	int ifd = -1, r;
	if (o.wait != WAIT_NO) {
		/* Watch first, then read: no change can fall in between. */
		ifd = watch_dir(o.state_file);
		r = ifd < 0 ? ifd : read_state(o.state_file, &st);
		if (r < 0) {
			log_error("reload: cannot read the reload state '%s' (is the service a "
				  "running Type=notify-reload service?): %s",
				  o.state_file, strerror(-r));
			if (ifd >= 0)
				close(ifd);
			return 1;
		}
	}
	uint64_t begin = now_usec();
	if (o.sig && kill(o.pid, o.sig) < 0) {
		r = -errno;
		log_error("reload: cannot send signal %d to %ld: %s", o.sig, (long)o.pid,
			  strerror(-r));
	} else if (o.wait == WAIT_NO)
		r = 0;
	else if (o.wait == WAIT_IF_RELOADING &&
		 (read_state(o.state_file, &st) < 0 || !st.reloading))
		r = 0; /* ExecReload= ended and the service is not reloading: done */
	else if ((r = wait_done(&o, ifd, st.generation, begin)) == -ETIME)
		log_error("reload: timed out waiting for RELOADING=1 and READY=1");
	else if (r == -ESRCH)
		log_error("reload: the service exited before it finished reloading");
	if (ifd >= 0)
		close(ifd);
	return r < 0 ? 1 : 0;
}
