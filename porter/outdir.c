/* SPDX-License-Identifier: MIT */
/* outdir: atomic service-directory writes with hand-edit detection. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/chase.h"
#include "outdir.h"

/* FNV-1a 64: detects edits; not a security boundary. */
static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static char *
manifest_text(const struct emit_tree *t, const char *source)
{
	struct emit_buf b = { 0 };
	emit_add(&b, "# klein-porter manifest: generated from ");
	for (const char *c = source; *c; c++)
		emit_addn(&b, (unsigned char)*c < 0x20 ? "?" : c, 1);
	emit_add(
		&b,
		"\n# Files whose hash differs were edited by hand; convert then refuses without --force.\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct emit_file *f = &t->v[i];
		if (f->symlink)
			emit_addf(&b, "link %016llx %s\n",
				  (unsigned long long)fnv1a(f->text, strlen(f->text)), f->path);
		else
			emit_addf(&b, "file %016llx %s\nmode %04o %s\n",
				  (unsigned long long)fnv1a(f->text, strlen(f->text)), f->path,
				  f->mode & 07777u, f->path);
	}
	return b.oom ? (free(b.s), NULL) : b.s;
}

static int
read_all(int dirfd, const char *path, char **ret, size_t *len)
{
	/* O_NONBLOCK: a FIFO put in place of a file must not hang us. */
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	for (;;) {
		if (!s) {
			close(fd);
			return -ENOMEM;
		}
		if (n + 1 >= cap) {
			char *ns = realloc(s, cap *= 2);
			if (!ns)
				free(s);
			s = ns;
			continue;
		}
		ssize_t r = read(fd, s + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(s);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	s[n] = '\0';
	*ret = s;
	*len = n;
	return 0;
}

static void __attribute__((format(printf, 2, 3))) set_why(char **why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why) {
		free(*why);
		if (vasprintf(why, fmt, ap) < 0)
			*why = NULL;
	}
	va_end(ap);
}

/* Whether a manifest line names path (manifest lines are "kind hash path"). */
static bool
manifest_has(const char *m, const char *path)
{
	size_t n = strlen(path);
	for (const char *l = m; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (*l == '#')
			continue;
		const char *p = strchr(l, ' ');
		p = p ? strchr(p + 1, ' ') : NULL;
		if (p && !strncmp(p + 1, path, n) && (p[1 + n] == '\n' || !p[1 + n]))
			return true;
	}
	return false;
}

/* A mode changed by hand (chmod -x run) is an edit like a content change.
 * Returns 1 same, 0 changed (*why says so), -errno. */
static int
mode_same(int dirfd, const char *dir, const char *path, unsigned mode, char **why)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -errno; /* the hash says */
	if ((st.st_mode & 07777u) == mode)
		return 1;
	set_why(why, "%s/%s: its mode was changed by hand (%04o; klein-porter wrote %04o)", dir,
		path, (unsigned)(st.st_mode & 07777u), mode);
	return 0;
}

/* Checks every entry of the manifest against the directory; the first
 * mismatch (or unlisted file) is reported in *why. Returns 1 clean, 0 edited,
 * -errno. */
