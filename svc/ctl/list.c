/* SPDX-License-Identifier: MIT */
/* klein-systemctl: list-units, list-timers, is-system-running and daemon-reload. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "lib/diag.h"
#include "load.h"
#include "util.h"

static bool
state_wanted(const struct ctl_opts *o, const struct svc_state *s)
{
	if (!o->state_filter[0])
		return o->all || strcmp(s->active, "inactive") != 0;
	char f[sizeof(o->state_filter)];
	snprintf(f, sizeof(f), "%s", o->state_filter);
	for (char *save = NULL, *p = strtok_r(f, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (!strcmp(p, s->active) || !strcmp(p, s->sub) || !strcmp(p, "loaded"))
			return true;
	return false;
}

static bool read_timer(const char *dir, uint64_t *next, uint64_t *last);

static bool
patterns_match(const char *unit, char **args, int n)
{
	for (int i = 0; i < n; i++)
		if (fnmatch(args[i], unit, FNM_NOESCAPE) == 0)
			return true;
	return n == 0;
}

static int
cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct svc_state *)a)->unit, ((const struct svc_state *)b)->unit);
}

static size_t
max_len(size_t w, const char *s)
{
	return strlen(s) > w ? strlen(s) : w;
}

int
verb_list_units(const struct ctl_opts *o, char **args, int n)
{
	struct namelist names = { 0 };
	size_t nv = 0, w = strlen("UNIT"), ws = strlen("SUB"), wa = strlen("ACTIVE");
	services_list(o, true, &names);
	struct svc_state *v = xmalloc((names.n + 1) * sizeof(*v));
	for (size_t i = 0; i < names.n; i++) {
		/* sockets and timers are runit services named after the unit (state.c). */
		if (state_read(o, names.v[i], &v[nv]) < 0 ||
		    !unit_type_wanted(o->type, v[nv].unit) || !state_wanted(o, &v[nv]) ||
		    !patterns_match(v[nv].unit, args, n))
			continue;
		w = max_len(w, v[nv].unit), ws = max_len(ws, v[nv].sub);
		wa = max_len(wa, v[nv].active);
		nv++;
	}
	qsort(v, nv, sizeof(*v), cmp_unit);
	const char *mark = o->plain ? "" : "  ";
	if (!o->no_legend)
		printf("%s%-*s %-6s %-*s %-*s %s\n", mark, (int)w, "UNIT", "LOAD", (int)wa,
		       "ACTIVE", (int)ws, "SUB", "DESCRIPTION");
	for (size_t i = 0; i < nv; i++) {
		const char *m = o->plain ? "" : state_is_failed(&v[i]) ? "\u25cf " : "  ";
		printf("%s%-*s %-6s %-*s %-*s %s\n", m, (int)w, v[i].unit, "loaded", (int)wa,
		       v[i].active, (int)ws, v[i].sub,
		       v[i].description[0] ? v[i].description : v[i].unit);
	}
	if (!o->no_legend) {
		printf("\nLOAD   = Reflects whether the unit definition was properly loaded.\n"
		       "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n"
		       "SUB    = The low-level unit activation state, values depend on unit type.\n");
		printf("%zu loaded units listed.%s\n", nv,
		       o->all ? "" : " Pass --all to see loaded but inactive units, too.");
		printf("To show all installed unit files use 'systemctl list-unit-files'.\n");
	}
	free(v);
	namelist_done(&names);
	return 0;
}

/* supervise/klein.timer (written by the timer runtime): next=USEC, last=USEC. */
static bool
read_timer(const char *dir, uint64_t *next, uint64_t *last)
{
	char p[4200], line[128];
	snprintf(p, sizeof(p), "%s/supervise/klein.timer", dir);
	FILE *f = fopen(p, "re");
	if (!f)
		return false;
	*next = *last = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "next=", 5) == 0)
			*next = strtoull(line + 5, NULL, 10);
		else if (strncmp(line, "last=", 5) == 0)
			*last = strtoull(line + 5, NULL, 10);
	}
	fclose(f);
	return true;
}

