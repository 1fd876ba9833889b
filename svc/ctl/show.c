/* SPDX-License-Identifier: MIT */
/* klein-systemctl: is-active, is-failed, status, show and cat. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "lib/diag.h"
#include "install.h"
#include "load.h"
#include "proc.h"
#include "util.h"
#include "lib/values.h"

/* Reads the unit of a name ("x.service") when the service has none of its own. */
static void
load_state(const struct ctl_opts *o, const char *unit, struct svc_state *s, bool *found)
{
	char name[256];
	*found = unit_to_svname(unit, name, sizeof(name)) && state_read(o, name, s) == 0;
	if (!*found) {
		memset(s, 0, sizeof(*s));
		s->active = "inactive", s->sub = "dead", s->runit = -1;
		snprintf(s->result, sizeof(s->result), "success");
	}
}

int
verb_is_active(const struct ctl_opts *o, const char *verb, char **args, int n)
{
	bool failed_verb = strcmp(verb, "is-failed") == 0, any = false;
	struct namelist units = { 0 };
	units_expand(o, args, n, &units);
	for (size_t i = 0; i < units.n; i++) {
		struct svc_state s;
		bool found;
		load_state(o, units.v[i], &s, &found);
		if (!o->quiet)
			printf("%s\n", s.active);
		if (failed_verb ? state_is_failed(&s) : state_is_active(&s))
			any = true;
	}
	namelist_done(&units);
	if (failed_verb)
		return any ? 0 : CTL_EXIT_FAILURE;
	return any ? 0 : CTL_EXIT_NOT_ACTIVE;
}

static void
fmt_exit(const struct svc_state *s, char *buf, size_t size)
{
	if (strcmp(s->exec_code, "exited") == 0) {
		const char *nm = exit_status_to_string(s->exec_status);
		snprintf(buf, size, "code=exited, status=%d%s%s", s->exec_status, nm ? "/" : "",
			 nm ? nm : "");
	} else if (s->exec_code[0]) {
		const char *sig = sigabbrev_np(s->exec_status);
		snprintf(buf, size, "code=%s, signal=%s", s->exec_code, sig ? sig : "?");
	} else {
		buf[0] = '\0';
	}
}

static unsigned
count_tasks(const struct svc_state *s)
{
	struct pidlist l = { 0 };
	if (s->pid > 0) {
		pidlist_add(&l, s->pid);
		proc_children(s->pid, true, &l);
	}
	if (s->main_pid > 0 && !pidlist_has(&l, s->main_pid)) {
		pidlist_add(&l, s->main_pid);
		proc_children(s->main_pid, true, &l);
	}
	unsigned n = (unsigned)l.n;
	pidlist_done(&l);
	return n;
}

/* "Loaded: loaded (PATH; STATE; preset: P)": the preset only beside
 * enabled/disabled, as systemctl shows it. */
static void
print_loaded_line(const struct ctl_opts *o, const char *unit, const char *path, const char *fs)
{
	if (strcmp(fs, "enabled") == 0 || strcmp(fs, "disabled") == 0)
		printf("     Loaded: loaded (%s; %s; preset: %s)\n", path, fs,
		       install_preset_enables(o, unit) ? "enabled" : "disabled");
	else
		printf("     Loaded: loaded (%s; %s)\n", path, fs);
}

static void
print_loaded(const struct ctl_opts *o, const char *unit, const struct svc_state *s)
{
	const char *fs = install_state(o, unit);
	if (!fs)
		fs = s->linked ? "enabled" : "disabled";
	print_loaded_line(o, unit, s->fragment[0] ? s->fragment : s->dir, fs);
}

/* A unit with a file but no runit service here (not converted, or not in
 * this container's /etc/service): systemctl shows it loaded and inactive,
 * exit 3; only a unit without a file is "could not be found" (4). */
static int
status_without_service(const struct ctl_opts *o, const char *unit)
{
	struct install_found f;
	static struct svc_state s; /* large; status runs one unit at a time */
	if (install_lookup_unit(o, unit, &f) < 0) {
		fprintf(stderr, "Unit %s could not be found.\n", unit);
		return CTL_EXIT_NO_SUCH_UNIT;
	}
	if ((f.is_link && strcmp(f.dest, "/dev/null") == 0) || f.empty) {
		printf("\u25cb %s\n     Loaded: masked (Reason: Unit %s is masked.)\n"
		       "     Active: inactive (dead)\n",
		       unit, unit);
		return CTL_EXIT_NOT_ACTIVE;
	}
	const char *path = f.is_link && f.dest[0] == '/' ? f.dest : f.path;
	memset(&s, 0, sizeof(s));
	install_path(o, path, s.fragment, sizeof(s.fragment));
	state_read_description(&s);
	printf("\u25cb %s%s%s\n", unit, s.description[0] ? " - " : "", s.description);
	const char *fs = install_state(o, unit);
	print_loaded_line(o, unit, path, fs ? fs : "disabled");
	printf("     Active: inactive (dead)\n");
	return CTL_EXIT_NOT_ACTIVE;
}

