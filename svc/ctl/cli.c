/* SPDX-License-Identifier: MIT */
/* klein-systemctl: options, the verb table, and the name it was called by. */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "lib/osrelease.h"
#include "lib/values.h"

bool
ctl_is_root(void)
{
	return geteuid() == 0;
}

int
access_denied(const char *verb, const char *unit)
{
	fprintf(stderr, "Failed to %s %s: Access denied\n", verb, unit);
	return CTL_EXIT_NO_PERMISSION;
}

void
fmt_timestamp(uint64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, size, "@%llu", (unsigned long long)t);
}

void
fmt_timespan_ago(uint64_t usec, char *buf, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	uint64_t s = now > usec ? (now - usec) / 1000000 : 0;
	/* systemd prints the two largest units: "1h 5min ago", "3s ago". */
	if (s >= 86400)
		snprintf(buf, size, "%llu day%s %lluh ago", (unsigned long long)(s / 86400),
			 s / 86400 > 1 ? "s" : "", (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, size, "%lluh %llumin ago", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, size, "%llumin %llus ago", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, size, "%llus ago", (unsigned long long)s);
}

/* Nothing runs when no runsvdir does (docker build, a chroot), as systemctl
 * sees a chroot; SYSTEMD_OFFLINE=1 forces it, as for systemctl. */
static bool
runsvdir_running(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d))) {
		char p[300], comm[32] = "";
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(p, "re");
		if (f && fgets(comm, sizeof(comm), f))
			found = strcmp(comm, "runsvdir\n") == 0;
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

typedef int verb_fn(const struct ctl_opts *o, const char *verb, char **args, int n);

static int
v_start(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	if (strcmp(verb, "force-reload") == 0)
		verb = "try-reload-or-restart";
	return verb_start(o, verb, a, n);
}
static int
v_kill(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_kill(o, a, n);
}
static int
v_status(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_status(o, a, n);
}
static int
v_show(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_show(o, a, n);
}
static int
v_cat(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_cat(o, a, n);
}
static int
v_list_units(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_list_units(o, a, n);
}
static int
v_list_timers(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_list_timers(o, a, n);
}
static int
v_list_unit_files(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_list_unit_files(o, a, n);
}
static int
v_is_enabled(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	return verb_is_enabled(o, a, n);
}
static int
v_system(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	if (strcmp(verb, "is-system-running") == 0)
		return verb_is_system_running(o);
	if (o->offline) {
		fprintf(stderr, "Running in chroot, ignoring command '%s'\n", verb);
		return 0;
	}
	if (strcmp(verb, "daemon-reload") == 0)
		return verb_daemon_reload(o);
	return 0; /* daemon-reexec, reset-failed: nothing to do over runit */
}

/* Verbs packages' maintainer scripts use that have nothing to act on here. */
static int
v_noop(const struct ctl_opts *o, const char *verb, char **a, int n)
{
	if (strcmp(verb, "get-default") == 0)
		printf("multi-user.target\n");
	else if (strcmp(verb, "list-jobs") == 0)
		printf("No jobs running.\n");
	return 0;
}

/* offline: may run with --root (systemctl refuses the others there). */
static const struct verb {
	const char *name;
	verb_fn *fn;
	bool offline;
} verbs[] = {
	{ "start", v_start, false },
	{ "stop", v_start, false },
	{ "restart", v_start, false },
	{ "try-restart", v_start, false },
	{ "condrestart", v_start, false },
	{ "reload", v_start, false },
	{ "reload-or-restart", v_start, false },
	{ "try-reload-or-restart", v_start, false },
	{ "force-reload", v_start, false },
	{ "kill", v_kill, false },
	{ "is-active", verb_is_active, false },
	{ "is-failed", verb_is_active, false },
	{ "status", v_status, false },
	{ "show", v_show, false },
	{ "cat", v_cat, false },
	{ "list-units", v_list_units, false },
	{ "list-timers", v_list_timers, false },
	{ "list-unit-files", v_list_unit_files, true },
	{ "is-enabled", v_is_enabled, true },
	{ "enable", verb_install, true },
	{ "disable", verb_install, true },
	{ "mask", verb_install, true },
	{ "unmask", verb_install, true },
	{ "is-system-running", v_system, false },
	{ "daemon-reload", v_system, false },
	{ "daemon-reexec", v_system, false },
	{ "reset-failed", v_system, false },
	{ "reenable", verb_install, true },
	{ "preset", verb_install, true },
	{ "preset-all", v_noop, true },
	{ "get-default", v_noop, true },
	{ "set-default", v_noop, true },
	{ "list-jobs", v_noop, false },
};

static const char usage_text[] =
	"usage: systemctl [OPTIONS...] COMMAND [UNIT...]\n"
	"Klein's systemctl drives the runit services klein-porter converted.\n"
	"Commands: start stop restart try-restart reload reload-or-restart\n"
	"  try-reload-or-restart kill is-active is-failed status show cat list-units\n"
	"  list-unit-files list-timers is-enabled enable disable mask unmask\n"
	"  is-system-running daemon-reload\n"
	"Options: -q --no-pager --no-block --plain --no-legend -a -n N -t TYPE --state=S\n"
	"  -p PROP --value --root=DIR --now -f -s SIG --kill-whom=main|all --runtime -l\n"
	"See docs/systemctl.md (journalctl: -u UNIT -n N -f --since --until -o cat|short).\n";

enum {
	OPT_NO_PAGER = 256,
	OPT_NO_BLOCK,
	OPT_PLAIN,
	OPT_NO_LEGEND,
	OPT_STATE,
	OPT_VALUE,
	OPT_ROOT,
	OPT_NOW,
	OPT_KILL_WHOM,
	OPT_RUNTIME,
	OPT_IGNORE,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_VERSION,
	OPT_HOUSEKEEP,
	OPT_PRESET_MODE
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
	{ "no-block", no_argument, NULL, OPT_NO_BLOCK },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ "no-legend", no_argument, NULL, OPT_NO_LEGEND },
	{ "all", no_argument, NULL, 'a' },
	{ "lines", required_argument, NULL, 'n' },
	{ "type", required_argument, NULL, 't' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "property", required_argument, NULL, 'p' },
	{ "value", no_argument, NULL, OPT_VALUE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "now", no_argument, NULL, OPT_NOW },
	{ "force", no_argument, NULL, 'f' },
	{ "signal", required_argument, NULL, 's' },
	{ "kill-whom", required_argument, NULL, OPT_KILL_WHOM },
	{ "preset-mode", required_argument, NULL, OPT_PRESET_MODE },
	{ "global", no_argument, NULL, OPT_IGNORE },
	{ "runtime", no_argument, NULL, OPT_RUNTIME },
	{ "full", no_argument, NULL, 'l' },
	{ "no-ask-password", no_argument, NULL, OPT_IGNORE },
	{ "no-reload", no_argument, NULL, OPT_IGNORE },
	{ "no-hostname", no_argument, NULL, OPT_IGNORE },
	{ "unit", required_argument, NULL, 'u' },
	{ "follow", no_argument, NULL, 'F' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "output", required_argument, NULL, 'o' },
	/* journald's housekeeping (systemd's postinst runs some): nothing to do here */
	{ "update-catalog", no_argument, NULL, OPT_HOUSEKEEP },
	{ "flush", no_argument, NULL, OPT_HOUSEKEEP },
	{ "rotate", no_argument, NULL, OPT_HOUSEKEEP },
	{ "sync", no_argument, NULL, OPT_HOUSEKEEP },
	{ "vacuum-size", required_argument, NULL, OPT_HOUSEKEEP },
	{ "vacuum-time", required_argument, NULL, OPT_HOUSEKEEP },
	{ "quiet", no_argument, NULL, 'q' },
	{ "system", no_argument, NULL, OPT_IGNORE },
	{ NULL, 0, NULL, 0 },
};

