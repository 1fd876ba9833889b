/* SPDX-License-Identifier: MIT */
/* klein-svc health: every runit service up (and its ./check passing), for Docker HEALTHCHECK. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "health.h"
#include "util.h"

#include "lib/values.h"

#define DEFAULT_CHECK_TIMEOUT_USEC (10ULL * 1000000ULL)

/* sv(8)'s test: runsv holds supervise/ok open for reading while it runs. */
static bool
runsv_running(const char *svdir)
{
	char *ok = xstrjoin3(svdir, "/supervise/ok", NULL);
	int fd = open(ok, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	free(ok);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int
read_status(const char *svdir, struct runit_status *ret)
{
	char *path = xstrjoin3(svdir, "/supervise/status", NULL), *buf;
	size_t len;
	int r = read_file(path, &buf, &len);
	free(path);
	if (r == 0) {
		r = runit_status_parse((const unsigned char *)buf, len, ret);
		free(buf);
		if (r == 0)
			return 0;
	}
	path = xstrjoin3(svdir, "/supervise/stat", NULL);
	r = read_file(path, &buf, NULL);
	free(path);
	if (r < 0)
		return r;
	r = runit_stat_parse(buf, ret);
	free(buf);
	return r;
}

/* Runs svdir/check with svdir as cwd (like sv check); its exit code, 128+N
 * for a signal, or -ETIMEDOUT (the check is killed). */
static int
run_check(const char *svdir, uint64_t timeout)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (chdir(svdir) < 0)
			_exit(127);
		/* Its own group, so a timeout kills whatever it started. */
		(void)setpgid(0, 0);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			(void)dup2(null, 1);
		execl("./check", "./check", (char *)NULL);
		_exit(126);
	}
	uint64_t end = now_usec() + timeout;
	for (;;) {
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (w < 0)
			return -errno;
		if (now_usec() >= end) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Checks one service directory; prints a line and returns false if unhealthy. */
static bool
check_service(const char *name, const char *svdir, uint64_t timeout)
{
	struct runit_status st;
	const char *why = NULL;
	char detail[64];

	if (!runsv_running(svdir))
		why = "not supervised (runsv is not running)";
	else if (read_status(svdir, &st) < 0)
		why = "no readable supervise/status";
	else if ((why = runit_status_problem(&st)) == NULL && st.state == RUNIT_RUN) {
		char *check = xstrjoin3(svdir, "/check", NULL);
		bool has_check = access(check, X_OK) == 0;
		free(check);
		if (has_check) {
			int r = run_check(svdir, timeout);
			if (r == -ETIMEDOUT)
				why = "check timed out";
			else if (r != 0) {
				snprintf(detail, sizeof(detail), "check failed (exit %d)", r);
				why = detail;
			}
		}
	}
	if (why)
		printf("%s: %s\n", name, why);
	return why == NULL;
}

static bool
is_service_dir(const char *path)
{
	struct stat st;
	char *run = xstrjoin3(path, "/run", NULL);
	bool ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(run, F_OK) == 0;
	free(run);
	return ok;
}

int
cmd_health(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t timeout = DEFAULT_CHECK_TIMEOUT_USEC;
	const char *dir = "/etc/service";
	int c, bad = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 't' || parse_time_usec(optarg, 1000000ULL, &timeout) < 0 || timeout == 0 ||
		    timeout == VALUE_INFINITY) {
			log_error("health: usage: klein-svc health [--timeout SEC] [SERVICE_DIR]");
			return SVC_EXIT_USAGE;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		log_error("health: usage: klein-svc health [--timeout SEC] [SERVICE_DIR]");
		return SVC_EXIT_USAGE;
	}
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("%s: cannot read: %s\n", dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *path = xstrjoin3(dir, "/", name);
		if (name[0] != '.' && is_service_dir(path)) {
			bad += !check_service(name, path, timeout);
			char *log = xstrjoin3(path, "/log", NULL);
			char *logname = xstrjoin3(name, "/log", NULL);
			if (is_service_dir(log))
				bad += !check_service(logname, log, timeout);
			free(log);
			free(logname);
		}
		free(path);
		free(names[i]);
	}
	free(names);
	fflush(stdout);
	return bad ? 1 : 0;
}
