/* SPDX-License-Identifier: MIT */
/* klein-systemctl: unit names, globs, and the runit services they name. */
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "util.h"

void
namelist_add(struct namelist *l, const char *s)
{
	if (l->n + 1 >= l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

bool
namelist_has(const struct namelist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
namelist_done(struct namelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct namelist){ 0 };
}

static const char *const unit_suffixes[] = { ".service", ".socket", ".timer",	 ".target",
					     ".path",	 ".mount",  ".slice",	 ".scope",
					     ".device",	 ".swap",   ".automount" };

static bool
has_unit_suffix(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++) {
		size_t k = strlen(unit_suffixes[i]);
		if (n > k && strcmp(s + n - k, unit_suffixes[i]) == 0)
			return true;
	}
	return false;
}

const char *
unit_name_normalize(const char *arg, char *buf, size_t size)
{
	/* systemctl accepts a path to a unit file where a name is expected. */
	const char *slash = strrchr(arg, '/');
	if (slash && slash[1])
		arg = slash + 1;
	snprintf(buf, size, "%s%s", arg, has_unit_suffix(arg) ? "" : ".service");
	return buf;
}

/* The porter names the runit service of a socket or timer unit after the unit
 * itself ("foo.socket", "foo.timer"), and a service's after its prefix. */
static bool
is_socket_or_timer(const char *name)
{
	size_t n = strlen(name);
	return (n > 7 && strcmp(name + n - 7, ".socket") == 0) ||
	       (n > 6 && strcmp(name + n - 6, ".timer") == 0);
}

const char *
unit_to_svname(const char *unit, char *buf, size_t size)
{
	size_t n = strlen(unit), k = strlen(".service");
	if (is_socket_or_timer(unit) && n < size) {
		memcpy(buf, unit, n + 1);
		return buf;
	}
	if (n <= k || strcmp(unit + n - k, ".service") != 0 || n - k >= size)
		return NULL;
	memcpy(buf, unit, n - k);
	buf[n - k] = '\0';
	return buf;
}

const char *
svname_to_unit(const char *svname, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", svname, is_socket_or_timer(svname) ? "" : ".service");
	return buf;
}

const char *
unit_type(const char *unit)
{
	const char *dot = strrchr(unit, '.');
	return dot ? dot + 1 : "";
}

bool
unit_type_wanted(const char *types, const char *unit)
{
	const char *t = unit_type(unit);
	size_t k = strlen(t);
	if (!types[0])
		return true;
	for (const char *p = types; *p; p += *p == ',') {
		size_t n = strcspn(p, ",");
		if (n == k && strncmp(p, t, k) == 0)
			return true;
		p += n;
	}
	return false;
}

bool
unit_is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool
is_service_dir(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;
	if (name[0] == '.' || snprintf(p, sizeof(p), "%s/%s/run", dir, name) >= (int)sizeof(p))
		return false;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool
is_converted(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s/.klein-porter", dir, name);
	return access(p, F_OK) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
scan(const char *dir, bool converted_only, struct namelist *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (is_service_dir(dir, e->d_name) &&
		    (!converted_only || is_converted(dir, e->d_name)) &&
		    !namelist_has(out, e->d_name))
			namelist_add(out, e->d_name);
	closedir(d);
}

void
services_list(const struct ctl_opts *o, bool all, struct namelist *out)
{
	size_t first = out->n;
	scan(o->service_dir, false, out);
	/* Converted but not linked: known to systemctl as disabled units. */
	if (all)
		scan(o->sv_dir, true, out);
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_str);
}

void
units_expand(const struct ctl_opts *o, char **args, int n, struct namelist *out)
{
	struct namelist known = { 0 };
	bool listed = false;
	for (int i = 0; i < n; i++) {
		char buf[512];
		if (!unit_is_glob(args[i])) {
			const char *u = unit_name_normalize(args[i], buf, sizeof(buf));
			if (!namelist_has(out, u))
				namelist_add(out, u);
			continue;
		}
		if (!listed)
			services_list(o, true, &known), listed = true;
		for (size_t k = 0; k < known.n; k++) {
			svname_to_unit(known.v[k], buf, sizeof(buf));
			if (fnmatch(args[i], buf, FNM_NOESCAPE) == 0 && !namelist_has(out, buf))
				namelist_add(out, buf);
		}
	}
	namelist_done(&known);
}