static int
verify(int dirfd, const char *dir, const char *m, const char *rel, char **why)
{
	/* Listed entries: does the content still hash the same? */
	if (!rel) {
		for (const char *l = m; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			char kind[8], path[PATH_MAX];
			unsigned long long h;
			unsigned mode;
			if (*l == '#')
				continue;
			if (sscanf(l, "mode %o %4095[^\n]", &mode, path) == 2) {
				int r = mode_same(dirfd, dir, path, mode, why);
				if (r <= 0)
					return r;
				continue;
			}
			if (sscanf(l, "%7s %llx %4095[^\n]", kind, &h, path) != 3)
				continue;
			char *s = NULL;
			size_t n = 0;
			int r;
			if (!strcmp(kind, "link")) {
				char target[PATH_MAX];
				ssize_t k = readlinkat(dirfd, path, target, sizeof(target) - 1);
				r = k < 0 ? -errno : 0;
				if (r == 0) {
					target[k] = '\0';
					s = strdup(target);
					n = (size_t)k;
					r = s ? 0 : -ENOMEM;
				}
			} else {
				r = read_all(dirfd, path, &s, &n);
			}
			if (r == -ENOMEM)
				return r;
			bool same = r == 0 && fnv1a(s, n) == h;
			free(s);
			if (!same) {
				set_why(why,
					"%s/%s was edited or removed by hand since klein-porter wrote it",
					dir, path);
				return 0;
			}
		}
	}
	/* Unlisted entries would be lost by a replacement. */
	int fd = openat(dirfd, rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int ret = 1;
	for (struct dirent *e; ret == 1 && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (!rel && !strcmp(e->d_name, OUTDIR_MANIFEST)))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s%s%s", rel ? rel : "", rel ? "/" : "", e->d_name);
		struct stat st;
		if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode))
			ret = verify(dirfd, dir, m, path, why);
		else if (!manifest_has(m, path)) {
			set_why(why, "%s/%s was not written by klein-porter", dir, path);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

static int
rm_rf_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rm_rf_at(fd, e->d_name);
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int
write_file(int dirfd, const struct emit_file *f)
{
	const char *slash = strrchr(f->path, '/');
	if (slash) {
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%.*s", (int)(slash - f->path), f->path);
		/* Fixed modes: runsv and the service must read it whatever the umask. */
		if (mkdirat(dirfd, sub, 0755) == 0 ? fchmodat(dirfd, sub, 0755, 0) < 0
						   : errno != EEXIST)
			return -errno;
	}
	if (f->symlink)
		return symlinkat(f->text, dirfd, f->path) < 0 ? -errno : 0;
	int fd = openat(dirfd, f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, f->mode);
	if (fd < 0)
		return -errno;
	size_t n = strlen(f->text);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, f->text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		off += (size_t)w;
	}
	/* The mode must not depend on the umask. */
	if (fchmod(fd, f->mode) < 0 || close(fd) < 0)
		return -errno;
	return 0;
}

/* Fills the temporary directory dirfd; any failure leaves the target untouched. */
static int
fill(int dirfd, const char *shown, const struct emit_tree *t, char *manifest,
     const struct outdir_options *o, char **why)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i <= t->n; i++) {
		if (o->fail_after >= 0 && (size_t)o->fail_after == i) {
			r = -EIO;
			break;
		}
		if (i == t->n) {
			char name[] = OUTDIR_MANIFEST;
			struct emit_file m = { name, manifest, 0644, false };
			r = write_file(dirfd, &m);
		} else {
			r = write_file(dirfd, &t->v[i]);
		}
		if (r < 0)
			set_why(why, "%s/%s", shown, i == t->n ? OUTDIR_MANIFEST : t->v[i].path);
	}
	if (r == 0 && fchmod(dirfd, 0755) < 0)
		r = -errno;
	return r;
}

/* Where a directory or link goes: its parent, resolved inside the root, and
 * its name there. The parent is flock()ed for the whole write: writers of the
 * same directory take turns, so a temporary found while holding the lock is
 * an abandoned one (its writer was killed). */
struct target {
	int pfd;    /* the parent (O_PATH) */
	int lockfd; /* the parent, flock()ed; -1 where locks do not work */
	char name[NAME_MAX + 1];
	char *shown; /* ROOT/path, for messages */
};

static void
target_close(struct target *tg)
{
	if (tg->lockfd >= 0)
		close(tg->lockfd); /* drops the lock */
	if (tg->pfd >= 0)
		close(tg->pfd);
	free(tg->shown);
}

static int
target_open(const char *path, const struct outdir_options *o, struct target *tg, char **why)
{
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	size_t rl = o->root ? strlen(o->root) : 0;
	int rootfd, r;

	*tg = (struct target){ .pfd = -1, .lockfd = -1 };
	while (rl > 0 && o->root[rl - 1] == '/')
		rl--;
	if (asprintf(&tg->shown, "%.*s%s%s", (int)rl, rl ? o->root : "", path[0] == '/' ? "" : "/",
		     path) < 0) {
		tg->shown = NULL;
		return -ENOMEM;
	}
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strlen(name) > NAME_MAX - 20) {
		set_why(why, "%s", tg->shown);
		return -EINVAL;
	}
	snprintf(tg->name, sizeof(tg->name), "%s", name);
	char *parent = strndup(path, slash ? (size_t)(slash - path) : 0);
	rootfd = parent ? chase_root(o->root) : -ENOMEM;
	r = rootfd < 0 ? rootfd : chase(rootfd, parent, CHASE_MKDIR);
	if (rootfd >= 0)
		close(rootfd);
	free(parent);
	if (r < 0) {
		set_why(why, "%.*s", (int)(strlen(tg->shown) - strlen(name) - 1), tg->shown);
		return r;
	}
	tg->pfd = r;
	tg->lockfd = openat(tg->pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tg->lockfd >= 0 && flock(tg->lockfd, LOCK_EX) < 0) {
		close(tg->lockfd);
		tg->lockfd = -1;
	}
	return 0;
}

