/* SPDX-License-Identifier: MIT */
/* unitpath: where systemd 252 finds a unit: the search path, symlinks
 * (aliases, masks), templates, and the drop-in directories with their
 * *.conf files. Reads the file system under a root; knows nothing about
 * what the files say. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/chase.h"
#include "merge.h"
#include "unitpath.h"

/* The system manager's unit search path, highest priority first
 * (`systemd-analyze unit-paths` on Debian 12). */
const char *const unit_search_path[] = {
	"/etc/systemd/system.control", "/run/systemd/system.control",
	"/run/systemd/transient",      "/run/systemd/generator.early",
	"/etc/systemd/system",	       "/etc/systemd/system.attached",
	"/run/systemd/system",	       "/run/systemd/system.attached",
	"/run/systemd/generator",      "/usr/local/lib/systemd/system",
	"/lib/systemd/system",	       "/usr/lib/systemd/system",
	"/run/systemd/generator.late", NULL,
};

#define FILE_MAX (64u * 1024u * 1024u)

int
unitpath_read(const char *path, char **ret, size_t *ret_len)
{
	/* O_NONBLOCK: a FIFO planted as a unit file must not hang the
	 * conversion waiting for a writer; it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	size_t cap = 4096, n = 0;
	struct stat st;
	char *buf;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 ||
	    (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))) {
		/* Only /dev/null (a masked unit, read as empty) among non-files. */
		close(fd);
		return -EBADFD;
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k;

		if (n == cap) {
			char *nb;

			if (cap >= FILE_MAX) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			k = -errno;
			free(buf);
			close(fd);
			return (int)k;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	*ret = buf;
	*ret_len = n;
	return 0;
}

char *
unitpath_rooted(const char *root, const char *path)
{
	return chase_path(root, path, false);
}

char *
unitpath_resolved(const char *root, const char *path)
{
	return chase_path(root, path, true);
}

/* Follows symlinks of the system path sys under root. On FOUND_FILE, *ret is
 * the final system path. */
int
unitpath_follow(const char *root, const char *sys, char **ret)
{
	char *cur = strdup(sys);

	if (!cur)
		return -ENOMEM;
	for (int hops = 0; hops < 40; hops++) {
		char *host = unitpath_rooted(root, cur), target[PATH_MAX];
		struct stat st;
		ssize_t k;

		if (!host) {
			free(cur);
			return -ENOMEM;
		}
		if (lstat(host, &st) < 0) {
			free(host);
			free(cur);
			return FOUND_NONE;
		}
		if (!S_ISLNK(st.st_mode)) {
			if (S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0)) {
				free(host);
				free(cur);
				return FOUND_MASKED;
			}
			free(host);
			if (!S_ISREG(st.st_mode)) {
				free(cur);
				return FOUND_NONE;
			}
			*ret = cur;
			return FOUND_FILE;
		}
		k = readlink(host, target, sizeof(target) - 1);
		free(host);
		if (k < 0) {
			free(cur);
			return FOUND_NONE;
		}
		target[k] = '\0';
		if (!strcmp(target, "/dev/null")) {
			free(cur);
			return FOUND_MASKED;
		}
		if (target[0] == '/') {
			free(cur);
			cur = strdup(target);
		} else {
			char *slash = strrchr(cur, '/');
			char *n;

			*slash = '\0';
			n = strjoin3(cur, "/", target);
			free(cur);
			cur = n;
		}
		if (!cur)
			return -ENOMEM;
	}
	free(cur);
	return FOUND_NONE;
}

/* Directory names (with ".d") to search for drop-ins of name, in systemd's
 * order: the name, its template, then its dash prefixes. */
static int
dropin_names(const char *name, char ***v, size_t *n)
{
	char *prefix = NULL, *inst = NULL, *suffix = NULL, *cur;
	int r = unit_name_split(name, &prefix, &inst, &suffix);

	if (r < 0)
		return 0;
	r = merge_strv_push(v, n, strjoin3(name, ".d", NULL));
	if (r >= 0 && inst && *inst) {
		char *t = strjoin3(prefix, "@", suffix);

		r = t ? dropin_names(t, v, n) : -ENOMEM;
		free(t);
	}
	cur = prefix;
	while (r >= 0) {
		size_t l = strlen(cur);
		char *dash;

		if (l && cur[l - 1] == '-')
			cur[--l] = '\0';
		dash = strrchr(cur, '-');
		if (!dash || dash == cur)
			break;
		dash[1] = '\0';
		r = merge_strv_push(v, n, strjoin3(cur, suffix, ".d"));
	}
	free(prefix);
	free(inst);
	free(suffix);
	return r < 0 ? r : 0;
}

static bool
conf_name_ok(const char *f)
{
	size_t l = strlen(f);

	return f[0] != '.' && l > 5 && !strcmp(f + l - 5, ".conf");
}

static int
dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->base, ((const struct dropin *)b)->base);
}

/* Collects *.conf files from dirs (system paths, read under root): the first
 * directory to have a basename wins; /dev/null or empty files mask it. */
