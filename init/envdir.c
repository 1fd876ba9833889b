/* SPDX-License-Identifier: MIT */
/* The container environment: envdir + .sh + .json export and re-import. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

extern char **environ;

/* The kernel's limits for what a program is started with (fs/exec.c):
 * one "NAME=value" string, NUL included, is at most MAX_ARG_STRLEN; all of
 * them with their pointers at most a quarter of the stack limit, capped at
 * 3/4 of 8 MiB and never below 128 KiB. Past them every exec fails (E2BIG). */
#define ENV_STRING_MAX	(128u * 1024u) /* bytes */
#define ENV_SPACE_CAP	(6u << 20)     /* bytes */
#define ENV_ARG_RESERVE (64u * 1024u)  /* bytes kept for argv and what services add */
#define ENV_POLL_EVERY	256u	       /* file operations between looks at the signals */

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
	const char *v = ctx;
	size_t n = strlen(v);

	/* Raw bytes; reading strips one trailing newline, so a value that
	 * ends in one gets one more (see docs/init.md). */
	wbuf_put(w, v, n);
	if (n > 0 && v[n - 1] == '\n')
		wbuf_put(w, "\n", 1);
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

/* One name in the env dir, as read. */
enum file_state {
	FILE_VALUE, /* a regular file: value holds it */
	FILE_BAD,   /* unreadable or too long: ignored, rewritten from the env */
	FILE_DIR,   /* a directory (a stray mount point): neither read nor written */
};

struct env_file {
	char *name;
	size_t nlen;
	char *value; /* decoded (FILE_VALUE), NUL-terminated */
	size_t vlen;
	enum file_state state;
	bool fresh; /* mode 0600, ours, and exactly what env_export writes */
};

struct env_files {
	struct env_file *v;
	size_t n, cap;
	bool listed; /* the directory was read (a missing one removes nothing) */
};

/* One variable of the environment being built. */
struct env_var {
	char *kv; /* "NAME=value" */
	size_t nlen;
	size_t order;		     /* index in environ: the first of twins wins */
	bool owned;		     /* malloc'd by this module */
	bool dropped;		     /* its file was removed: unset */
	const struct env_file *file; /* the env dir's entry for it, or NULL */
	char *pending;		     /* a new "NAME=value" waiting for room, or NULL */
};

struct env_vars {
	struct env_var *v;
	size_t n, cap;
};

/* One setup or reload: where, and how to notice a stop request. */
struct env_run {
	const char *dir;
	const struct env_poll *poll;
	unsigned ops;
	bool stopped;
};

/* The environ array this module installed, and which of its strings it
 * allocated (the others are the kernel's, from our own start). */
static char **env_vec;
static bool *env_owned;

static bool
env_stopped(struct env_run *run)
{
	if (!run->stopped && ++run->ops % ENV_POLL_EVERY == 0 && run->poll &&
	    run->poll->stop(run->poll->ctx))
		run->stopped = true;
	return run->stopped;
}

static int
name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int
file_cmp(const void *a, const void *b)
{
	const struct env_file *x = a, *y = b;

	return name_cmp(x->name, x->nlen, y->name, y->nlen);
}

