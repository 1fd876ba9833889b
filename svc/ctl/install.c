/* SPDX-License-Identifier: MIT */
/* klein-systemctl: enable, disable, mask, unmask, is-enabled and list-unit-files on unit
 * files and their links, as systemd 252's install.c does them (with or without --root). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "lib/diag.h"
#include "install.h"
#include "lib/specifier.h"
#include "lib/unitfile.h"
#include "unitpath.h"
#include "lib/words.h"
#include "util.h"

#define CONFIG_DIR  "/etc/systemd/system"
#define RUNTIME_DIR "/run/systemd/system"

const char *
install_readlink(const char *path, char *dest, size_t size)
{
	ssize_t n = readlink(path, dest, size - 1);
	if (n <= 0)
		return NULL;
	dest[n] = '\0';
	return strrchr(dest, '/') ? strrchr(dest, '/') + 1 : dest;
}

void
install_path(const struct ctl_opts *o, const char *path, char *buf, size_t size)
{
	bool rooted = o->root && o->root[0] && strcmp(o->root, "/") != 0;
	snprintf(buf, size, "%s%s", rooted ? o->root : "", path);
}

static bool
in_search_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	for (size_t i = 0; slash && unit_search_path[i]; i++)
		if (strlen(unit_search_path[i]) == (size_t)(slash - path) &&
		    strncmp(unit_search_path[i], path, (size_t)(slash - path)) == 0)
			return true;
	return false;
}

int
install_lookup(const struct ctl_opts *o, const char *name, struct install_found *ret)
{
	for (size_t i = 0; unit_search_path[i]; i++) {
		char full[4200];
		struct stat st;
		snprintf(ret->path, sizeof(ret->path), "%s/%s", unit_search_path[i], name);
		install_path(o, ret->path, full, sizeof(full));
		if (lstat(full, &st) < 0)
			continue;
		ret->dir = unit_search_path[i];
		ret->dest[0] = '\0';
		ret->is_link = S_ISLNK(st.st_mode);
		ret->empty = S_ISREG(st.st_mode) && st.st_size == 0;
		if (ret->is_link) {
			ssize_t n = readlink(full, ret->dest, sizeof(ret->dest) - 1);
			ret->dest[n > 0 ? n : 0] = '\0';
		}
		return 0;
	}
	return -ENOENT;
}

/* "t@x.service" -> "t@.service"; false when name is no instance. */
static bool
template_of(const char *name, char *buf, size_t size)
{
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
	if (!at || !dot || dot < at || at[1] == '.')
		return false;
	snprintf(buf, size, "%.*s%s", (int)(at - name + 1), name, dot);
	return true;
}

int
install_lookup_unit(const struct ctl_opts *o, const char *name, struct install_found *ret)
{
	char tmpl[256];

	if (install_lookup(o, name, ret) == 0)
		return 0;
	return template_of(name, tmpl, sizeof(tmpl)) ? install_lookup(o, tmpl, ret) : -ENOENT;
}

static bool
is_template(const char *name)
{
	const char *at = strchr(name, '@');
	return at && at[1] == '.';
}

static struct namelist *
info_list(struct install_info *i, const char *key)
{
	return strcmp(key, "WantedBy") == 0	? &i->wanted_by
	       : strcmp(key, "RequiredBy") == 0 ? &i->required_by
	       : strcmp(key, "Alias") == 0	? &i->alias
	       : strcmp(key, "Also") == 0	? &i->also
						: NULL;
}

/* One [Install] assignment: words, specifiers resolved for the unit's name. */
static void
info_assign(struct install_info *info, const struct unit_entry *e, struct spec_ctx *sc)
{
	if (strcmp(e->key, "DefaultInstance") == 0) {
		snprintf(info->default_instance, sizeof(info->default_instance), "%s", e->value);
		return;
	}
	struct namelist *l = info_list(info, e->key);
	char **words = NULL;
	size_t n = 0;
	if (!l)
		return;
	if (!e->value[0]) {
		namelist_done(l); /* an empty assignment resets the list */
		return;
	}
	if (words_split(e->value, WORD_UNQUOTE, &words, &n) < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		char *x = NULL;
		if (spec_expand(sc, words[k], 4096, &x) == 0 && !namelist_has(l, x))
			namelist_add(l, x);
		free(x);
	}
	words_free(words);
}

/* The [Install] section of a unit file of any type (systemd's install.c reads
 * it itself too, not through the manager's loader). name gives the specifiers. */
