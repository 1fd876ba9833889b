/* SPDX-License-Identifier: MIT */
/* klein-svc timer: sleep until a timer's next elapse, then start its target
 * service once through runsv (`sv once`) and wait for it to finish. */
#include "timer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "health.h"
#include "lib/timestamp.h"
#include "util.h"

#define USEC 1000000ULL
/* TAI64 label of the Unix epoch (runit's taia stamps). */
#define TAI64_UNIX 4611686018427387914ULL

static uint64_t
clock_usec(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * USEC + (uint64_t)ts.tv_nsec / 1000;
}

/* One log line on stdout (the service's log). */
__attribute__((format(printf, 1, 2))) static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("klein-svc timer: ");
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

int
timer_target_read(const char *unit_dir, struct timer_target *ret)
{
	char path[PATH_MAX];
	unsigned char b[20];
	uint64_t sec = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/supervise/status", unit_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != (ssize_t)sizeof(b))
		return -EINVAL;
	for (int i = 0; i < 8; i++)
		sec = sec << 8 | b[i];
	ret->up = b[19] != 0;
	ret->since_real = sec > TAI64_UNIX ? (sec - TAI64_UNIX) * USEC +
						     ((uint64_t)b[8] << 24 | (uint64_t)b[9] << 16 |
						      (uint64_t)b[10] << 8 | b[11]) /
							     1000
					   : 0;
	return 0;
}

static void
stamp_path(const struct timer_opts *o, char *buf, size_t n)
{
	snprintf(buf, n, "%s/stamp-%s", o->state_dir, o->name);
}

uint64_t
timer_stamp_read(const struct timer_opts *o)
{
	char path[PATH_MAX];
	struct stat st;

	stamp_path(o, path, sizeof(path));
	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_mtim.tv_sec * USEC + (uint64_t)st.st_mtim.tv_nsec / 1000;
}