static void
print_active(const struct svc_state *s)
{
	char since[64] = "", ago[64] = "";
	uint64_t t = s->since_usec;
	if (t) {
		fmt_timestamp(t, since, sizeof(since));
		fmt_timespan_ago(t, ago, sizeof(ago));
	}
	if (state_is_failed(s))
		printf("     Active: failed (Result: %s)", s->result);
	else
		printf("     Active: %s (%s)", s->active, s->sub);
	if (t && s->runit >= 0)
		printf(" since %s; %s", since, ago);
	printf("\n");
}

static int
status_one(const struct ctl_opts *o, const char *unit)
{
	struct svc_state s;
	bool found;
	load_state(o, unit, &s, &found);
	if (!found)
		return status_without_service(o, unit);
	const char *dot = state_is_active(&s)	? "\u25cf"
			  : state_is_failed(&s) ? "\u00d7"
						: "\u25cb";
	printf("%s %s", dot, unit);
	if (s.description[0])
		printf(" - %s", s.description);
	printf("\n");
	print_loaded(o, unit, &s);
	print_active(&s);
	char ex[96];
	fmt_exit(&s, ex, sizeof(ex));
	if (s.runit == 1 && s.main_pid > 0) {
		char comm[64] = "", p[64];
		snprintf(p, sizeof(p), "/proc/%d/comm", (int)s.main_pid);
		FILE *f = fopen(p, "re");
		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		if (f)
			fclose(f);
		printf("   Main PID: %d (%s)\n", (int)s.main_pid, comm);
		printf("      Tasks: %u\n", count_tasks(&s));
	} else if (ex[0]) {
		printf("   Main PID: (%s)\n", ex);
	}
	long lines = o->lines >= 0 ? o->lines : 10;
	if (lines > 0) {
		fflush(stdout);
		journal_tail(o, s.name, lines, true);
	}
	return state_is_active(&s) ? 0 : CTL_EXIT_NOT_ACTIVE;
}

int
verb_status(const struct ctl_opts *o, char **args, int n)
{
	if (n == 0) {
		(void)verb_is_system_running(o); /* the state word; status itself succeeds */
		return 0;
	}
	struct namelist units = { 0 };
	units_expand(o, args, n, &units);
	int rc = 0;
	for (size_t i = 0; i < units.n; i++) {
		if (i > 0)
			printf("\n");
		int r = status_one(o, units.v[i]);
		if (r && !rc)
			rc = r;
	}
	namelist_done(&units);
	return rc;
}

/* One property; false when the name is unknown. */
static bool
prop_value(const struct ctl_opts *o, const char *unit, const struct svc_state *s, bool found,
	   const char *p, char *buf, size_t size)
{
	const char *fs;
	buf[0] = '\0';
	if (strcmp(p, "Id") == 0 || strcmp(p, "Names") == 0)
		snprintf(buf, size, "%s", unit);
	else if (strcmp(p, "Description") == 0)
		snprintf(buf, size, "%s", s->description[0] ? s->description : unit);
	else if (strcmp(p, "LoadState") == 0)
		fs = install_state(o, unit), snprintf(buf, size, "%s",
						      fs && strcmp(fs, "masked") == 0 ? "masked"
						      : found			      ? "loaded"
							      : "not-found");
	else if (strcmp(p, "ActiveState") == 0)
		snprintf(buf, size, "%s", s->active);
	else if (strcmp(p, "SubState") == 0)
		snprintf(buf, size, "%s", s->sub);
	else if (strcmp(p, "Result") == 0)
		snprintf(buf, size, "%s", s->result);
	else if (strcmp(p, "MainPID") == 0 || strcmp(p, "ExecMainPID") == 0)
		snprintf(buf, size, "%d", s->runit == 1 ? (int)s->main_pid : 0);
	else if (strcmp(p, "ExecMainCode") == 0)
		snprintf(buf, size, "%d",
			 strcmp(s->exec_code, "exited") == 0   ? 1
			 : strcmp(s->exec_code, "killed") == 0 ? 2
			 : strcmp(s->exec_code, "dumped") == 0 ? 3
							       : 0);
	else if (strcmp(p, "ExecMainStatus") == 0)
		snprintf(buf, size, "%d", s->exec_status);
	else if (strcmp(p, "NRestarts") == 0)
		snprintf(buf, size, "%u", s->nrestarts);
	else if (strcmp(p, "UnitFileState") == 0)
		fs = install_state(o, unit), snprintf(buf, size, "%s",
						      fs	  ? fs
						      : !found	  ? ""
						      : s->linked ? "enabled"
								  : "disabled");
	else if (strcmp(p, "FragmentPath") == 0)
		snprintf(buf, size, "%s", s->fragment);
	else if (strcmp(p, "ActiveEnterTimestamp") == 0) {
		if (s->runit == 1 && s->since_usec)
			fmt_timestamp(s->since_usec, buf, size);
	} else if (strcmp(p, "CanReload") == 0)
		snprintf(buf, size, "%s", s->has_reload ? "yes" : "no");
	else
		return false;
	return true;
}

