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
#include <sys/stat.h>
#include <unistd.h>

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
			emit_addf(&b, "file %016llx %s\n",
				  (unsigned long long)fnv1a(f->text, strlen(f->text)), f->path);
	}
	return b.oom ? (free(b.s), NULL) : b.s;
}

static int
read_all(int dirfd, const char *path, char **ret, size_t *len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
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
			if (*l == '#' || sscanf(l, "%7s %llx %4095[^\n]", kind, &h, path) != 3)
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
rm_rf(const char *path)
{
	return rm_rf_at(AT_FDCWD, path);
}

int
outdir_mkdirs(const char *path, unsigned mode)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				return 0;
		}
	}
}

static int
write_file(int dirfd, const struct emit_file *f)
{
	const char *slash = strrchr(f->path, '/');
	if (slash) {
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%.*s", (int)(slash - f->path), f->path);
		if (mkdirat(dirfd, sub, 0755) < 0 && errno != EEXIST)
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

/* Fills the temporary directory tmp; any failure leaves the target untouched. */
static int
fill(const char *tmp, const struct emit_tree *t, char *manifest, const struct outdir_options *o,
     char **why)
{
	int dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
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
			set_why(why, "%s/%s", tmp, i == t->n ? OUTDIR_MANIFEST : t->v[i].path);
	}
	if (r == 0 && fchmod(dirfd, 0755) < 0)
		r = -errno;
	close(dirfd);
	return r;
}

/* Puts tmp in place of dir: an atomic exchange when the kernel has it. */
static int
swap_in(const char *tmp, const char *dir, bool exists, char **why)
{
	if (!exists) {
		if (rename(tmp, dir) == 0)
			return 0;
		set_why(why, "%s", dir);
		return -errno;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0)
		return rm_rf(tmp); /* tmp now holds the previous directory */
	if (errno != EINVAL && errno != ENOSYS) {
		set_why(why, "%s", dir);
		return -errno;
	}
	char old[PATH_MAX];
	snprintf(old, sizeof(old), "%s.old", tmp);
	if (rename(dir, old) < 0) {
		set_why(why, "%s", dir);
		return -errno;
	}
	if (rename(tmp, dir) < 0) {
		int e = -errno;
		(void)!rename(old, dir);
		set_why(why, "%s", dir);
		return e;
	}
	return rm_rf(old);
}

static char *
tmp_template(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *s = NULL;
	if (asprintf(&s, "%.*s.%s.tmp.XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
		     slash ? slash + 1 : path) < 0)
		return NULL;
	return s;
}

int
outdir_write(const char *dir, const struct emit_tree *t, const char *source,
	     const struct outdir_options *o, enum outdir_result *res, char **why)
{
	char *manifest = manifest_text(t, source);
	struct stat st;
	int r;
	if (!manifest)
		return -ENOMEM;
	bool exists = lstat(dir, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode) && !o->force) {
		set_why(why, "%s exists and is not a directory%s", dir, "");
		*res = OUTDIR_REFUSED;
		free(manifest);
		return 0;
	}
	if (exists && S_ISDIR(st.st_mode)) {
		char *old = NULL;
		size_t n;
		int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0) {
			r = -errno;
			set_why(why, "%s", dir);
			free(manifest);
			return r;
		}
		r = read_all(dirfd, OUTDIR_MANIFEST, &old, &n);
		if (r == -ENOENT) {
			set_why(why, "%s was not written by klein-porter (no %s)", dir,
				OUTDIR_MANIFEST);
			r = 0;
		} else if (r == 0) {
			r = verify(dirfd, dir, old, NULL, why);
			if (r == 1 && !strcmp(old, manifest)) {
				free(old), free(manifest), close(dirfd);
				*res = OUTDIR_UNCHANGED;
				return 0;
			}
			if (r == 1)
				r = 2; /* ours and clean: replace */
		}
		free(old);
		close(dirfd);
		if (r < 0) {
			set_why(why, "%s", dir);
			free(manifest);
			return r;
		}
		if (r == 0 && !o->force) {
			*res = OUTDIR_REFUSED;
			free(manifest);
			return 0;
		}
		if (why) {
			free(*why);
			*why = NULL;
		}
	}
	const char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);
		if ((r = outdir_mkdirs(parent, 0755)) < 0) {
			set_why(why, "%s", parent);
			free(manifest);
			return r;
		}
	}
	char *tmp = tmp_template(dir);
	if (!tmp || !mkdtemp(tmp)) {
		r = tmp ? -errno : -ENOMEM;
		set_why(why, "%s", dir);
		free(tmp), free(manifest);
		return r;
	}
	r = fill(tmp, t, manifest, o, why);
	if (r == 0 && exists && !S_ISDIR(st.st_mode) && unlink(dir) < 0)
		r = -errno;
	if (r == 0)
		r = swap_in(tmp, dir, exists && S_ISDIR(st.st_mode), why);
	if (r < 0)
		rm_rf(tmp);
	free(tmp), free(manifest);
	if (r == 0)
		*res = OUTDIR_WRITTEN;
	return r;
}

int
outdir_link(const char *link, const char *target, const struct outdir_options *o,
	    enum outdir_result *res, char **why)
{
	char cur[PATH_MAX];
	ssize_t n = readlink(link, cur, sizeof(cur) - 1);
	struct stat st;
	bool exists = lstat(link, &st) == 0;
	if (n >= 0) {
		cur[n] = '\0';
		if (!strcmp(cur, target)) {
			*res = OUTDIR_UNCHANGED;
			return 0;
		}
	}
	if (exists && !o->force) {
		set_why(why, "%s exists and does not point to %s", link, target);
		*res = OUTDIR_REFUSED;
		return 0;
	}
	const char *slash = strrchr(link, '/');
	int r;
	if (slash && slash != link) {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - link), link);
		if ((r = outdir_mkdirs(parent, 0755)) < 0) {
			set_why(why, "%s", parent);
			return r;
		}
	}
	if (exists && S_ISDIR(st.st_mode) && (r = rm_rf(link)) < 0) {
		set_why(why, "%s", link);
		return r;
	}
	char *tmp = tmp_template(link);
	if (!tmp)
		return -ENOMEM;
	/* A unique name for the new link, then rename over the old entry. */
	for (char *x = strstr(tmp, "XXXXXX"); x && *x; x++)
		*x = "0123456789abcdef"[(unsigned)(getpid() + (x - tmp)) % 16];
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		r = -errno;
		unlink(tmp);
		set_why(why, "%s", link);
		free(tmp);
		return r;
	}
	free(tmp);
	*res = OUTDIR_WRITTEN;
	return 0;
}
