/* SPDX-License-Identifier: MIT */
/* Test helper run under klein-init: reports process state, signals, reaping. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static void
print_status_lines(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7))
			fputs(line, stdout);
	fclose(f);
}

/* "state": SigBlk/SigIgn, open fds, cwd, and PID 1's cwd. */
static int
cmd_state(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char buf[4096];
	ssize_t n;

	print_status_lines();
	printf("fds:");
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			printf(" %s", de->d_name);
	printf("\n");
	if (d)
		closedir(d);
	printf("cwd: %s\n", getcwd(buf, sizeof(buf)) ? buf : "?");
	n = readlink("/proc/1/cwd", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	printf("init_cwd: %s\n", buf);
	return 0;
}

static void
on_signal(int sig)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "sig %d\n", sig);

	(void)!write(STDOUT_FILENO, line, (size_t)len);
	if (sig == SIGTERM)
		_exit(0);
}

/* "signals": prints "sig N" for each signal received, exits on SIGTERM. */
static int
cmd_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
			(void)sigaction(sig, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	sigemptyset(&none);
	for (;;)
		sigsuspend(&none);
	return 0; /* not reached: SIGTERM exits */
}

static int
count_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[300], stat[512], *p;
	int z = 0;
	FILE *f;

	while (d && (de = readdir(d))) {
		if (atoi(de->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(stat, sizeof(stat), f) && (p = strrchr(stat, ')')) && p[2] == 'Z')
			z++;
		fclose(f);
	}
	if (d)
		closedir(d);
	return z;
}

static int
count_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += atoi(de->d_name) > 0;
	if (d)
		closedir(d);
	return n;
}

/* "orphans N": N processes orphaned at once; exit 0 when all were reaped. */
static int
cmd_orphans(int n)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (fork() == 0) {
				struct timespec t = { 0, (long)(100 + i % 50) * 1000 * 1000 };

				nanosleep(&t, NULL);
				_exit(0);
			}
			_exit(0); /* the grandchild is now klein-init's */
		}
	}
	/* Our own children are ours to reap: only the orphans are init's. */
	while (wait(NULL) > 0)
		;
	/* Every orphan is gone and nothing is left as a zombie: init,
	 * runsvdir and us are all that remain. */
	for (int tries = 0; tries < 250; tries++) {
		if (count_zombies() == 0 && count_procs() <= 3)
			break;
		nanosleep(&ts, NULL);
	}
	printf("zombies %d procs %d\n", count_zombies(), count_procs());
	return count_zombies() == 0 && count_procs() <= 3 ? 0 : 1;
}

/* "coalesce": an orphan and this process exit together; exit 127. */
static int
cmd_coalesce(void)
{
	int fds[2];
	char c;

	if (pipe(fds) < 0)
		return 1;
	if (fork() == 0) {
		close(fds[1]);
		(void)!read(fds[0], &c, 1); /* EOF when the parent exits */
		_exit(0);
	}
	close(fds[0]);
	_exit(127);
}

/* "privrun OPTS CMD...": a private tmpfs on /run (the caller made a mount
 * namespace), then exec CMD with the environment untouched (a shell would
 * drop names that are not shell names, which the env tests pass). */
static int
cmd_privrun(const char *opts, char **cmd)
{
	unsigned long flags = 0;

	if (!strcmp(opts, "ro")) {
		flags = MS_RDONLY;
		opts = NULL;
	}
	if (mount("klein-run", "/run", "tmpfs", flags, opts) < 0) {
		perror("probe privrun: mount /run");
		return 125;
	}
	execv(cmd[0], cmd);
	perror(cmd[0]);
	return 127;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "privrun"))
		return cmd_privrun(argv[2], argv + 3);
	if (argc >= 2 && !strcmp(argv[1], "state"))
		return cmd_state();
	if (argc >= 2 && !strcmp(argv[1], "signals"))
		return cmd_signals();
	if (argc >= 3 && !strcmp(argv[1], "orphans"))
		return cmd_orphans(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "coalesce"))
		return cmd_coalesce();
	fprintf(stderr, "usage: probe state|signals|orphans N|coalesce|privrun OPTS CMD...\n");
	return 2;
}
