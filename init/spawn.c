/* SPDX-License-Identifier: MIT */
/* fork + a clean child (mask, dispositions, fds, cwd, tty) + exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn)) child_exec(const struct spawn_req *req, int errfd)
{
	struct sigaction dfl;
	sigset_t none;
	int err;

	if (req->new_pgrp)
		(void)setpgid(0, 0);
	/* Still fully blocked here, so tcsetpgrp from a background group
	 * cannot stop us with SIGTTOU. */
	if (req->take_tty && isatty(STDIN_FILENO))
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL); /* KILL, STOP: EINVAL, fine */
	if (req->cwd_fd >= 0)
		(void)fchdir(req->cwd_fd);
	/* Whatever klein-init inherited beyond 0-2 is not the child's. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			if (fd != errfd)
				(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(req->argv[0], req->argv);
	err = errno;
	(void)!write(errfd, &err, sizeof(err));
	_exit(status_exec_code(err));
}

int
spawn(const struct spawn_req *req, pid_t *ret_pid, int *ret_exec_err)
{
	int fds[2], err = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		close(fds[0]);
		child_exec(req, fds[1]);
	}
	close(fds[1]);
	if (req->new_pgrp)
		(void)setpgid(pid, pid); /* both sides: no race with kill(-pgid) */
	/* EOF at exec (CLOEXEC), or the errno the exec failed with. */
	do
		n = read(fds[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	*ret_pid = pid;
	*ret_exec_err = n == (ssize_t)sizeof(err) ? err : 0;
	return 0;
}
