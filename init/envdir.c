/* SPDX-License-Identifier: MIT */
/* The container environment: envdir + .sh + .json export and re-import. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

extern char **environ;

#define ENV_VALUE_MAX (128u * 1024u) /* bytes; larger envdir files are skipped */

void
wbuf_put(struct wbuf *w, const char *s, size_t n)
{
	while (n > 0 && !w->err) {
		size_t room = sizeof(w->buf) - w->len;
		size_t k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			(void)wbuf_flush(w); /* sets w->err on failure */
	}
}

void
wbuf_puts(struct wbuf *w, const char *s)
{
	wbuf_put(w, s, strlen(s));
}

int
wbuf_flush(struct wbuf *w)
{
	size_t off = 0;

	while (off < w->len && !w->err) {
		ssize_t k = write(w->fd, w->buf + off, w->len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			w->err = -errno;
		else
			off += (size_t)k;
	}
	w->len = 0;
	return w->err;
}

void
env_sh_quote(struct wbuf *w, const char *s)
{
	/* Single quotes keep every byte literal, newlines included; only
	 * the quote itself needs the close-escape-reopen dance. */
	wbuf_put(w, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			wbuf_puts(w, "'\\''");
		else
			wbuf_put(w, p, 1);
	}
	wbuf_put(w, "'", 1);
}

void
env_json_quote(struct wbuf *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char esc[8];

	wbuf_put(w, "\"", 1);
	while (n > 0) {
		size_t k = utf8_len(p, n);

		if (k == 0 || p[0] < 0x20 || p[0] == '"' || p[0] == '\\' || p[0] == 0x7f) {
			if (p[0] == '"' || p[0] == '\\') {
				esc[0] = '\\';
				esc[1] = (char)p[0];
				wbuf_put(w, esc, 2);
			} else if (p[0] == '\n') {
				wbuf_put(w, "\\n", 2);
			} else if (p[0] == '\t') {
				wbuf_put(w, "\\t", 2);
			} else {
				/* Control bytes, and each byte of an invalid
				 * sequence read as Latin-1: valid JSON always. */
				snprintf(esc, sizeof(esc), "\\u%04x", p[0]);
				wbuf_put(w, esc, 6);
			}
			k = 1;
		} else {
			wbuf_put(w, (const char *)p, k);
		}
		p += k;
		n -= k;
	}
	wbuf_put(w, "\"", 1);
}

/* Writes data to path through path.klein-tmp + rename, mode 0600. */
static int
write_file_atomic(const char *path, int (*fill)(struct wbuf *w, const void *ctx), const void *ctx)
{
	char tmp[PATH_MAX];
	struct wbuf *w;
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.klein-tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	w->fd = fd;
	r = fill(w, ctx);
	if (!r)
		r = wbuf_flush(w);
	free(w);
	if (!r && fchmod(fd, 0600) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static int
fill_value(struct wbuf *w, const void *ctx)
{
	wbuf_puts(w, ctx); /* raw bytes, no newline added (see docs/init.md) */
	return w->err;
}

/* Splits "NAME=value" into name (copied into buf) and value. */
static const char *
split_var(const char *var, char *name, size_t cap)
{
	const char *eq = strchr(var, '=');
	size_t n;

	if (!eq)
		return NULL;
	n = (size_t)(eq - var);
	if (n == 0 || n >= cap)
		return NULL;
	memcpy(name, var, n);
	name[n] = '\0';
	return eq + 1;
}

static int
fill_sh(struct wbuf *w, const void *ctx)
{
	char name[NAME_MAX + 1];
	const char *v;

	(void)ctx;
	wbuf_puts(w, "# Written by klein-init: the container environment.\n");
	for (char **e = environ; *e; e++) {
		v = split_var(*e, name, sizeof(name));
		if (!v || !env_name_exportable(name) || !env_name_valid(name, strlen(name)))
			continue;
		wbuf_puts(w, "export ");
		wbuf_puts(w, name);
		wbuf_puts(w, "=");
		env_sh_quote(w, v);
		wbuf_puts(w, "\n");
	}
	return w->err;
}

static int
fill_json(struct wbuf *w, const void *ctx)
{
	char name[NAME_MAX + 1];
	const char *v;
	bool first = true;

	(void)ctx;
	wbuf_puts(w, "{");
	for (char **e = environ; *e; e++) {
		v = split_var(*e, name, sizeof(name));
		if (!v || !env_name_exportable(name))
			continue;
		wbuf_puts(w, first ? "\n  " : ",\n  ");
		first = false;
		env_json_quote(w, name);
		wbuf_puts(w, ": ");
		env_json_quote(w, v);
	}
	wbuf_puts(w, first ? "}\n" : "\n}\n");
	return w->err;
}

int
env_export(const char *dir)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	const char *v;
	int r;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* The values may be secrets: root only. */
	if (chmod(dir, 0700) < 0)
		return -errno;
	for (char **e = environ; *e; e++) {
		v = split_var(*e, name, sizeof(name));
		if (!v || !env_name_exportable(name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		r = write_file_atomic(path, fill_value, v);
		if (r)
			return r;
	}
	if (snprintf(path, sizeof(path), "%s.sh", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = write_file_atomic(path, fill_sh, NULL);
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s.json", dir);
	return write_file_atomic(path, fill_json, NULL);
}

/* Reads dir/name into a malloc'd string, cut at the first NUL. */
static int
read_value(int dirfd, const char *name, char **ret)
{
	struct stat sb;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > ENV_VALUE_MAX) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)sb.st_size && (n = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/* import_only: add variables the environment lacks, change nothing else. */
static int
apply_dir(const char *dir, bool import_only)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *value = NULL;
	const char *cur;
	int dfd, r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		if (!env_name_exportable(de->d_name) || strchr(de->d_name, '=') ||
		    strstr(de->d_name, ".klein-tmp"))
			continue;
		if (read_value(dfd, de->d_name, &value) < 0) {
			log_msg(LOGLVL_WARN,
				"%s/%s: not a readable file of at most "
				"%u bytes, ignored",
				dir, de->d_name, ENV_VALUE_MAX);
			continue;
		}
		cur = getenv(de->d_name);
		if (!cur || (!import_only && strcmp(cur, value) != 0)) {
			log_msg(LOGLVL_DEBUG, "environment: %s %s", cur ? "changed" : "added",
				de->d_name);
			if (setenv(de->d_name, value, 1) < 0)
				r = -errno;
		}
		free(value);
	}
	closedir(d);
	return r;
}

/* Unsets exported variables whose file a script removed. */
static int
drop_removed(const char *dir)
{
	char name[NAME_MAX + 1], path[PATH_MAX];
	bool again = true;

	/* unsetenv reshuffles environ, so restart the scan after each. */
	while (again) {
		again = false;
		for (char **e = environ; *e; e++) {
			if (!split_var(*e, name, sizeof(name)) || !env_name_exportable(name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (access(path, F_OK) < 0 && errno == ENOENT) {
				log_msg(LOGLVL_DEBUG, "environment: removed %s", name);
				unsetenv(name);
				again = true;
				break;
			}
		}
	}
	return 0;
}

int
env_setup(const char *dir)
{
	int r = apply_dir(dir, true);

	if (!r)
		r = env_export(dir);
	if (r)
		log_msg(LOGLVL_WARN,
			"cannot write the container environment to "
			"%s: %s",
			dir, strerror(-r));
	return r;
}

int
env_reload(const char *dir)
{
	struct stat sb;
	int r;

	if (stat(dir, &sb) < 0) {
		/* A script removed the whole dir: keep the environment. */
		log_msg(LOGLVL_WARN, "%s: %s; environment unchanged", dir, strerror(errno));
		return env_export(dir);
	}
	r = apply_dir(dir, false);
	if (!r)
		r = drop_removed(dir);
	if (!r)
		r = env_export(dir);
	if (r)
		log_msg(LOGLVL_WARN,
			"cannot update the container environment in "
			"%s: %s",
			dir, strerror(-r));
	return r;
}
