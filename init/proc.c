/* SPDX-License-Identifier: MIT */
/* Allocation-free /proc and directory walking for the shutdown. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

#define PROC_TABLE_MAX 8192 /* processes visible in /proc we can track */

int
read_small(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return 0;
}

int
dir_each(const char *path, int (*fn)(const char *name, void *ctx), void *ctx)
{
	/* getdents64 into a stack buffer: opendir() would malloc. */
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	while (r == 0 && (n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n && r == 0;) {
			struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				r = fn(de->d_name, ctx);
		}
	}
	close(fd);
	return r;
}

struct scan_ctx {
	struct proc_info *tab;
	size_t n;
	size_t max;
};

static int
scan_one(const char *name, void *ctx)
{
	struct scan_ctx *s = ctx;
	char path[64], stat[512], *open_paren, *close_paren;
	char *end;
	long pid = strtol(name, &end, 10);
	struct proc_info *p;
	size_t len;

	if (*end || pid <= 0 || s->n >= s->max)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, stat, sizeof(stat)) < 0)
		return 0; /* gone meanwhile */
	/* "pid (comm) S ppid ...": comm may hold ')' and spaces. */
	open_paren = strchr(stat, '(');
	close_paren = strrchr(stat, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || !close_paren[1])
		return 0;
	p = &s->tab[s->n];
	p->pid = (pid_t)pid;
	if (sscanf(close_paren + 2, "%*c %d", &p->ppid) != 1)
		return 0;
	len = (size_t)(close_paren - open_paren - 1);
	if (len >= sizeof(p->comm))
		len = sizeof(p->comm) - 1;
	memcpy(p->comm, open_paren + 1, len);
	p->comm[len] = '\0';
	if (close_paren[2] == 'Z')
		return 0; /* zombies are only waiting to be reaped */
	s->n++;
	return 0;
}

size_t
proc_descendants(pid_t root, struct proc_info *out, size_t max)
{
	static struct proc_info tab[PROC_TABLE_MAX];
	static unsigned char mark[PROC_TABLE_MAX];
	struct scan_ctx s = { tab, 0, PROC_TABLE_MAX };
	size_t n = 0;
	bool changed = true;

	if (dir_each("/proc", scan_one, &s) < 0)
		return 0;
	memset(mark, 0, s.n);
	/* Descendants: repeat until no process joins (depth is small). */
	while (changed) {
		changed = false;
		for (size_t i = 0; i < s.n; i++) {
			if (mark[i] || tab[i].pid == root)
				continue;
			bool parent_in = tab[i].ppid == root;

			for (size_t j = 0; !parent_in && j < s.n; j++)
				parent_in = mark[j] && tab[j].pid == tab[i].ppid;
			if (parent_in) {
				mark[i] = 1;
				changed = true;
			}
		}
	}
	for (size_t i = 0; i < s.n && n < max; i++)
		if (mark[i])
			out[n++] = tab[i];
	return n;
}