static int
var_cmp(const void *a, const void *b)
{
	const struct env_var *x = a, *y = b;
	int c = name_cmp(x->kv, x->nlen, y->kv, y->nlen);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void *
grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return v;
	while (ncap < need)
		ncap *= 2;
	p = realloc(v, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

/* The bytes one variable takes in the argument space (string + pointer). */
static size_t
var_cost(const char *kv)
{
	return strlen(kv) + 1 + sizeof(char *);
}

static size_t
env_space(void)
{
	struct rlimit rl;
	size_t lim = ENV_SPACE_CAP;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < lim)
		lim = (size_t)(rl.rlim_cur / 4);
	if (lim < ENV_STRING_MAX)
		lim = ENV_STRING_MAX;
	return lim - ENV_ARG_RESERVE;
}

/* environ, sorted by name; of twins the first (what getenv sees) stays. */
static int
vars_snapshot(struct env_vars *vs)
{
	bool owned = env_vec && environ == env_vec;
	size_t n = 0, k = 0;
	const char *eq;

	for (char **e = environ; *e; e++)
		n++;
	vs->v = calloc(n ? n : 1, sizeof(*vs->v));
	if (!vs->v)
		return -ENOMEM;
	vs->cap = n;
	for (size_t i = 0; i < n; i++) {
		eq = strchr(environ[i], '=');
		if (!eq || eq == environ[i])
			continue; /* no name: nothing reads it */
		vs->v[k++] = (struct env_var){ .kv = environ[i],
					       .nlen = (size_t)(eq - environ[i]),
					       .order = i,
					       .owned = owned && env_owned[i] };
	}
	if (k)
		qsort(vs->v, k, sizeof(*vs->v), var_cmp);
	vs->n = 0;
	for (size_t i = 0; i < k; i++) {
		struct env_var *last = vs->n ? &vs->v[vs->n - 1] : NULL;

		if (last && !name_cmp(last->kv, last->nlen, vs->v[i].kv, vs->v[i].nlen))
			continue; /* never ours: env_vec has no twins */
		vs->v[vs->n++] = vs->v[i];
	}
	return 0;
}

static void
files_free(struct env_files *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].name);
		free(fs->v[i].value);
	}
	free(fs->v);
}

/* Reads one env dir file into f. 0, -ENOENT (gone meanwhile), -ENOMEM, or
 * -EINVAL with *why saying why it is ignored. */
static int
file_read(int dfd, struct env_file *f, uid_t uid, const char **why)
{
	struct stat sb;
	size_t len = 0, raw;
	bool nl;
	ssize_t k;
	int fd = openat(dfd, f->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	f->state = FILE_BAD;
	*why = "not a regular file";
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	if (S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode) || sb.st_size > ENV_STRING_MAX) {
		close(fd);
		if (S_ISDIR(sb.st_mode)) {
			f->state = FILE_DIR;
			*why = "a directory, not a variable: neither read nor written";
		} else if (S_ISREG(sb.st_mode)) {
			*why = "too long for the kernel (NAME=value over 131072 bytes)";
		}
		return -EINVAL;
	}
	f->value = malloc((size_t)sb.st_size + 1);
	if (!f->value) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)sb.st_size &&
	       (k = read(fd, f->value + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)k;
	close(fd);
	f->value[len] = '\0';
	raw = len;
	/* Up to the first NUL, less one trailing newline (`echo X > NAME`
	 * sets X, as phusion's my_init reads it). */
	len = strlen(f->value);
	nl = len > 0 && f->value[len - 1] == '\n';
	if (nl)
		f->value[--len] = '\0';
	f->vlen = len;
	if (f->nlen + 1 + len + 1 > ENV_STRING_MAX) {
		*why = "too long for the kernel (NAME=value over 131072 bytes)";
		free(f->value);
		f->value = NULL;
		return -EINVAL;
	}
	f->state = FILE_VALUE;
	f->fresh = (sb.st_mode & 07777) == 0600 && sb.st_uid == uid && raw == len + nl &&
		   nl == (len > 0 && f->value[len - 1] == '\n');
	return 0;
}

/* The variable files of run->dir, sorted by name; a missing dir has none. */
static int
files_read(struct env_run *run, struct env_files *fs)
{
	DIR *d = opendir(run->dir);
	struct dirent *de;
	struct env_file *f;
	const char *why;
	uid_t uid = geteuid();
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	fs->listed = true;
	while (!r && (de = readdir(d)) && !env_stopped(run)) {
		if (!env_name_exportable(de->d_name) || strchr(de->d_name, '=') ||
		    strstr(de->d_name, ".klein-tmp"))
			continue;
		f = grow(fs->v, &fs->cap, fs->n + 1, sizeof(*fs->v));
		if (!f) {
			r = -ENOMEM;
			break;
		}
		fs->v = f;
		f = &fs->v[fs->n];
		*f = (struct env_file){ .name = strdup(de->d_name), .nlen = strlen(de->d_name) };
		r = f->name ? file_read(dirfd(d), f, uid, &why) : -ENOMEM;
		if (r == -EINVAL)
			log_msg(LOGLVL_WARN, "%s/%s: %s; ignored", run->dir, f->name, why);
		if (r == -ENOENT || r == -ENOMEM)
			free(f->name);
		else
			fs->n++;
		if (r != -ENOMEM)
			r = 0;
	}
	closedir(d);
	if (fs->n)
		qsort(fs->v, fs->n, sizeof(*fs->v), file_cmp);
	return r ? r : run->stopped ? -EINTR : 0;
}

