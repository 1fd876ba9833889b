/* SPDX-License-Identifier: MIT */
/* klein-systemctl: enable, disable, mask and unmask: the links systemctl makes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "install.h"
#include "util.h"

#define CONFIG_DIR "/etc/systemd/system"

static const char no_install_text[] =
	"The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\n"
	"Alias= settings in the [Install] section, and DefaultInstance= for template\n"
	"units). This means they are not meant to be enabled using systemctl.\n"
	" \n"
	"Possible reasons for having this kind of units are:\n"
	"\u2022 A unit may be statically enabled by being symlinked from another unit's\n"
	"  .wants/ or .requires/ directory.\n"
	"\u2022 A unit's purpose may be to act as a helper for some other unit which has\n"
	"  a requirement dependency on it.\n"
	"\u2022 A unit may be started when needed via activation (socket, path, timer,\n"
	"  D-Bus, udev, scripted systemctl call, ...).\n"
	"\u2022 In case of template units, the unit is meant to be enabled with some\n"
	"  instance name specified.\n";

static int
mkdir_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/* Makes rel (inside the root) a link to target; quiet when it already is one. */
static int
make_link(const struct ctl_opts *o, const char *rel, const char *target, const char *verb)
{
	char full[4200], old[4200];
	install_path(o, rel, full, sizeof(full));
	ssize_t n = readlink(full, old, sizeof(old) - 1);
	if (n > 0) {
		old[n] = '\0';
		if (strcmp(old, target) == 0)
			return 0;
	}
	struct stat st;
	if (lstat(full, &st) == 0) {
		if (!o->force || !S_ISLNK(st.st_mode)) {
			if (S_ISLNK(st.st_mode))
				fprintf(stderr,
					"Failed to %s unit: File %s already exists and is a symlink to %s.\n",
					verb, full, old);
			else
				fprintf(stderr, "Failed to %s unit: File %s already exists.\n",
					verb, full);
			return -EEXIST;
		}
		if (unlink(full) < 0)
			return -errno;
	}
	int r = mkdir_parents(full);
	if (r < 0 || symlink(target, full) < 0) {
		r = r < 0 ? r : -errno;
		fprintf(stderr, "Failed to %s unit: %s: %s\n", verb, full, strerror(-r));
		return r;
	}
	fprintf(stderr, "Created symlink %s \u2192 %s.\n", full, target);
	return 0;
}

static void
warn_missing_target(const struct ctl_opts *o, const char *path, const char *target)
{
	struct install_found f;
	char full[4200];
	if (install_lookup(o, target, &f) == 0)
		return;
	install_path(o, path, full, sizeof(full));
	fprintf(stderr, "Unit %s is added as a dependency to a non-existent unit %s.\n", full,
		target);
}

static int
link_deps(const struct ctl_opts *o, const struct namelist *targets, const char *suffix,
	  const char *inst, const char *path)
{
	for (size_t i = 0; i < targets->n; i++) {
		char rel[4200];
		snprintf(rel, sizeof(rel), CONFIG_DIR "/%s%s/%s", targets->v[i], suffix, inst);
		int r = make_link(o, rel, path, "enable");
		if (r < 0)
			return r;
		warn_missing_target(o, path, targets->v[i]);
	}
	return 0;
}

/* The name the links of a template carry: its DefaultInstance= instance. */
static bool
link_name(const char *name, const struct install_info *info, char *buf, size_t size)
{
	const char *at = strchr(name, '@');
	if (!at || at[1] != '.') {
		snprintf(buf, size, "%s", name);
		return true;
	}
	if (!info->default_instance[0])
		return false;
	snprintf(buf, size, "%.*s%s%s", (int)(at - name + 1), name, info->default_instance, at + 1);
	return true;
}