static int
set_opt(struct ctl_opts *o, int c, const char *arg, bool journal)
{
	switch (c) {
	case 'q':
		o->quiet = true;
		break;
	case OPT_NO_BLOCK:
		o->no_block = true;
		break;
	case OPT_PLAIN:
		o->plain = true;
		break;
	case OPT_NO_LEGEND:
		o->no_legend = true;
		break;
	case 'a':
		o->all = true;
		break;
	case 'l':
		o->full = true;
		break;
	case 'f':
		journal ? (void)(o->follow = true) : (void)(o->force = true);
		break;
	case 'F':
		o->follow = true;
		break;
	case OPT_VALUE:
		o->value = true;
		break;
	case OPT_NOW:
		o->now = true;
		break;
	case OPT_RUNTIME:
		o->runtime = true;
		break;
	case OPT_ROOT:
		o->root = arg;
		break;
	case OPT_SINCE:
		o->since = arg;
		break;
	case OPT_UNTIL:
		o->until = arg;
		break;
	case 'o':
		o->output = arg;
		break;
	case 'e':
		if (o->lines < 0)
			o->lines = 1000;
		break;
	case 'n': {
		char *end;
		o->lines = strtol(arg, &end, 10);
		if (*end || o->lines < 0) {
			fprintf(stderr, "Failed to parse lines '%s'\n", arg);
			return -1;
		}
		break;
	}
	case 't': { /* a comma list; repeated -t add to it, as systemctl's */
		size_t l = strlen(o->type);
		snprintf(o->type + l, sizeof(o->type) - l, "%s%s", l ? "," : "", arg);
		break;
	}
	case OPT_STATE:
		snprintf(o->state_filter, sizeof(o->state_filter), "%s", arg);
		break;
	case 'p': {
		size_t l = strlen(o->props);
		snprintf(o->props + l, sizeof(o->props) - l, "%s%s", l ? "," : "", arg);
		break;
	}
	case 's':
		o->signal = parse_signal(arg);
		if (o->signal <= 0) {
			fprintf(stderr, "Failed to parse signal string %s.\n", arg);
			return -1;
		}
		break;
	case OPT_PRESET_MODE:
		if (strcmp(arg, "full") && strcmp(arg, "enable-only") &&
		    strcmp(arg, "disable-only")) {
			fprintf(stderr, "Failed to parse preset mode: %s.\n", arg);
			return -1;
		}
		snprintf(o->preset_mode, sizeof(o->preset_mode), "%s", arg);
		break;
	case OPT_KILL_WHOM:
		if (strcmp(arg, "main") && strcmp(arg, "all") && strcmp(arg, "control")) {
			fprintf(stderr, "Unknown --kill-whom= value: %s\n", arg);
			return -1;
		}
		snprintf(o->kill_whom, sizeof(o->kill_whom), "%s", arg);
		break;
	default:
		break;
	}
	return 0;
}

