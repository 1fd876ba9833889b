/* SPDX-License-Identifier: MIT */
/* Which files of the init directory run at boot, and in what order. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

bool
scripts_name_skipped(const char *name)
{
	size_t n = strlen(name);

	/* Dotfiles, editor backups and dpkg's conffile leftovers
	 * (.dpkg-old, .dpkg-dist, .dpkg-new, .dpkg-tmp) never run. */
	return n == 0 || name[0] == '.' || name[n - 1] == '~' || strstr(name, ".dpkg-") != NULL;
}

static int
cmp_bytes(const void *a, const void *b)
{
	/* Byte order, not the locale's collation: "10-a" < "2-b" < "b c". */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
scripts_free(char **paths, size_t n)
{
	if (!paths)
		return;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int
scripts_list(const char *dir, char ***ret_paths, size_t *ret_n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat sb;
	char **v = NULL, **nv;
	size_t n = 0;
	char path[PATH_MAX];
	int r = 0;

	if (!d) {
		if (errno != ENOENT)
			return -errno;
		*ret_paths = NULL;
		*ret_n = 0;
		return 0;
	}
	while ((de = readdir(d))) {
		if (scripts_name_skipped(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		/* stat, not lstat: a symlink to an executable file runs. */
		if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || access(path, X_OK) < 0) {
			log_msg(LOGLVL_DEBUG, "%s: not an executable regular file, skipped", path);
			continue;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strdup(path))) {
			v = nv ? nv : v;
			r = -ENOMEM;
			break;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (r) {
		scripts_free(v, n);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_bytes);
	*ret_paths = v;
	*ret_n = n;
	return 0;
}