static int
enable_one(const struct ctl_opts *o, const char *name, struct namelist *seen, bool *no_install,
	   bool aux)
{
	struct install_found f;
	struct install_info info;
	char inst[512];
	if (namelist_has(seen, name))
		return 0;
	namelist_add(seen, name);
	/* An instance is enabled from its template's file (kresd@1.service:
	 * the link kresd.target.wants/kresd@1.service -> .../kresd@.service). */
	int r = install_lookup_unit(o, name, &f);
	if (r == 0 && ((f.is_link && strcmp(f.dest, "/dev/null") == 0) || f.empty)) {
		char full[4200];
		install_path(o, f.path, full, sizeof(full));
		fprintf(stderr, "Failed to enable unit, unit %s is masked.\n", full);
		return -ENOMEDIUM;
	}
	if (r < 0 || install_info_load(o, name, &info) < 0) {
		if (aux) {
			fprintf(stderr, "Failed to enable auxiliary unit %s, ignoring.\n", name);
			return 0;
		}
		fprintf(stderr, "Failed to enable unit, unit %s does not exist.\n", name);
		return -ENOENT;
	}
	const char *path = f.is_link && f.dest[0] == '/' ? f.dest : f.path;
	bool named = link_name(name, &info, inst, sizeof(inst));
	/* systemctl explains [Install] only when nothing at all was installed. */
	if (info.alias.n || (named && (info.wanted_by.n || info.required_by.n)))
		*no_install = false;
	for (size_t i = 0; r == 0 && i < info.alias.n; i++) {
		char rel[4200];
		snprintf(rel, sizeof(rel), CONFIG_DIR "/%s", info.alias.v[i]);
		r = make_link(o, rel, path, "enable");
	}
	if (r == 0 && named) {
		r = link_deps(o, &info.wanted_by, ".wants", inst, path);
		if (r == 0)
			r = link_deps(o, &info.required_by, ".requires", inst, path);
	}
	for (size_t i = 0; r == 0 && i < info.also.n; i++)
		r = enable_one(o, info.also.v[i], seen, no_install, true);
	install_info_done(&info);
	return r;
}

/* Every name disable removes links of: the unit, its Also= units, their paths. */
static void
mark_for_removal(const struct ctl_opts *o, const char *name, struct namelist *marked)
{
	struct install_found f;
	struct install_info info;
	if (namelist_has(marked, name))
		return;
	namelist_add(marked, name);
	if (install_lookup(o, name, &f) == 0 && !f.is_link)
		namelist_add(marked, f.path);
	if (install_info_load(o, name, &info) < 0)
		return;
	for (size_t i = 0; i < info.also.n; i++)
		mark_for_removal(o, info.also.v[i], marked);
	install_info_done(&info);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
remove_marked(const char *dir, const struct namelist *marked, int depth, bool *removed)
{
	struct namelist entries = { 0 };
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			namelist_add(&entries, e->d_name);
	if (d)
		closedir(d);
	if (entries.n)
		qsort(entries.v, entries.n, sizeof(*entries.v), cmp_str);
	for (size_t i = 0; i < entries.n; i++) {
		char p[4200], dest[4200];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, entries.v[i]);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			remove_marked(p, marked, depth + 1, removed);
			/* as systemctl: a .wants/ left empty goes; a full one stays */
			(void)rmdir(p);
			continue;
		}
		const char *base =
			S_ISLNK(st.st_mode) ? install_readlink(p, dest, sizeof(dest)) : NULL;
		if (!base)
			continue;
		/* A mask is no installation: unmask removes it, disable does not. */
		if (strcmp(dest, "/dev/null") == 0)
			continue;
		if (namelist_has(marked, entries.v[i]) || namelist_has(marked, dest) ||
		    namelist_has(marked, base)) {
			if (unlink(p) == 0) {
				fprintf(stderr, "Removed \"%s\".\n", p);
				*removed = true;
			}
		}
	}
	namelist_done(&entries);
}

static int
disable(const struct ctl_opts *o, struct namelist *units)
{
	struct namelist marked = { 0 };
	int rc = 0;
	for (size_t i = 0; i < units->n; i++) {
		struct install_found f;
		if (install_lookup_unit(o, units->v[i], &f) < 0) {
			fprintf(stderr, "Failed to disable unit, unit %s does not exist.\n",
				units->v[i]);
			continue;
		}
		mark_for_removal(o, units->v[i], &marked);
	}
	char full[4200];
	bool removed = false;
	install_path(o, CONFIG_DIR, full, sizeof(full));
	if (marked.n)
		remove_marked(full, &marked, 0, &removed);
	namelist_done(&marked);
	return rc;
}

