/* SPDX-License-Identifier: MIT */
/* klein-svc: OpenFile=PATH:FDNAME:OPTIONS (systemd's exec-invoke.c get_open_file_fd()). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "openfile.h"

#include "lib/creds.h"

enum { OF_READ_ONLY = 1, OF_APPEND = 2, OF_TRUNCATE = 4, OF_GRACEFUL = 8 };

struct open_file {
	char *path, *name;
	unsigned flags;
};

/* One ':'-separated field, C-unescaped; advances *p past its ':'. */
static int
field(const char **p, char **ret)
{
	size_t n = strcspn(*p, ":"), len;
	char *raw = xstrndup(*p, n);
	int r = credential_unescape(raw, ret, &len);
	free(raw);
	if (r == 0 && len != strlen(*ret)) { /* a NUL byte */
		free(*ret);
		r = -EINVAL;
	}
	*p += n + ((*p)[n] == ':');
	return r;
}

static int
parse(const char *spec, struct open_file *of)
{
	static const char *const opts[] = { "read-only", "append", "truncate", "graceful" };
	const char *p = spec;
	char *o = NULL;
	memset(of, 0, sizeof(*of));
	int r = field(&p, &of->path);
	if (r == 0 && (r = field(&p, &of->name)) < 0)
		of->name = NULL;
	if (r == 0 && (r = field(&p, &o)) < 0)
		o = NULL;
	if (r == 0 && !*of->name && strrchr(of->path, '/')) { /* systemd: PATH's file name */
		free(of->name);
		of->name = xstrdup(strrchr(of->path, '/') + 1);
	}
	if (r == 0 && (*p || of->path[0] != '/' || !*of->name || !fdname_valid(of->name)))
		r = -EINVAL;
	for (const char *w = o ? o : ""; r == 0 && *w;) {
		size_t n = strcspn(w, ","), k = 0;
		while (k < 4 && (strlen(opts[k]) != n || strncmp(w, opts[k], n)))
			k++;
		if (k == 4 || (of->flags & (1u << k)))
			r = -EINVAL;
		else
			of->flags |= 1u << k;
		w += n + (w[n] == ',');
	}
	if (r == 0 && __builtin_popcount(of->flags & 7u) > 1)
		r = -EINVAL;
	free(o);
	return r;
}

static void
open_file_done(struct open_file *of)
{
	free(of->path);
	free(of->name);
}

bool
open_file_spec_valid(const char *spec)
{
	struct open_file of;
	int r = parse(spec, &of);
	open_file_done(&of);
	return r == 0;
}

static int
connect_socket(const char *path, bool read_only)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	strcpy(un.sun_path, path);
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	int r = -EPROTOTYPE;
	for (size_t i = 0; i < 3 && r == -EPROTOTYPE; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
			r = -errno;
			close(fd);
			continue;
		}
		if (read_only && shutdown(fd, SHUT_WR) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		return fd;
	}
	return r;
}

static int
open_one(const struct open_file *of)
{
	struct stat st;
	if (stat(of->path, &st) < 0)
		return -errno;
	if (S_ISSOCK(st.st_mode))
		return connect_socket(of->path, of->flags & OF_READ_ONLY);
	int flags = (of->flags & OF_READ_ONLY) ? O_RDONLY : O_RDWR;
	if (of->flags & OF_APPEND)
		flags |= O_APPEND;
	else if (of->flags & OF_TRUNCATE)
		flags |= O_TRUNC;
	int fd = open(of->path, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int
open_files_collect(const struct strv *specs, int *fds, size_t *n, size_t max, char **names)
{
	size_t first = *n;
	int r = 0;
	for (size_t i = 0; i < specs->n && r == 0; i++) {
		struct open_file of;
		if (parse(specs->v[i], &of) < 0) {
			log_error("invalid '--open-file %s'", specs->v[i]);
			r = -EINVAL;
		} else if (*n >= max) {
			log_error("too many file descriptors to pass");
			r = -E2BIG;
		} else {
			int fd = open_one(&of);
			if (fd < 0 && (of.flags & OF_GRACEFUL))
				log_error(
					"warning: failed to get OpenFile= file descriptor for %s, "
					"ignoring: %s",
					of.path, strerror(-fd));
			else if (fd < 0) {
				log_error("failed to get OpenFile= file descriptor for %s: %s",
					  of.path, strerror(-fd));
				r = fd;
			} else {
				fds[(*n)++] = fd;
				char *j = xstrjoin3(*names, **names ? ":" : "", of.name);
				free(*names);
				*names = j;
			}
		}
		open_file_done(&of);
	}
	if (r < 0)
		while (*n > first)
			close(fds[--(*n)]);
	return r;
}