/* Copies v's name into buf (NAME_MAX + 1); false if it has no env file. */
static bool
var_name(const struct env_var *v, char *buf)
{
	if (v->nlen >= NAME_MAX)
		return false;
	memcpy(buf, v->kv, v->nlen);
	buf[v->nlen] = '\0';
	return env_name_exportable(buf);
}

static char *
file_kv(const struct env_file *f)
{
	char *kv = malloc(f->nlen + 1 + f->vlen + 1);

	if (kv) {
		memcpy(kv, f->name, f->nlen);
		kv[f->nlen] = '=';
		memcpy(kv + f->nlen + 1, f->value, f->vlen + 1);
	}
	return kv;
}

/* Lines the env dir up with the variables, both sorted: out gets what
 * stays, with the file's value pending where the file adds or changes
 * one; variables whose file a script removed are marked dropped in vs. */
static int
vars_merge(struct env_vars *vs, const struct env_files *fs, bool import_only, struct env_vars *out)
{
	char name[NAME_MAX + 1];
	size_t i = 0, j = 0;

	out->v = calloc(vs->n + fs->n + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	while (i < vs->n || j < fs->n) {
		struct env_var *v = i < vs->n ? &vs->v[i] : NULL;
		const struct env_file *f = j < fs->n ? &fs->v[j] : NULL;
		int c = !v ? 1 : !f ? -1 : name_cmp(v->kv, v->nlen, f->name, f->nlen);
		struct env_var *o = &out->v[out->n];

		i += c <= 0;
		j += c >= 0;
		if (c < 0) {
			if (!import_only && fs->listed && var_name(v, name))
				v->dropped = true;
			else
				out->v[out->n++] = *v;
			continue;
		}
		if (c > 0 && f->state != FILE_VALUE)
			continue;
		*o = c > 0 ? (struct env_var){ .nlen = f->nlen } : *v;
		o->file = f;
		out->n++;
		if (f->state == FILE_VALUE &&
		    (c > 0 || (!import_only && strcmp(o->kv + o->nlen + 1, f->value) != 0))) {
			o->pending = file_kv(f);
			if (!o->pending)
				return -ENOMEM;
		}
	}
	return 0;
}

static void
vars_free_pending(struct env_vars *out)
{
	for (size_t i = 0; i < out->n; i++)
		free(out->v[i].pending);
}

/* Takes a pending value if the argument space has room for it. */
static void
var_settle(struct env_run *run, struct env_var *v, size_t room, size_t *used)
{
	size_t old = v->kv ? var_cost(v->kv) : 0, add = var_cost(v->pending);

	if (*used - old + add > room) {
		log_msg(LOGLVL_WARN,
			"%s/%.*s: would not fit: all variables together may take %zu bytes; "
			"ignored",
			run->dir, (int)v->nlen, v->pending, room);
		free(v->pending);
	} else {
		log_msg(LOGLVL_DEBUG, "environment: %s %.*s", v->kv ? "changed" : "added",
			(int)v->nlen, v->pending);
		*used = *used - old + add;
		if (v->owned)
			free(v->kv);
		v->kv = v->pending;
		v->owned = true;
	}
	v->pending = NULL;
}

/* Makes out the environment: what is pending goes in as far as it fits in
 * the argument space; what is replaced or dropped is freed. 0 or -ENOMEM
 * (then nothing changed). */
static int
vars_install(struct env_run *run, struct env_vars *vs, struct env_vars *out)
{
	char **vec = malloc((out->n + 1) * sizeof(*vec));
	bool *owned = malloc((out->n + 1) * sizeof(*owned));
	size_t room = env_space(), used = 0, k = 0;

	if (!vec || !owned) {
		free(vec);
		free(owned);
		return -ENOMEM;
	}
	for (size_t i = 0; i < out->n; i++)
		used += out->v[i].kv ? var_cost(out->v[i].kv) : 0;
	for (size_t i = 0; i < out->n; i++) {
		if (out->v[i].pending)
			var_settle(run, &out->v[i], room, &used);
		if (out->v[i].kv)
			out->v[k++] = out->v[i];
	}
	out->n = k;
	for (size_t i = 0; i < vs->n; i++) {
		if (!vs->v[i].dropped)
			continue;
		log_msg(LOGLVL_DEBUG, "environment: removed %.*s", (int)vs->v[i].nlen, vs->v[i].kv);
		if (vs->v[i].owned)
			free(vs->v[i].kv);
	}
	for (size_t i = 0; i < k; i++) {
		vec[i] = out->v[i].kv;
		owned[i] = out->v[i].owned;
	}
	vec[k] = NULL;
	if (env_vec && environ == env_vec) {
		free(env_vec);
		free(env_owned);
	}
	environ = env_vec = vec;
	env_owned = owned;
	return 0;
}

/* Writes the files that differ from the environment, then .sh and .json. */
static int
vars_export(struct env_run *run, const struct env_vars *vs)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	const struct env_file *f;
	const char *value;
	int r;

	if (mkdir(run->dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* The values may be secrets: root only. */
	if (chmod(run->dir, 0700) < 0)
		return -errno;
	for (size_t i = 0; i < vs->n; i++) {
		f = vs->v[i].file;
		value = vs->v[i].kv + vs->v[i].nlen + 1;
		if (!var_name(&vs->v[i], name) || (f && f->state == FILE_DIR) ||
		    (f && f->state == FILE_VALUE && f->fresh && !strcmp(f->value, value)))
			continue;
		if (env_stopped(run))
			return -EINTR;
		if (snprintf(path, sizeof(path), "%s/%s", run->dir, name) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		r = write_file_atomic(path, fill_value, value);
		if (r == -EISDIR) /* made since we read the dir */
			log_msg(LOGLVL_WARN, "%s: a directory, not a variable: not written", path);
		else if (r)
			return r;
	}
	if (snprintf(path, sizeof(path), "%s.sh", run->dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = write_file_atomic(path, fill_sh, NULL);
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s.json", run->dir);
	return write_file_atomic(path, fill_json, NULL);
}

/* import_only: add variables the environment lacks, change nothing else. */
static int
env_apply(const char *dir, const struct env_poll *poll, bool import_only)
{
	struct env_run run = { .dir = dir, .poll = poll };
	struct env_files fs = { 0 };
	struct env_vars vs = { 0 }, out = { 0 };
	int r = files_read(&run, &fs);

	if (!r)
		r = vars_snapshot(&vs);
	if (!r)
		r = vars_merge(&vs, &fs, import_only, &out);
	if (!r)
		r = vars_install(&run, &vs, &out);
	else
		vars_free_pending(&out);
	if (!r)
		r = vars_export(&run, &out);
	files_free(&fs);
	free(vs.v);
	free(out.v);
	return r;
}

int
env_setup(const char *dir, const struct env_poll *poll)
{
	int r = env_apply(dir, poll, true);

	if (r == -EINTR)
		log_msg(LOGLVL_DEBUG, "environment: a stop was requested");
	else if (r)
		log_msg(LOGLVL_WARN, "cannot write the container environment to %s: %s", dir,
			strerror(-r));
	return r;
}

int
env_reload(const char *dir, const struct env_poll *poll)
{
	struct stat sb;
	int r;

	if (stat(dir, &sb) < 0) {
		/* A script removed the whole dir: keep the environment. */
		log_msg(LOGLVL_WARN, "%s: %s; environment unchanged", dir, strerror(errno));
		r = env_apply(dir, poll, true);
	} else {
		r = env_apply(dir, poll, false);
	}
	if (r == -EINTR)
		log_msg(LOGLVL_DEBUG, "environment: a stop was requested");
	else if (r)
		log_msg(LOGLVL_WARN, "cannot update the container environment in %s: %s", dir,
			strerror(-r));
	return r;
}