/* mkdir -p, for the state directory. */
static void
make_dirs(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

/* The stamp's mtime is the trigger time, as systemd's stamp-NAME.timer. */
static void
stamp_write(const struct timer_opts *o, uint64_t real)
{
	struct timespec t[2] = { { (time_t)(real / USEC), (long)(real % USEC) * 1000 } };
	char path[PATH_MAX];
	int fd;

	make_dirs(o->state_dir);
	stamp_path(o, path, sizeof(path));
	t[1] = t[0];
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || futimens(fd, t) < 0)
		say("cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

uint64_t
timer_random_delay(const struct timer_opts *o)
{
	uint64_t r = 0;

	if (!o->randomized_delay_usec)
		return 0;
	if (o->fixed_random_delay) {
		/* FNV-1a of the name: stable across restarts, different per timer. */
		r = 14695981039346656037ULL;
		for (const char *s = o->name; *s; s++)
			r = (r ^ (unsigned char)*s) * 1099511628211ULL;
	} else if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = clock_usec(CLOCK_MONOTONIC);
	return r % o->randomized_delay_usec;
}

uint64_t
timer_startup_usec(void)
{
	char *buf = NULL, *p;
	size_t len;
	unsigned long long ticks = 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (read_file("/proc/1/stat", &buf, &len) < 0)
		return 0;
	p = strrchr(buf, ')');
	/* Field 22, starttime: the 20th after the ')' (state is the 1st). */
	for (int i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (p)
		ticks = strtoull(p + 1, NULL, 10);
	free(buf);
	return hz > 0 ? ticks * USEC / (unsigned long long)hz : 0;
}

/* The next= and last= lines `systemctl list-timers` reads. */
static void
state_write(const struct timer_opts *o, uint64_t next_real, uint64_t last_real)
{
	char text[96];

	if (!o->state_file)
		return;
	snprintf(text, sizeof(text), "next=%llu\nlast=%llu\n",
		 next_real == TIMERSCHED_NEVER ? 0ULL : (unsigned long long)next_real,
		 (unsigned long long)last_real);
	write_file_atomic(o->state_file, text);
}

/* Waits (inotify on supervise/, no polling) until the target is down with
 * a status newer than `before`. */
static void
wait_finished(const char *unit_dir, int ino, const struct timer_target *before)
{
	char buf[4096];

	for (;;) {
		struct timer_target t;

		if (timer_target_read(unit_dir, &t) == 0 && !t.up &&
		    t.since_real != before->since_real)
			return;
		if (read(ino, buf, sizeof(buf)) < 0 && errno != EINTR)
			return;
	}
}

/* "RESULT EXIT_CODE EXIT_STATUS" of a supervise/klein.result file (read as
 * klein-svc health reads it); empty when it is missing or unreadable. */
static void
result_read(const char *path, char *out, size_t size)
{
	struct svc_result res;
	char text[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = 0;
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	if (svc_result_parse(text, &res) == 0)
		snprintf(out, size, "%s %s %s", res.result, res.exit_code, res.exit_status);
}

/* Starts the target once, as systemd starts a timer's unit: not when it is
 * still running. Returns when it has finished (the log says how). */
static void
trigger(const struct timer_opts *o, struct timersched_clock *c)
{
	char path[PATH_MAX], result[256] = "";
	struct timer_target before;
	int ino, fd;

	if (timer_target_read(o->unit_dir, &before) < 0) {
		say("cannot read '%s/supervise/status' (is runsv running?)", o->unit_dir);
		return;
	}
	if (before.up) {
		say("'%s' is still running, not started again", o->unit_dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/supervise", o->unit_dir);
	ino = inotify_init1(IN_CLOEXEC);
	if (ino >= 0)
		inotify_add_watch(ino, path, IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE);
	/* A result left from an earlier run must not describe this one. */
	snprintf(path, sizeof(path), "%s/supervise/klein.result", o->unit_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/supervise/control", o->unit_dir);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	/* 'o': run once, do not restart (sv once). */
	if (fd < 0 || write(fd, "o", 1) != 1) {
		say("cannot start '%s': %s", o->unit_dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (ino >= 0)
			close(ino);
		return;
	}
	close(fd);
	say("started '%s'", o->unit_dir);
	c->unit_active_mono = clock_usec(CLOCK_BOOTTIME);
	if (ino >= 0) {
		wait_finished(o->unit_dir, ino, &before);
		close(ino);
	}
	c->unit_inactive_mono = clock_usec(CLOCK_BOOTTIME);
	/* The porter's finish script leaves how the run ended here
	 * (RESULT=, EXIT_CODE=, EXIT_STATUS= lines, docs/runtime.md). */
	snprintf(path, sizeof(path), "%s/supervise/klein.result", o->unit_dir);
	result_read(path, result, sizeof(result));
	say("'%s' finished%s%s", o->unit_dir, *result ? ": " : "", result);
}

/* Arms fd for the absolute time at (TIMERSCHED_NEVER: disarmed). */
static void
arm(int fd, uint64_t at, int flags)
{
	struct itimerspec its = { 0 };

	if (at != TIMERSCHED_NEVER) {
		/* 0 would disarm: a due time in the past fires at once. */
		at = at ? at : 1;
		its.it_value.tv_sec = (time_t)(at / USEC);
		its.it_value.tv_nsec = (long)(at % USEC) * 1000;
	}
	timerfd_settime(fd, TFD_TIMER_ABSTIME | flags, &its, NULL);
}

/* Logs the next elapse and writes it to the state file; its wall-clock
 * time (the relative one converted). */
static uint64_t
announce(const struct timer_opts *o, const struct timersched_next *n,
	 const struct timersched_clock *c)
{
	char when[TIMESTAMP_MAX], rel[TIMESTAMP_MAX];
	uint64_t real = n->real;

	if (n->mono != TIMERSCHED_NEVER) {
		uint64_t r =
			n->mono > c->now_mono ? c->now_real + (n->mono - c->now_mono) : c->now_real;
		if (r < real)
			real = r;
	}
	if (real == TIMERSCHED_NEVER)
		say("no next elapse");
	else
		say("next elapse: %s (%s)", timestamp_format(real, false, when),
		    timestamp_format_relative(real, c->now_real, rel));
	state_write(o, real, c->last_trigger_real);
	return real;
}

/* Sleeps until an elapse: 1 when it is due, 0 when the wall clock changed
 * (compute again), -errno on failure. */
static int
sleep_until(int tfd_real, int tfd_mono)
{
	struct pollfd p[2] = { { tfd_real, POLLIN, 0 }, { tfd_mono, POLLIN, 0 } };
	uint64_t ticks;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents & POLLIN) {
			if (read(tfd_real, &ticks, sizeof(ticks)) < 0)
				return errno == ECANCELED ? 0 : -errno;
			return 1;
		}
		if (p[1].revents & POLLIN) {
			(void)!read(tfd_mono, &ticks, sizeof(ticks));
			return 1;
		}
	}
}

int
timer_run(const struct timer_opts *o)
{
	struct timersched_value v[TIMER_VALUES_MAX];
	struct timersched_clock c = { 0 };
	struct timer_target t;
	int tfd_real = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	int tfd_mono = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC);

	if (tfd_real < 0 || tfd_mono < 0) {
		say("timerfd: %s", strerror(errno));
		return 1;
	}
	memcpy(v, o->values, o->n_values * sizeof(v[0]));
	c.timer_start_mono = clock_usec(CLOCK_BOOTTIME);
	c.timer_start_real = clock_usec(CLOCK_REALTIME);
	c.startup_mono = timer_startup_usec();
	if (o->persistent)
		c.last_trigger_real = timer_stamp_read(o);
	if (timer_target_read(o->unit_dir, &t) == 0 && t.up && t.since_real <= c.timer_start_real)
		c.unit_active_mono = c.timer_start_mono - (c.timer_start_real - t.since_real);
	for (;;) {
		struct timersched_next n;
		uint64_t delay = timer_random_delay(o);
		int r;

		c.now_mono = clock_usec(CLOCK_BOOTTIME);
		c.now_real = clock_usec(CLOCK_REALTIME);
		r = timersched_next(v, o->n_values, &c, &n);
		if (r < 0) {
			say("cannot compute the next elapse: %s", strerror(-r));
			return 1;
		}
		if (n.real != TIMERSCHED_NEVER)
			n.real += delay;
		if (n.mono != TIMERSCHED_NEVER)
			n.mono += delay;
		announce(o, &n, &c);
		/* CANCEL_ON_SET: a wall-clock change wakes us to compute again,
		 * so a jump neither skips nor repeats a calendar run. */
		arm(tfd_real, n.real, TFD_TIMER_CANCEL_ON_SET);
		arm(tfd_mono, n.mono, 0);
		r = sleep_until(tfd_real, tfd_mono);
		if (r < 0) {
			say("poll: %s", strerror(-r));
			return 1;
		}
		if (r == 0) {
			say("the wall clock changed");
			continue;
		}
		c.last_trigger_mono = clock_usec(CLOCK_BOOTTIME);
		c.last_trigger_real = clock_usec(CLOCK_REALTIME);
		if (o->persistent)
			stamp_write(o, c.last_trigger_real);
		/* Running: no next elapse until the unit is done (systemd's
		 * timer_set_state() resets it outside "waiting"), the last is now. */
		state_write(o, TIMERSCHED_NEVER, c.last_trigger_real);
		trigger(o, &c);
	}
}
