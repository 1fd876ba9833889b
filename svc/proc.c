/* SPDX-License-Identifier: MIT */
/* klein-svc: reading process state from /proc (no cgroups in a container). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "util.h"

int
proc_stat_parse(const char *text, struct proc_stat *ret)
{
	const char *p = strrchr(text, ')');
	char state;
	long ppid, pgrp;
	if (!p || sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
		return -EINVAL;
	ret->state = state;
	ret->ppid = (pid_t)ppid;
	ret->pgrp = (pid_t)pgrp;
	return 0;
}

int
proc_stat_read(pid_t pid, struct proc_stat *ret)
{
	char path[64], *text;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	int r = read_file(path, &text, NULL);
	if (r < 0)
		return r == -ESRCH ? -ENOENT : r;
	r = proc_stat_parse(text, ret);
	free(text);
	return r;
}

bool
proc_alive(pid_t pid)
{
	struct proc_stat st;
	if (pid <= 0 || proc_stat_read(pid, &st) < 0)
		return false;
	return st.state != 'Z' && st.state != 'X' && st.state != 'x';
}

void
pidlist_add(struct pidlist *l, pid_t pid)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(pid_t));
	}
	l->v[l->n++] = pid;
}

bool
pidlist_has(const struct pidlist *l, pid_t pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == pid)
			return true;
	return false;
}

void
pidlist_done(struct pidlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
proc_children(pid_t parent, bool recursive, struct pidlist *out)
{
	struct pidlist pids = { 0 }, ppids = { 0 };
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid;
		struct proc_stat st;
		if (parse_pid(de->d_name, &pid) < 0 || proc_stat_read(pid, &st) < 0)
			continue;
		if (st.state == 'Z' || st.state == 'X')
			continue;
		pidlist_add(&pids, pid);
		pidlist_add(&ppids, st.ppid);
	}
	closedir(d);
	/* Breadth-first over the parent links: out grows while we walk it. */
	size_t start = out->n;
	for (size_t i = 0; i < pids.n; i++)
		if (ppids.v[i] == parent && !pidlist_has(out, pids.v[i]))
			pidlist_add(out, pids.v[i]);
	for (size_t k = start; recursive && k < out->n; k++)
		for (size_t i = 0; i < pids.n; i++)
			if (ppids.v[i] == out->v[k] && !pidlist_has(out, pids.v[i]))
				pidlist_add(out, pids.v[i]);
	pidlist_done(&pids);
	pidlist_done(&ppids);
}