static int
info_read(const struct ctl_opts *o, const char *file, const char *name, struct install_info *info)
{
	char full[4200], *buf;
	size_t len;
	install_path(o, file, full, sizeof(full));
	int r = read_file(full, &buf, &len);
	if (r < 0)
		return r;
	struct unit_entries ents = { 0 };
	struct diag d = { 0 };
	r = unit_parse(file, buf, len, NULL, &ents, &d);
	free(buf);
	struct spec_ctx sc = { .name = name, .fragment = file, .root = o->root };
	for (size_t i = 0; r == 0 && i < ents.n; i++)
		if (strcmp(ents.v[i].section, "Install") == 0)
			info_assign(info, &ents.v[i], &sc);
	spec_ctx_done(&sc);
	unit_entries_done(&ents);
	diag_done(&d);
	return r;
}

/* Reads [Install] of name; a template as its DefaultInstance= instance. */
int
install_info_load(const struct ctl_opts *o, const char *name, struct install_info *ret)
{
	struct install_found f;
	char file[4200];
	memset(ret, 0, sizeof(*ret));
	if (install_lookup_unit(o, name, &f) < 0)
		return -ENOENT;
	if ((f.is_link && strcmp(f.dest, "/dev/null") == 0) || f.empty)
		return -ENOMEDIUM;
	snprintf(file, sizeof(file), "%s", f.is_link && f.dest[0] == '/' ? f.dest : f.path);
	int r = info_read(o, file, name, ret);
	if (r == 0 && is_template(name) && ret->default_instance[0]) {
		/* Specifiers such as %i name the default instance. */
		char inst[512], di[256];
		const char *at = strchr(name, '@');
		snprintf(di, sizeof(di), "%s", ret->default_instance);
		snprintf(inst, sizeof(inst), "%.*s%s%s", (int)(at - name + 1), name, di, at + 1);
		install_info_done(ret);
		memset(ret, 0, sizeof(*ret));
		r = info_read(o, file, inst, ret);
		snprintf(ret->default_instance, sizeof(ret->default_instance), "%s", di);
	}
	if (r < 0)
		install_info_done(ret);
	return r;
}

void
install_info_done(struct install_info *i)
{
	namelist_done(&i->wanted_by);
	namelist_done(&i->required_by);
	namelist_done(&i->alias);
	namelist_done(&i->also);
}

/* How a link tree installs a unit (systemd's find_symlinks_in_scope()). */
enum installed { INSTALLED_NO, INSTALLED_INDIRECT, INSTALLED_YES };

/* Does a link in DIR's tree install name (found at path)? Top-level links with
 * another name are aliases; links in subdirectories (.wants, .requires) are
 * named after the unit, or, for a template, after its DefaultInstance=
 * (dflt, "" if none). A link to a template named after another instance
 * only makes the template "indirect" (is_symlink_with_known_name()). */
static enum installed
tree_installs(const char *full, int depth, const char *name, const char *dflt, const char *path)
{
	DIR *d = opendir(full);
	if (!d)
		return INSTALLED_NO;
	enum installed found = INSTALLED_NO;
	struct dirent *e;
	char tmpl[256];
	while (found != INSTALLED_YES && (e = readdir(d))) {
		char p[4200], dest[4200];
		struct stat st;
		enum installed here = INSTALLED_NO;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", full, e->d_name);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 2)
				here = tree_installs(p, depth + 1, name, dflt, path);
		} else {
			const char *base = S_ISLNK(st.st_mode)
						   ? install_readlink(p, dest, sizeof(dest))
						   : NULL;
			if (!base)
				continue;
			bool to_unit = strcmp(dest, path) == 0 || strcmp(base, name) == 0;
			if (depth == 0)
				here = to_unit && strcmp(e->d_name, name) != 0 ? INSTALLED_YES
									       : INSTALLED_NO;
			else if (strcmp(e->d_name, name) == 0 ||
				 (to_unit && *dflt && strcmp(e->d_name, dflt) == 0))
				here = INSTALLED_YES;
			else if (to_unit && template_of(e->d_name, tmpl, sizeof(tmpl)) &&
				 strcmp(tmpl, name) == 0)
				here = INSTALLED_INDIRECT;
		}
		if (here > found)
			found = here;
	}
	closedir(d);
	return found;
}

static enum installed
installed_in(const struct ctl_opts *o, const char *config, const char *name, const char *dflt,
	     const char *path)
{
	char full[4200];
	install_path(o, config, full, sizeof(full));
	return tree_installs(full, 0, name, dflt, path);
}

/* "t@.service" with DefaultInstance=x -> "t@x.service" in buf, else "". */
static void
default_instance_name(const struct ctl_opts *o, const char *name, char *buf, size_t size)
{
	struct install_info info;
	const char *at = strchr(name, '@');

	buf[0] = '\0';
	if (!is_template(name) || install_info_load(o, name, &info) < 0)
		return;
	if (info.default_instance[0])
		snprintf(buf, size, "%.*s%s%s", (int)(at - name + 1), name, info.default_instance,
			 at + 1);
	install_info_done(&info);
}