/* ".NAME.tmp.XXXXXX" (a temporary of ours) or that + ".old" (a previous
 * directory being replaced where the kernel cannot exchange). */
static bool
is_our_temp(const char *entry, const char *name)
{
	size_t n = strlen(name);
	if (entry[0] != '.' || strncmp(entry + 1, name, n) || strncmp(entry + 1 + n, ".tmp.", 5))
		return false;
	const char *x = entry + 1 + n + 5;
	for (int i = 0; i < 6; i++)
		if (!((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
		      (x[i] >= '0' && x[i] <= '9')))
			return false;
	return !x[6] || !strcmp(x + 6, ".old");
}

/* Removes what killed writes of this target left behind (only under the
 * lock: then no writer is at work). */
static void
remove_stale(const struct target *tg)
{
	int fd = tg->lockfd < 0 ? -1 : openat(tg->pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (is_our_temp(e->d_name, tg->name))
			(void)rm_rf_at(tg->pfd, e->d_name); /* best effort: retried next run */
	closedir(d);
}

/* A fresh name ".NAME.tmp.XXXXXX" in the parent; mkdir_it: as a directory. */
static int
make_temp(const struct target *tg, bool mkdir_it, char *tmp, size_t cap)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	for (int tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			for (size_t i = 0; i < sizeof(rnd); i++)
				rnd[i] = (unsigned char)(rand() ^ getpid());
		char x[7];
		for (size_t i = 0; i < 6; i++)
			x[i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
		x[6] = '\0';
		if (snprintf(tmp, cap, ".%s.tmp.%s", tg->name, x) >= (int)cap)
			return -ENAMETOOLONG; /* target_open() keeps names short */
		if (!mkdir_it) {
			if (faccessat(tg->pfd, tmp, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
			    errno == ENOENT)
				return 0;
			continue;
		}
		if (mkdirat(tg->pfd, tmp, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Puts tmp in place of the target: an atomic exchange when the kernel has it. */
static int
swap_in(const struct target *tg, const char *tmp, bool exists, char **why)
{
	int p = tg->pfd;
	if (!exists) {
		if (renameat(p, tmp, p, tg->name) == 0)
			return 0;
		set_why(why, "%s", tg->shown);
		return -errno;
	}
	if (renameat2(p, tmp, p, tg->name, RENAME_EXCHANGE) == 0)
		return rm_rf_at(p, tmp); /* tmp now holds the previous directory */
	if (errno == EXDEV) {
		/* overlayfs without redirect_dir (Docker's image layers) cannot
		 * move a directory an earlier layer made: the re-convert in a
		 * later RUN. Remove it, then move the new one in: not atomic, but
		 * a kill in between leaves no target and the complete temporary,
		 * which the next run removes and converts again. */
		int r = rm_rf_at(p, tg->name);
		if (r == 0 && renameat(p, tmp, p, tg->name) < 0)
			r = -errno;
		if (r < 0)
			set_why(why, "%s", tg->shown);
		return r;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		set_why(why, "%s", tg->shown);
		return -errno;
	}
	char old[NAME_MAX + 1];
	if (snprintf(old, sizeof(old), "%s.old", tmp) >= (int)sizeof(old)) {
		set_why(why, "%s", tg->shown);
		return -ENAMETOOLONG;
	}
	if (renameat(p, tg->name, p, old) < 0) {
		set_why(why, "%s", tg->shown);
		return -errno;
	}
	if (renameat(p, tmp, p, tg->name) < 0) {
		int e = -errno;
		(void)!renameat(p, old, p, tg->name);
		set_why(why, "%s", tg->shown);
		return e;
	}
	return rm_rf_at(p, old);
}

/* What is at the target now. Returns 1 if nothing is to be done (*res
 * set), 0 to go on writing, or -errno. */
static int
check_existing(const struct target *tg, const char *manifest, const struct outdir_options *o,
	       const struct stat *st, enum outdir_result *res, char **why)
{
	char *old = NULL;
	size_t n;
	int r;
	if (!S_ISDIR(st->st_mode)) {
		set_why(why, "%s exists and is not a directory", tg->shown);
		*res = OUTDIR_REFUSED;
		return o->force ? 0 : 1;
	}
	int dirfd = openat(tg->pfd, tg->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		set_why(why, "%s", tg->shown);
		return -errno;
	}
	r = read_all(dirfd, OUTDIR_MANIFEST, &old, &n);
	if (r == -ENOENT || r == -EINVAL) {
		set_why(why, "%s was not written by klein-porter (no %s)", tg->shown,
			OUTDIR_MANIFEST);
		r = 0;
	} else if (r == 0) {
		r = verify(dirfd, tg->shown, old, NULL, why);
		if (r == 1 && !strcmp(old, manifest))
			r = 3; /* ours, clean and the same */
	}
	free(old);
	close(dirfd);
	if (r < 0) {
		set_why(why, "%s", tg->shown);
		return r;
	}
	*res = r == 3 ? OUTDIR_UNCHANGED : OUTDIR_REFUSED;
	return r == 3 || (r == 0 && !o->force);
}

int
outdir_write(const char *dir, const struct emit_tree *t, const char *source,
	     const struct outdir_options *o, enum outdir_result *res, char **why)
{
	char *manifest = manifest_text(t, source), tmp[NAME_MAX + 1];
	struct target tg;
	struct stat st;
	if (!manifest)
		return -ENOMEM;
	int r = target_open(dir, o, &tg, why);
	if (r == 0)
		remove_stale(&tg);
	bool exists = r == 0 && fstatat(tg.pfd, tg.name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists)
		r = check_existing(&tg, manifest, o, &st, res, why);
	if (r == 0 && why) {
		free(*why);
		*why = NULL;
	}
	if (r == 0 && (r = make_temp(&tg, true, tmp, sizeof(tmp))) < 0)
		set_why(why, "%s", tg.shown);
	if (r == 0) {
		int dirfd = openat(tg.pfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = dirfd < 0 ? -errno : fill(dirfd, tg.shown, t, manifest, o, why);
		if (dirfd >= 0)
			close(dirfd);
		if (r == 0 && exists && !S_ISDIR(st.st_mode) && unlinkat(tg.pfd, tg.name, 0) < 0)
			r = -errno;
		if (r == 0)
			r = swap_in(&tg, tmp, exists && S_ISDIR(st.st_mode), why);
		if (r < 0)
			rm_rf_at(tg.pfd, tmp);
		else
			*res = OUTDIR_WRITTEN;
	}
	target_close(&tg);
	free(manifest);
	return r < 0 ? r : 0;
}

int
outdir_link(const char *link, const char *target, const struct outdir_options *o,
	    enum outdir_result *res, char **why)
{
	char cur[PATH_MAX], tmp[NAME_MAX + 1];
	struct target tg;
	struct stat st;
	int r = target_open(link, o, &tg, why);
	if (r < 0) {
		target_close(&tg);
		return r;
	}
	remove_stale(&tg);
	ssize_t n = readlinkat(tg.pfd, tg.name, cur, sizeof(cur) - 1);
	bool exists = fstatat(tg.pfd, tg.name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (n >= 0)
		cur[n] = '\0';
	if (n >= 0 && !strcmp(cur, target)) {
		*res = OUTDIR_UNCHANGED;
	} else if (exists && !o->force) {
		set_why(why, "%s exists and does not point to %s", tg.shown, target);
		*res = OUTDIR_REFUSED;
	} else if ((exists && S_ISDIR(st.st_mode) && (r = rm_rf_at(tg.pfd, tg.name)) < 0) ||
		   (r = make_temp(&tg, false, tmp, sizeof(tmp))) < 0) {
		set_why(why, "%s", tg.shown);
	} else if (symlinkat(target, tg.pfd, tmp) < 0 ||
		   renameat(tg.pfd, tmp, tg.pfd, tg.name) < 0) {
		/* A unique name for the new link, then rename over the old entry. */
		r = -errno;
		unlinkat(tg.pfd, tmp, 0);
		set_why(why, "%s", tg.shown);
	} else {
		*res = OUTDIR_WRITTEN;
	}
	target_close(&tg);
	return r;
}