static void
fmt_left(uint64_t usec, char *buf, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	if (!usec) {
		snprintf(buf, size, "-");
		return;
	}
	if (usec <= now) {
		fmt_timespan_ago(usec, buf, size);
		return;
	}
	/* "ago" measures backwards; mirror the time to reuse the same units. */
	fmt_timespan_ago(now - (usec - now), buf, size);
	char *ago = strstr(buf, " ago");
	if (ago)
		snprintf(ago, size - (size_t)(ago - buf), " left");
}

struct timer_row {
	uint64_t next, last;
	char unit[300], activates[300];
};

/* systemctl's order: the next elapse first; timers with none last; then by name. */
static int
timer_row_cmp(const void *a, const void *b)
{
	const struct timer_row *x = a, *y = b;
	uint64_t nx = x->next ? x->next : UINT64_MAX, ny = y->next ? y->next : UINT64_MAX;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x->unit, y->unit);
}

int
verb_list_timers(const struct ctl_opts *o, char **args, int n)
{
	struct namelist names = { 0 };
	services_list(o, true, &names);
	struct timer_row *rows = calloc(names.n ? names.n : 1, sizeof(*rows));
	size_t count = 0;
	if (!rows) {
		namelist_done(&names);
		fprintf(stderr, "Failed to list timers: %s\n", strerror(ENOMEM));
		return CTL_EXIT_FAILURE;
	}
	for (size_t i = 0; i < names.n; i++) {
		struct timer_row *row = &rows[count];
		struct svc_state s;
		/* systemd lists inactive timers only with --all. */
		if (state_read(o, names.v[i], &s) < 0 || strcmp(unit_type(s.unit), "timer") != 0 ||
		    !patterns_match(s.unit, args, n) || (!o->all && !state_is_active(&s)))
			continue;
		if (!read_timer(s.dir, &row->next, &row->last))
			row->next = row->last = 0; /* the timer runtime has not written it yet */
		snprintf(row->unit, sizeof(row->unit), "%s", s.unit);
		svname_to_unit(s.activates, row->activates, sizeof(row->activates));
		count++;
	}
	namelist_done(&names);
	qsort(rows, count, sizeof(*rows), timer_row_cmp);
	if (!o->no_legend)
		printf("%-28s %-13s %-28s %-13s %-20s %s\n", "NEXT", "LEFT", "LAST", "PASSED",
		       "UNIT", "ACTIVATES");
	for (size_t i = 0; i < count; i++) {
		char t1[64] = "-", t2[64] = "-", l1[64], l2[64];
		if (rows[i].next)
			fmt_timestamp(rows[i].next, t1, sizeof(t1));
		if (rows[i].last)
			fmt_timestamp(rows[i].last, t2, sizeof(t2));
		fmt_left(rows[i].next, l1, sizeof(l1));
		fmt_left(rows[i].last, l2, sizeof(l2));
		printf("%-28s %-13s %-28s %-13s %-20s %s\n", t1, l1, t2, l2, rows[i].unit,
		       rows[i].activates);
	}
	if (!o->no_legend)
		printf("\n%zu timers listed.\nPass --all to see loaded but inactive timers, too.\n",
		       count);
	free(rows);
	return 0;
}

int
verb_is_system_running(const struct ctl_opts *o)
{
	const char *st = "running";
	if (o->stopping) {
		st = "stopping";
	} else if (o->offline) {
		st = "offline";
	} else {
		struct namelist names = { 0 };
		services_list(o, false, &names);
		for (size_t i = 0; i < names.n; i++) {
			struct svc_state s;
			if (state_read(o, names.v[i], &s) < 0)
				continue;
			if (state_is_failed(&s))
				st = "degraded";
			else if (strcmp(s.active, "activating") == 0 && strcmp(st, "running") == 0)
				st = "starting";
		}
		namelist_done(&names);
	}
	if (!o->quiet)
		printf("%s\n", st);
	return strcmp(st, "running") == 0 ? 0 : CTL_EXIT_FAILURE;
}

static uint64_t
mtime_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
}

/* When a unit file last changed: the later of its mtime and its ctime, since
 * dpkg installs a file with the package's own (older) mtime, but the rename
 * into place sets the ctime, which nothing can set back. */
