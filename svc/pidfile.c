/* SPDX-License-Identifier: MIT */
/* klein-svc: PID files read the way systemd's service_load_pid_file() does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pidfile.h"
#include "proc.h"
#include "util.h"

#include "lib/chase.h"

/* Opens path as an O_PATH fd, safely if possible. */
static int
open_chased(const char *path, bool *questionable)
{
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (rootfd < 0)
		return -errno;
	fd = chase(rootfd, path, CHASE_SAFE);
	*questionable = fd == -ENOLINK;
	if (*questionable) /* systemd: retry with relaxed checks, and remember */
		fd = chase(rootfd, path, 0);
	close(rootfd);
	return fd;
}

int
pidfile_read(const char *path, struct pidfile *ret)
{
	char proc[64], buf[64];
	struct stat st;
	bool questionable = false;
	ssize_t n;
	int pid, r, fd = open_chased(path, &questionable);

	if (fd < 0)
		return fd;
	/* The O_PATH fd made readable; O_NONBLOCK: a FIFO must not hang us. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	r = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	close(fd);
	if (r < 0)
		return -errno;
	fd = r;
	r = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EBADFD : 0;
	n = r ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (!r && n < 0)
		r = -errno;
	close(fd);
	if (r)
		return r;
	buf[n] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
	if (parse_pid(buf, &pid) < 0)
		return -EINVAL;
	*ret = (struct pidfile){ .pid = pid,
				 .questionable = questionable,
				 .root_owned = st.st_uid == 0 };
	return 0;
}

enum pidfile_verdict
pidfile_check(const struct pidfile *pf, pid_t supervisor)
{
	struct pidlist l = { 0 };
	bool ours;

	if (pf->pid == supervisor || pf->pid == 1)
		return PIDFILE_SELF;
	proc_children(supervisor, true, &l);
	ours = pidlist_has(&l, pf->pid);
	pidlist_done(&l);
	if (ours)
		return PIDFILE_OK;
	if (pf->questionable)
		return PIDFILE_UNSAFE_CHAIN;
	return pf->root_owned ? PIDFILE_OK : PIDFILE_NOT_ROOT;
}
