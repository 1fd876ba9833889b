/* SPDX-License-Identifier: MIT */
/* Without a command: signals reach the services through runsv's control FIFOs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

char
relay_control_char(int sig)
{
	/* runsv(8)'s signal commands. INT and TERM are klein-init's own stop
	 * signals; KILL and STOP never reach it; the rest have no command. */
	switch (sig) {
	case SIGHUP:
		return 'h';
	case SIGUSR1:
		return '1';
	case SIGUSR2:
		return '2';
	case SIGQUIT:
		return 'q';
	case SIGALRM:
		return 'a';
	case SIGCONT:
		return 'c';
	default:
		return 0;
	}
}

struct relay_ctx {
	const char *dir;
	char c;
	int sent;
	int skipped;
};

/* True if NAME asked for c: runsv(8) runs control/<c> when it has the
 * owner's execute bit (runsv's own test: stat, S_IXUSR). Without one, runsv
 * would signal the service itself, and most processes die of a HUP, USR1,
 * USR2, QUIT or ALRM they do not handle; systemd never sends a service a
 * signal it did not ask for (no ExecReload=, no reload). */
static bool
wants_control(const struct relay_ctx *r, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s/%s/control/%c", r->dir, name, r->c) >=
	    (int)sizeof(path))
		return false;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & S_IXUSR);
}

static bool
is_dir(const struct relay_ctx *r, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s/%s", r->dir, name) >= (int)sizeof(path))
		return false;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int
relay_one(const char *name, void *ctx)
{
	struct relay_ctx *r = ctx;
	char path[PATH_MAX];
	struct stat sb;
	ssize_t n;
	int fd;

	/* runsvdir ignores dot entries and non-directories too. */
	if (name[0] == '.')
		return 0;
	if (!is_dir(r, name)) {
		log_msg(LOGLVL_DEBUG, "'%s' in %s is not a service directory, skipped", name,
			r->dir);
		return 0;
	}
	if (!wants_control(r, name)) {
		log_msg(LOGLVL_DEBUG, "service '%s': no executable control/%c, not relayed", name,
			r->c);
		r->skipped++;
		return 0;
	}
	if (snprintf(path, sizeof(path), "%s/%s/supervise/control", r->dir, name) >=
	    (int)sizeof(path))
		return 0;
	/* Non-blocking: a FIFO nobody reads (no runsv) fails with ENXIO
	 * instead of hanging PID 1. */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		log_msg(LOGLVL_DEBUG, "service '%s': no runsv to tell (%s): %s", name, path,
			errno == ENXIO ? "nobody reads the FIFO" : strerror(errno));
		return 0;
	}
	if (fstat(fd, &sb) < 0 || !S_ISFIFO(sb.st_mode)) {
		log_msg(LOGLVL_DEBUG, "service '%s': %s is not a FIFO, skipped", name, path);
		close(fd);
		return 0;
	}
	n = write(fd, &r->c, 1);
	if (n == 1)
		r->sent++;
	else
		log_msg(LOGLVL_WARN, "service '%s': cannot write '%c' to %s: %s", name, r->c, path,
			n < 0 ? strerror(errno) : "short write");
	close(fd);
	return 0;
}

int
relay_to_services(const char *service_dir, char c, int *skipped)
{
	struct relay_ctx r = { service_dir, c, 0, 0 };
	int e = dir_each(service_dir, relay_one, &r);

	if (skipped)
		*skipped = r.skipped;
	return e < 0 ? e : r.sent;
}

static int
make_dir(const char *path)
{
	if (mkdir(path, 0755) == 0) {
		(void)chmod(path, 0755); /* whatever the umask */
		return 0;
	}
	return errno == EEXIST ? 0 : -errno;
}

int
rundir_setup(const char *run)
{
	char runit[PATH_MAX], supervise[PATH_MAX];
	struct stat sb;
	int r;

	if (stat(run, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		log_msg(LOGLVL_DEBUG, "%s: not a directory; not creating %s/runit/supervise", run,
			run);
		return 0;
	}
	if (snprintf(runit, sizeof(runit), "%s/runit", run) >= (int)sizeof(runit) ||
	    snprintf(supervise, sizeof(supervise), "%s/supervise", runit) >= (int)sizeof(supervise))
		return -ENAMETOOLONG;
	/* Converted services' supervise links point to RUN/runit/supervise/NAME,
	 * and runsv only creates the last component. */
	r = make_dir(runit);
	if (r == 0)
		r = make_dir(supervise);
	if (r == -EROFS || r == -EACCES || r == -EPERM) {
		log_msg(LOGLVL_DEBUG, "cannot create %s: %s", supervise, strerror(-r));
		return 0;
	}
	if (r < 0)
		log_msg(LOGLVL_WARN, "cannot create %s: %s", supervise, strerror(-r));
	return r;
}