/* systemd's unit_file_lookup_state(), without transient units. */
const char *
install_state_of(const struct ctl_opts *o, const char *name)
{
	struct install_found f;
	if (install_lookup_unit(o, name, &f) < 0)
		return NULL;
	bool runtime = strncmp(f.dir, "/run/", 5) == 0;
	if ((f.is_link && strcmp(f.dest, "/dev/null") == 0) || f.empty)
		return runtime ? "masked-runtime" : "masked";
	if (f.is_link && (strcmp(f.dir, CONFIG_DIR) == 0 || strcmp(f.dir, RUNTIME_DIR) == 0)) {
		const char *base = strrchr(f.dest, '/') ? strrchr(f.dest, '/') + 1 : f.dest;
		if (strcmp(base, name) != 0)
			return "alias";
		if (!in_search_path(f.dest))
			return runtime ? "linked-runtime" : "linked";
	}
	if (strncmp(f.dir, "/run/systemd/generator", 22) == 0)
		return "generated";
	if (strcmp(f.dir, "/run/systemd/transient") == 0)
		return "transient";
	char dflt[512];
	default_instance_name(o, name, dflt, sizeof(dflt));
	enum installed config = installed_in(o, CONFIG_DIR, name, dflt, f.path);
	if (config == INSTALLED_YES)
		return "enabled";
	enum installed runtime_links = installed_in(o, RUNTIME_DIR, name, dflt, f.path);
	if (runtime_links == INSTALLED_YES)
		return "enabled-runtime";
	if (config == INSTALLED_INDIRECT || runtime_links == INSTALLED_INDIRECT)
		return "indirect";
	struct install_info info;
	if (install_info_load(o, name, &info) < 0)
		return "bad";
	const char *st = "static";
	if (info.wanted_by.n || info.required_by.n || info.alias.n ||
	    (is_template(name) && info.default_instance[0]))
		st = "disabled";
	else if (info.also.n)
		st = "indirect";
	install_info_done(&info);
	return st;
}

const char *
install_state(const struct ctl_opts *o, const char *unit)
{
	return install_state_of(o, unit);
}

static bool
enabled_class(const char *st)
{
	static const char *const ok[] = { "enabled", "enabled-runtime", "static",   "indirect",
					  "alias",   "generated",	"transient" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (strcmp(st, ok[i]) == 0)
			return true;
	return false;
}

int
verb_is_enabled(const struct ctl_opts *o, char **args, int n)
{
	struct namelist units = { 0 };
	int rc = CTL_EXIT_FAILURE;
	bool error = false;
	if (n == 0) {
		fprintf(stderr, "Too few arguments.\n");
		return CTL_EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		char buf[512];
		namelist_add(&units, unit_name_normalize(args[i], buf, sizeof(buf)));
	}
	for (size_t i = 0; i < units.n; i++) {
		const char *st = install_state_of(o, units.v[i]);
		if (!st) {
			fprintf(stderr, "Failed to get unit file state for %s: %s\n", units.v[i],
				strerror(ENOENT));
			error = true;
			break; /* systemctl stops at the first unit it cannot find */
		}
		if (!o->quiet)
			printf("%s\n", st);
		if (enabled_class(st))
			rc = 0;
	}
	namelist_done(&units);
	return error ? CTL_EXIT_FAILURE : rc;
}

/* A preset file's verdict for name: "enabled" or "disabled" (no match: enabled). */
static const char *
preset_of(const struct ctl_opts *o, const char *name)
{
	static const char *const dirs[] = {
		"/etc/systemd/system-preset",		"/run/systemd/system-preset",
		"/usr/local/lib/systemd/system-preset", "/lib/systemd/system-preset",
		"/usr/lib/systemd/system-preset",	NULL
	};
	struct namelist files = { 0 };
	for (size_t i = 0; dirs[i]; i++) {
		char full[4200];
		install_path(o, dirs[i], full, sizeof(full));
		DIR *d = opendir(full);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t k = strlen(e->d_name);
			bool seen = false;
			for (size_t j = 0; j < files.n; j++)
				seen |= strcmp(strrchr(files.v[j], '/') + 1, e->d_name) == 0;
			if (k > 7 && strcmp(e->d_name + k - 7, ".preset") == 0 && !seen) {
				char p[4500];
				snprintf(p, sizeof(p), "%s/%s", full, e->d_name);
				namelist_add(&files, p);
			}
		}
		if (d)
			closedir(d);
	}
	const char *verdict = "enabled";
	bool decided = false;
	/* Files apply in the order of their names, whatever directory holds them. */
	for (size_t pass = 0; pass < files.n && !decided; pass++) {
		size_t best = files.n;
		for (size_t j = 0; j < files.n; j++)
			if (files.v[j][0] &&
			    (best == files.n ||
			     strcmp(strrchr(files.v[j], '/'), strrchr(files.v[best], '/')) < 0))
				best = j;
		FILE *f = fopen(files.v[best], "re");
		files.v[best][0] = '\0';
		char line[512], verb[16], pat[256];
		while (f && !decided && fgets(line, sizeof(line), f))
			if (sscanf(line, "%15s %255s", verb, pat) == 2 && verb[0] != '#' &&
			    fnmatch(pat, name, 0) == 0) {
				decided = true;
				verdict = strcmp(verb, "enable") == 0 ? "enabled" : "disabled";
			}
		if (f)
			fclose(f);
	}
	namelist_done(&files);
	return verdict;
}