static int
mask_one(const struct ctl_opts *o, const char *name, bool mask)
{
	char rel[4200], full[4200], dest[64];
	snprintf(rel, sizeof(rel), CONFIG_DIR "/%s", name);
	if (mask)
		return make_link(o, rel, "/dev/null", "mask");
	install_path(o, rel, full, sizeof(full));
	ssize_t n = readlink(full, dest, sizeof(dest) - 1);
	if (n <= 0)
		return 0;
	dest[n] = '\0';
	if (strcmp(dest, "/dev/null") != 0)
		return 0;
	if (unlink(full) < 0)
		return -errno;
	fprintf(stderr, "Removed \"%s\".\n", full);
	return 0;
}

static int
now_action(const struct ctl_opts *o, const char *verb, struct namelist *units)
{
	/* systemctl 252: enable starts, disable and mask stop; the other verbs
	 * (unmask, reenable, preset) ignore --now. */
	bool start = strcmp(verb, "enable") == 0;
	if (!o->now || o->offline ||
	    !(start || strcmp(verb, "disable") == 0 || strcmp(verb, "mask") == 0))
		return 0;
	return verb_start(o, start ? "start" : "stop", units->v, (int)units->n);
}

/* preset: each unit enabled or disabled as the preset files say; --preset-mode=
 * enable-only / disable-only keeps to one direction (deb-systemd-helper uses
 * enable-only at a package's first installation). */
static int
preset(const struct ctl_opts *o, struct namelist *units)
{
	struct namelist on = { 0 }, off = { 0 }, seen = { 0 };
	bool no_install = true;
	for (size_t i = 0; i < units->n; i++) {
		bool en = install_preset_enables(o, units->v[i]);
		if (en && strcmp(o->preset_mode, "disable-only") != 0)
			namelist_add(&on, units->v[i]);
		else if (!en && strcmp(o->preset_mode, "enable-only") != 0)
			namelist_add(&off, units->v[i]);
	}
	int rc = off.n ? disable(o, &off) : 0;
	for (size_t i = 0; i < on.n && rc == 0; i++)
		rc = enable_one(o, on.v[i], &seen, &no_install, false);
	namelist_done(&on), namelist_done(&off), namelist_done(&seen);
	return rc;
}

int
verb_install(const struct ctl_opts *o, const char *verb, char **args, int n)
{
	struct namelist units = { 0 }, seen = { 0 };
	if (n == 0) {
		fprintf(stderr, "Too few arguments.\n");
		return CTL_EXIT_USAGE;
	}
	if (!ctl_is_root() && (!o->root || strcmp(o->root, "/") == 0)) {
		fprintf(stderr, "Failed to %s unit: Access denied\n", verb);
		return CTL_EXIT_NO_PERMISSION;
	}
	for (int i = 0; i < n; i++) {
		char buf[512];
		namelist_add(&units, unit_name_normalize(args[i], buf, sizeof(buf)));
	}
	int rc = 0;
	bool no_install = true;
	if (strcmp(verb, "reenable") == 0)
		rc = disable(o, &units);
	if (strcmp(verb, "preset") == 0) {
		rc = preset(o, &units);
	} else if (strcmp(verb, "disable") == 0) {
		rc = disable(o, &units);
	} else if (strcmp(verb, "mask") == 0 || strcmp(verb, "unmask") == 0) {
		for (size_t i = 0; i < units.n && rc == 0; i++)
			rc = mask_one(o, units.v[i], verb[0] == 'm');
	} else if (rc == 0) {
		for (size_t i = 0; i < units.n && rc == 0; i++)
			rc = enable_one(o, units.v[i], &seen, &no_install, false);
		if (rc == 0 && no_install)
			fputs(no_install_text, stderr);
	}
	if (rc == 0)
		rc = now_action(o, verb, &units);
	else
		rc = CTL_EXIT_FAILURE;
	namelist_done(&units);
	namelist_done(&seen);
	return rc;
}
