/* SPDX-License-Identifier: MIT */
/* chase: resolve paths inside an image root, one component at a time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/chase.h"

#define CHASE_MAX_LINKS 40 /* the kernel's own limit (ELOOP) */

int
chase_root(const char *root)
{
	int fd = open(root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static bool
same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Replaces *todo (whose unread part starts at rest) by target + rest. */
static int
splice_link(char **todo, const char *rest, const char *target)
{
	size_t t = strlen(target), r = strlen(rest);
	char *s = malloc(t + 1 + r + 1);

	if (!s)
		return -ENOMEM;
	/* rest starts with its '/' (or is empty: the link was the last). */
	memcpy(s, target, t);
	memcpy(s + t, rest, r + 1);
	free(*todo);
	*todo = s;
	return 0;
}

/* Opens name in dirfd without following it; creates it first (a 0755
 * directory, whatever the umask) if missing and flags say so. */
static int
open_component(int dirfd, const char *name, unsigned flags)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT || !(flags & CHASE_MKDIR))
		return fd < 0 ? -errno : fd;
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0755) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* systemd's unsafe_transition(): leaving root's ownership is fine; from a
 * user's file or directory only to the same user's. */
static bool
unsafe(const struct stat *a, const struct stat *b)
{
	return a->st_uid != 0 && a->st_uid != b->st_uid;
}

/* The state of one walk. */
struct walk {
	int rootfd;
	unsigned flags, links;
	struct stat prev; /* CHASE_SAFE: the last step's owner */
};

/* Records st as the last step; -ENOLINK if that step was unsafe. */
static int
safe_step(struct walk *w, int fd)
{
	struct stat st;

	if (!(w->flags & CHASE_SAFE))
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (unsafe(&w->prev, &st))
		return -ENOLINK;
	w->prev = st;
	return 0;
}

/* One step from *fd (a directory inside the root) along name. */
static int
step(struct walk *w, int *fd, const char *name, char **todo, const char **rest)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int next, r;

	if (!strcmp(name, "..") && same_inode(*fd, w->rootfd))
		return 0; /* ".." of the root is the root */
	if (!strcmp(name, "..")) {
		next = openat(*fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			return -errno;
	} else {
		next = open_component(*fd, name, w->flags);
		if (next < 0)
			return next;
	}
	r = safe_step(w, next);
	if (r == 0 && fstat(next, &st) < 0)
		r = -errno;
	if (r < 0) {
		close(next);
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(next, "", target, sizeof(target) - 1);
		close(next);
		if (n < 0)
			return -errno;
		if (++w->links > CHASE_MAX_LINKS)
			return -ELOOP;
		target[n] = '\0';
		if (target[0] == '/') { /* absolute: from the root again */
			next = openat(w->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (next < 0)
				return -errno;
			r = safe_step(w, next);
			if (r < 0) {
				close(next);
				return r;
			}
			close(*fd);
			*fd = next;
		}
		if (splice_link(todo, *rest, target) < 0)
			return -ENOMEM;
		*rest = *todo;
		return 0;
	}
	if (**rest && !S_ISDIR(st.st_mode)) {
		close(next);
		return -ENOTDIR;
	}
	close(*fd);
	*fd = next;
	return 0;
}

int
chase(int rootfd, const char *path, unsigned flags)
{
	char name[NAME_MAX + 1], *todo = strdup(path);
	const char *rest = todo;
	struct walk w = { .rootfd = rootfd, .flags = flags };
	int fd, r = 0;

	if (!todo)
		return -ENOMEM;
	fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &w.prev) < 0) {
		r = -errno;
		free(todo);
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r == 0) {
		size_t len;

		rest += strspn(rest, "/");
		if (!*rest)
			break;
		len = strcspn(rest, "/");
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, rest, len);
		name[len] = '\0';
		rest += len;
		if (strcmp(name, "."))
			r = step(&w, &fd, name, &todo, &rest);
	}
	free(todo);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* A path under no directory: every lookup of it fails with ENOENT. */
#define NOWHERE "/proc/self/fd/-1/"

/* The host path of what fd (from chase()) is: its parents have no symlinks
 * left. NULL when /proc cannot tell (then the plain join is used). */
static char *
fd_path(int fd)
{
	char proc[64], buf[PATH_MAX];
	ssize_t k;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	k = readlink(proc, buf, sizeof(buf) - 1);
	if (k <= 0 || buf[0] != '/')
		return NULL;
	buf[k] = '\0';
	return strdup(buf);
}

char *
chase_path(const char *root, const char *path, bool follow_last)
{
	const char *slash = strrchr(path, '/');
	char *dir = follow_last ? strdup(path) : strndup(path, slash ? (size_t)(slash - path) : 0);
	char *res = NULL, *base;
	int rootfd, fd;

	if (!root || !strcmp(root, "/") || !*root) {
		free(dir);
		return strdup(path);
	}
	if (!dir)
		return NULL;
	rootfd = chase_root(root);
	fd = rootfd < 0 ? rootfd : chase(rootfd, dir, 0);
	free(dir);
	if (rootfd >= 0)
		close(rootfd);
	if (fd == -ENOMEM)
		return NULL;
	if (fd < 0) /* missing (or a loop) inside the root */
		return strjoin3(NOWHERE, slash ? slash + 1 : path, "");
	base = fd_path(fd);
	close(fd);
	if (!base)
		return strjoin3(root, path[0] == '/' ? "" : "/", path);
	if (follow_last)
		return base;
	res = strjoin3(base, strcmp(base, "/") ? "/" : "", slash ? slash + 1 : path);
	free(base);
	return res;
}