static uint64_t
changed_at(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	uint64_t m = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
	uint64_t c = (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec;
	return m > c ? m : c;
}

/*
 * A converted unit changed when a file systemd would read for it now (its
 * fragment, drop-ins, or porter.conf) changed after the manifest convert wrote,
 * or the set of those files is not the one the generated header names.
 */
static bool
unit_changed(const struct ctl_opts *o, const struct svc_state *s, char *unit, size_t size)
{
	char manifest[4200], header[8192] = "", p[4200];
	snprintf(manifest, sizeof(manifest), "%s/.klein-porter", s->dir);
	uint64_t made = mtime_of(manifest);
	if (changed_at("/etc/klein/porter.conf") > made)
		return true;
	struct unit u;
	struct diag d = { 0 };
	struct load_options lo = { 0 };
	int r = unit_load(unit, &lo, &u, &d);
	if (r == 0 && u.state == UNIT_NOT_FOUND && s->fragment[0] == '/' &&
	    access(s->fragment, F_OK) == 0) {
		/* Converted from a path, not from the search path: reload that file. */
		unit_done(&u);
		snprintf(unit, size, "%s", s->fragment);
		r = unit_load(unit, &lo, &u, &d);
	}
	diag_done(&d);
	if (r < 0 || !u.fragment) {
		if (r == 0)
			unit_done(&u);
		return false; /* gone: convert would refuse; keep what runs */
	}
	bool changed = changed_at(u.fragment) > made || strcmp(u.fragment, s->fragment) != 0;
	for (size_t i = 0; i < u.n_dropins && !changed; i++) {
		changed = changed_at(u.dropins[i]) > made;
		snprintf(p, sizeof(p), "# drop-in: %s\n", u.dropins[i]);
		if (strlen(header) + strlen(p) < sizeof(header))
			strcat(header, p);
	}
	unit_done(&u);
	/* A drop-in added or removed: compare with the header's list. */
	char run[4200], *text = NULL;
	size_t len;
	snprintf(run, sizeof(run), "%s/run", s->dir);
	if (!changed && read_file(run, &text, &len) == 0) {
		char *start = strstr(text, "# drop-in: ");
		char *end = strstr(text, "# Edits are detected");
		size_t have = start && end && end > start ? (size_t)(end - start) : 0;
		changed = have != strlen(header) || strncmp(start ? start : "", header, have) != 0;
	}
	free(text);
	return changed;
}

int
verb_daemon_reload(const struct ctl_opts *o)
{
	if (!ctl_is_root()) {
		fprintf(stderr, "Failed to reload daemon: Access denied\n");
		return CTL_EXIT_NO_PERMISSION;
	}
	struct namelist names = { 0 }, argv = { 0 };
	static const char *const fixed[] = { "convert", "--no-enable", "--sv-dir", NULL };
	namelist_add(&argv, o->porter);
	for (size_t i = 0; fixed[i]; i++)
		namelist_add(&argv, fixed[i]);
	namelist_add(&argv, o->sv_dir);
	namelist_add(&argv, "--service-dir");
	namelist_add(&argv, o->service_dir);
	size_t first = argv.n;
	services_list(o, true, &names);
	for (size_t i = 0; i < names.n; i++) {
		struct svc_state s;
		char unit[300];
		svname_to_unit(names.v[i], unit, sizeof(unit));
		if (state_read(o, names.v[i], &s) == 0 && s.converted &&
		    unit_changed(o, &s, unit, sizeof(unit)))
			namelist_add(&argv, unit);
	}
	int rc = 0;
	if (argv.n > first) {
		pid_t pid = fork();
		if (pid == 0) {
			execvp(argv.v[0], argv.v);
			fprintf(stderr, "Failed to run %s: %s\n", argv.v[0], strerror(errno));
			_exit(127);
		}
		int st = 0;
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "Failed to reload daemon: klein-porter convert failed\n");
			rc = CTL_EXIT_FAILURE;
		}
	}
	namelist_done(&argv);
	namelist_done(&names);
	return rc;
}
