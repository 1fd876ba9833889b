/* SPDX-License-Identifier: MIT */
/* klein-svc: reading process state from /proc (no cgroups in a container). */
#ifndef KLEIN_SVC_PROC_H
#define KLEIN_SVC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_stat {
	char state; /* 'R', 'S', 'Z', ... from /proc/PID/stat */
	pid_t ppid, pgrp;
};

/*
 * Parses the text of /proc/PID/stat (the comm field may hold spaces and
 * parentheses; the state follows the last ')'). 0 or -EINVAL.
 */
int proc_stat_parse(const char *text, struct proc_stat *ret);
/* Reads /proc/PID/stat; 0, -ENOENT when the process is gone. */
int proc_stat_read(pid_t pid, struct proc_stat *ret);
/* True while pid exists and is not a zombie (state Z or X counts as exited). */
bool proc_alive(pid_t pid);

/* A growable list of pids. */
struct pidlist {
	pid_t *v;
	size_t n, cap;
};
void pidlist_add(struct pidlist *l, pid_t pid);
bool pidlist_has(const struct pidlist *l, pid_t pid);
void pidlist_done(struct pidlist *l);

/* Appends the live (non-zombie) children of parent; with recursive, every
 * descendant, found by one scan of /proc's parent links. */
void proc_children(pid_t parent, bool recursive, struct pidlist *out);

#endif