static const char *const default_props[] = {
	"Id",
	"Names",
	"Description",
	"LoadState",
	"ActiveState",
	"SubState",
	"Result",
	"MainPID",
	"ExecMainPID",
	"ExecMainCode",
	"ExecMainStatus",
	"NRestarts",
	"UnitFileState",
	"FragmentPath",
	"ActiveEnterTimestamp",
	"CanReload",
};

static void
show_prop(const struct ctl_opts *o, const char *unit, const struct svc_state *s, bool found,
	  const char *p, bool explicit)
{
	char v[4200];
	if (!prop_value(o, unit, s, found, p, v, sizeof(v)))
		return;
	if (!explicit && !v[0] && !o->all)
		return;
	if (o->value)
		printf("%s\n", v);
	else
		printf("%s=%s\n", p, v);
}

int
verb_show(const struct ctl_opts *o, char **args, int n)
{
	struct namelist units = { 0 };
	units_expand(o, args, n, &units);
	for (size_t i = 0; i < units.n; i++) {
		struct svc_state s;
		bool found;
		if (i > 0)
			printf("\n");
		load_state(o, units.v[i], &s, &found);
		if (!o->props[0]) {
			for (size_t k = 0; k < sizeof(default_props) / sizeof(*default_props); k++)
				show_prop(o, units.v[i], &s, found, default_props[k], false);
			continue;
		}
		char props[sizeof(o->props)];
		snprintf(props, sizeof(props), "%s", o->props);
		for (char *save = NULL, *p = strtok_r(props, ",", &save); p;
		     p = strtok_r(NULL, ",", &save))
			show_prop(o, units.v[i], &s, found, p, true);
	}
	namelist_done(&units);
	return 0;
}

static int
print_file(const char *root, const char *path, bool first)
{
	char full[4200];
	char *text;
	size_t len;
	snprintf(full, sizeof(full), "%s%s", root && strcmp(root, "/") ? root : "", path);
	int r = read_file(full, &text, &len);
	if (r < 0)
		return r;
	printf("%s# %s\n", first ? "" : "\n", path);
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		printf("\n");
	free(text);
	return 0;
}

int
verb_cat(const struct ctl_opts *o, char **args, int n)
{
	struct namelist units = { 0 };
	units_expand(o, args, n, &units);
	int rc = 0;
	for (size_t i = 0; i < units.n; i++) {
		struct unit u;
		struct diag d = { 0 };
		struct load_options lo = { .root = o->root };
		int r = unit_load(units.v[i], &lo, &u, &d);
		char name[256];
		struct svc_state s;
		if (r == 0 && u.state == UNIT_NOT_FOUND && !o->root &&
		    unit_to_svname(units.v[i], name, sizeof(name)) &&
		    state_read(o, name, &s) == 0 && s.fragment[0] == '/') {
			/* Converted from a path off the search path: the file it names. */
			unit_done(&u);
			r = unit_load(s.fragment, &lo, &u, &d);
		}
		diag_done(&d);
		if (r < 0 || u.state == UNIT_NOT_FOUND || !u.fragment) {
			if (r == 0 && u.state == UNIT_MASKED)
				fprintf(stderr, "Unit %s is masked.\n", units.v[i]);
			else
				fprintf(stderr, "No files found for %s.\n", units.v[i]);
			rc = CTL_EXIT_FAILURE;
			if (r == 0)
				unit_done(&u);
			continue;
		}
		if (i > 0)
			printf("\n");
		print_file(o->root, u.fragment, true);
		for (size_t k = 0; k < u.n_dropins; k++)
			print_file(o->root, u.dropins[k], false);
		unit_done(&u);
	}
	namelist_done(&units);
	return rc;
}