static int
collect_dropins(const char *root, char **dirs, size_t n_dirs, struct dropin **ret, size_t *ret_n)
{
	struct dropin *v = NULL;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < n_dirs && r >= 0; i++) {
		char *host = unitpath_resolved(root, dirs[i]);
		struct dirent **ents = NULL;
		int k;

		if (!host)
			return -ENOMEM;
		k = scandir(host, &ents, NULL, alphasort);
		free(host);
		for (int j = 0; j < k; j++) {
			const char *f = ents[j]->d_name;
			bool dup = false;
			char *sys = NULL, *fin = NULL;
			int fr;

			if (r < 0 || !conf_name_ok(f))
				goto next;
			for (size_t m = 0; m < n; m++)
				if (!strcmp(v[m].base, f))
					dup = true;
			if (dup)
				goto next;
			sys = strjoin3(dirs[i], "/", f);
			if (!sys) {
				r = -ENOMEM;
				goto next;
			}
			fr = unitpath_follow(root, sys, &fin);
			if (fr == FOUND_NONE)
				goto next;
			{
				struct dropin *nv = realloc(v, (n + 1) * sizeof(*v));

				if (!nv || fr < 0) {
					free(fin);
					r = -ENOMEM;
					goto next;
				}
				v = nv;
				v[n].base = strdup(f);
				v[n].sys = sys;
				v[n].masked = fr == FOUND_MASKED;
				sys = NULL;
				free(fin);
				n++;
			}
		next:
			free(sys);
			free(ents[j]);
		}
		free(ents);
	}
	if (n)
		qsort(v, n, sizeof(*v), dropin_cmp);
	*ret = v;
	*ret_n = n;
	return r;
}

void
unitpath_dropins_free(struct dropin *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].base);
		free(v[i].sys);
	}
	free(v);
}

int
unitpath_find(const char *root, struct unit *u, char ***aliases, size_t *n_aliases)
{
	char *prefix = NULL, *inst = NULL, *suffix = NULL, *tmpl = NULL;
	const char *try[2];
	int r = unit_name_split(u->name, &prefix, &inst, &suffix);

	if (r < 0)
		return r;
	try[0] = u->name;
	try[1] = NULL;
	if (inst && *inst) {
		tmpl = strjoin3(prefix, "@", suffix);
		if (!tmpl) {
			r = -ENOMEM;
			goto out;
		}
		try[1] = tmpl;
	}
	u->state = UNIT_NOT_FOUND;
	for (size_t t = 0; t < 2 && try[t]; t++)
		for (size_t i = 0; unit_search_path[i]; i++) {
			char *sys = strjoin3(unit_search_path[i], "/", try[t]), *fin = NULL;
			int f;

			if (!sys) {
				r = -ENOMEM;
				goto out;
			}
			f = unitpath_follow(root, sys, &fin);
			free(sys);
			if (f < 0) {
				r = f;
				goto out;
			}
			if (f == FOUND_NONE)
				continue;
			if (f == FOUND_MASKED) {
				u->state = UNIT_MASKED;
				goto out;
			}
			u->fragment = fin;
			u->state = UNIT_LOADED;
			{
				/* An alias symlink: the unit takes the target's name. */
				const char *base = strrchr(fin, '/') + 1;
				char *bp = NULL, *bi = NULL, *bs = NULL, *nn = NULL;

				if (!unit_name_split(base, &bp, &bi, &bs) && !strcmp(bs, suffix) &&
				    strcmp(base, try[t])) {
					if (bi && !*bi && inst && *inst) {
						if (asprintf(&nn, "%s@%s%s", bp, inst, bs) < 0)
							nn = NULL;
					} else if (!bi || *bi)
						nn = strdup(base);
					if (nn) {
						r = merge_strv_push(aliases, n_aliases, u->name);
						u->name = nn;
						if (r < 0)
							goto out;
					}
				}
				free(bp);
				free(bi);
				free(bs);
			}
			goto out;
		}
out:
	free(prefix);
	free(inst);
	free(suffix);
	free(tmpl);
	return r < 0 ? r : 0;
}

/* The drop-in directories of a unit: in every search directory, the unit's
 * names (name, then each alias: itself, its template, its dash prefixes),
 * then the type-wide TYPE.d ("service.d"). */
static int
dropin_dirs(char *const *dirs, size_t n_dirs, const char *name, char *const *aliases,
	    size_t n_aliases, const char *type, char ***full, size_t *n_full)
{
	char **names = NULL;
	size_t n_names = 0;
	int r = dropin_names(name, &names, &n_names);

	for (size_t i = 0; r >= 0 && i < n_aliases; i++)
		r = dropin_names(aliases[i], &names, &n_names);
	for (size_t i = 0; r >= 0 && i < n_dirs; i++)
		for (size_t j = 0; r >= 0 && j < n_names; j++) {
			char *p = strjoin3(dirs[i], "/", names[j]);
			bool dup = false;

			for (size_t k = 0; p && k < *n_full; k++)
				dup |= !strcmp((*full)[k], p);
			if (dup)
				free(p);
			else
				r = merge_strv_push(full, n_full, p);
		}
	for (size_t i = 0; r >= 0 && i < n_dirs; i++)
		r = merge_strv_push(full, n_full, strjoin3(dirs[i], "/", type));
	merge_strv_clear(&names, &n_names);
	return r;
}

int
unitpath_dropins(const char *root, char *const *dirs, size_t n_dirs, const char *name,
		 char *const *aliases, size_t n_aliases, const char *type_dir, struct dropin **ret,
		 size_t *ret_n)
{
	char **full = NULL;
	size_t n_full = 0;
	int r = dropin_dirs(dirs, n_dirs, name, aliases, n_aliases, type_dir, &full, &n_full);

	if (r >= 0)
		r = collect_dropins(root, full, n_full, ret, ret_n);
	merge_strv_clear(&full, &n_full);
	return r;
}