static void
defaults(struct ctl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lines = -1;
	o->signal = SIGTERM;
	snprintf(o->kill_whom, sizeof(o->kill_whom), "all");
	snprintf(o->preset_mode, sizeof(o->preset_mode), "full");
	const char *e;
	o->service_dir = (e = getenv("KLEIN_SERVICE_DIR")) && *e ? e : "/etc/service";
	o->sv_dir = (e = getenv("KLEIN_SV_DIR")) && *e ? e : "/etc/sv";
	o->log_dir = (e = getenv("KLEIN_LOG_DIR")) && *e ? e : "/run/klein/log";
	o->svlogd_dir = (e = getenv("KLEIN_SVLOGD_DIR")) && *e ? e : "/var/log";
	o->porter = (e = getenv("KLEIN_PORTER")) && *e ? e : "klein-porter";
}

static bool
called_as_journalctl(const char *argv0)
{
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	return strcmp(base, "journalctl") == 0 || strcmp(base, "klein-journalctl") == 0;
}

int
ctl_main(int argc, char **argv)
{
	struct ctl_opts o;
	defaults(&o);
	bool journal = called_as_journalctl(argv[0]);
	char *units[64];
	int n_units = 0, c;
	const char *shorts = journal ? "hqn:u:fo:eaxb::" : "hqan:t:p:fs:l";
	while ((c = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (c == OPT_VERSION) {
			/* systemctl's first line, "systemd N (...)", is what scripts
			 * parse: N is the systemd of this image's release. */
			char buf[160];
			const char *why;
			printf("systemd %u (Klein %s over runit)\n",
			       os_release_systemd(o.root, buf, sizeof(buf), &why),
			       journal ? "klein-journalctl" : "klein-systemctl");
			return 0;
		}
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == OPT_HOUSEKEEP)
			return 0; /* journald's upkeep: there is no journal to keep */
		if (c == 'u' && n_units < 64)
			units[n_units++] = optarg;
		else if (set_opt(&o, c, optarg, journal) < 0)
			return CTL_EXIT_USAGE;
	}
	if (journal)
		return journal_main(&o, units, n_units);
	const char *e = getenv("SYSTEMD_OFFLINE");
	bool rooted = o.root && strcmp(o.root, "/") != 0;
	bool forced = rooted || (e && strcmp(e, "1") == 0);
	/* klein-init stops runsvdir first: the marker outlives it. */
	o.stopping = !forced && access(CTL_STOP_MARKER, F_OK) == 0;
	o.offline = forced || !runsvdir_running();
	const char *verb = optind < argc ? argv[optind++] : "list-units";
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verb, verbs[i].name) != 0)
			continue;
		if (rooted && !verbs[i].offline) {
			fprintf(stderr, "Verb '%s' cannot be used with --root= or --image=.\n",
				verb);
			return CTL_EXIT_FAILURE;
		}
		return verbs[i].fn(&o, verb, argv + optind, argc - optind);
	}
	fprintf(stderr, "Unknown command verb %s.\n", verb);
	return CTL_EXIT_USAGE;
}