bool
install_preset_enables(const struct ctl_opts *o, const char *name)
{
	return strcmp(preset_of(o, name), "enabled") == 0;
}

/* systemctl's order: by type suffix, then by name, both ignoring case. */
static int
cmp_unit_file(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int r = strcasecmp(strrchr(x, '.'), strrchr(y, '.'));
	return r ? r : strcasecmp(x, y);
}

static bool
args_match(const char *name, char **args, int n)
{
	for (int i = 0; i < n; i++)
		if (fnmatch(args[i], name, FNM_NOESCAPE) == 0)
			return true;
	return n == 0;
}

static void
collect_unit_files(const struct ctl_opts *o, struct namelist *out)
{
	for (size_t i = 0; unit_search_path[i]; i++) {
		char full[4200];
		install_path(o, unit_search_path[i], full, sizeof(full));
		DIR *d = opendir(full);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char p[4500], buf[512];
			struct stat st;
			snprintf(p, sizeof(p), "%s/%s", full, e->d_name);
			if (e->d_name[0] == '.' || lstat(p, &st) < 0 || S_ISDIR(st.st_mode))
				continue;
			/* Only names with a unit suffix (unit_name_normalize keeps them). */
			if (strcmp(unit_name_normalize(e->d_name, buf, sizeof(buf)), e->d_name) ||
			    strchr(e->d_name, '@') != strrchr(e->d_name, '@') ||
			    namelist_has(out, e->d_name))
				continue;
			if (strcmp(buf, e->d_name) == 0)
				namelist_add(out, e->d_name);
		}
		if (d)
			closedir(d);
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_unit_file);
}

static bool
state_matches(const struct ctl_opts *o, const char *st)
{
	if (!o->state_filter[0])
		return true;
	char f[sizeof(o->state_filter)];
	snprintf(f, sizeof(f), "%s", o->state_filter);
	for (char *save = NULL, *p = strtok_r(f, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (strcmp(p, st) == 0)
			return true;
	return false;
}

int
verb_list_unit_files(const struct ctl_opts *o, char **args, int n)
{
	struct namelist all = { 0 }, names = { 0 }, states = { 0 }, presets = { 0 };
	collect_unit_files(o, &all);
	size_t w1 = strlen("UNIT FILE"), w2 = strlen("STATE");
	for (size_t i = 0; i < all.n; i++) {
		const char *st = install_state_of(o, all.v[i]);
		if (!st || !unit_type_wanted(o->type, all.v[i]) || !args_match(all.v[i], args, n) ||
		    !state_matches(o, st))
			continue;
		bool nopreset = !strcmp(st, "static") || !strcmp(st, "alias") ||
				!strcmp(st, "generated") || !strcmp(st, "transient") ||
				!strncmp(st, "masked", 6);
		namelist_add(&names, all.v[i]);
		namelist_add(&states, st);
		namelist_add(&presets, nopreset ? "-" : preset_of(o, all.v[i]));
		w1 = strlen(all.v[i]) > w1 ? strlen(all.v[i]) : w1;
		w2 = strlen(st) > w2 ? strlen(st) : w2;
	}
	if (!o->no_legend)
		printf("%-*s %-*s %s\n", (int)w1, "UNIT FILE", (int)w2, "STATE", "PRESET");
	for (size_t i = 0; i < names.n; i++)
		printf("%-*s %-*s %s\n", (int)w1, names.v[i], (int)w2, states.v[i], presets.v[i]);
	if (!o->no_legend)
		printf("\n%zu unit files listed.\n", names.n);
	int rc = names.n ? 0 : CTL_EXIT_FAILURE;
	namelist_done(&all), namelist_done(&names), namelist_done(&states);
	namelist_done(&presets);
	return rc;
}
