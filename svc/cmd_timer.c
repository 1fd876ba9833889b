/* SPDX-License-Identifier: MIT */
/* klein-svc timer: the options of a converted .timer unit's run script. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/calendar.h"
#include "timer.h"
#include "lib/values.h"

static const struct {
	const char *option;
	enum timersched_base base;
} relative[] = {
	{ "--on-active", TIMERSCHED_ACTIVE },
	{ "--on-boot", TIMERSCHED_BOOT },
	{ "--on-startup", TIMERSCHED_STARTUP },
	{ "--on-unit-active", TIMERSCHED_UNIT_ACTIVE },
	{ "--on-unit-inactive", TIMERSCHED_UNIT_INACTIVE },
};

static int
usage(FILE *f, int code)
{
	fputs("usage: klein-svc timer --unit-dir DIR [--on-calendar EXPR]... [--on-active SPAN]...\n"
	      "         [--on-boot SPAN]... [--on-startup SPAN]... [--on-unit-active SPAN]...\n"
	      "         [--on-unit-inactive SPAN]... [--randomized-delay SPAN] [--fixed-random-delay]\n"
	      "         [--persistent] [--name NAME] [--state-dir DIR] [--state-file PATH]\n"
	      "Runs as a runit service: starts DIR's service once (sv once) at each elapse.\n",
	      f);
	return code;
}

static int
bad(const char *what, const char *value)
{
	fprintf(stderr, "klein-svc: timer: invalid %s '%s'\n", what, value);
	return -1;
}

static int
add_value(struct timer_opts *o, enum timersched_base base, uint64_t span, struct calendar_spec *cal)
{
	if (o->n_values >= TIMER_VALUES_MAX)
		return bad("value count", "too many");
	o->values[o->n_values++] =
		(struct timersched_value){ .base = base, .span_usec = span, .cal = cal };
	return 0;
}

/* One option (with its value at argv[*i + 1]); 0, or -1 for a usage error. */
static int
option(struct timer_opts *o, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	uint64_t span;

	if (!strcmp(opt, "--persistent"))
		return o->persistent = true, 0;
	if (!strcmp(opt, "--fixed-random-delay"))
		return o->fixed_random_delay = true, 0;
	if (!val)
		return bad("option", opt);
	(*i)++;
	if (!strcmp(opt, "--unit-dir"))
		return o->unit_dir = val, 0;
	if (!strcmp(opt, "--name"))
		return o->name = val, 0;
	if (!strcmp(opt, "--state-dir"))
		return o->state_dir = val, 0;
	if (!strcmp(opt, "--state-file"))
		return o->state_file = val, 0;
	if (!strcmp(opt, "--on-calendar")) {
		struct calendar_spec *c;

		if (calendar_parse(val, &c) < 0)
			return bad("calendar event", val);
		return add_value(o, TIMERSCHED_CALENDAR, 0, c);
	}
	if (parse_sec(val, &span) < 0)
		return bad("time span", val);
	if (!strcmp(opt, "--randomized-delay"))
		return o->randomized_delay_usec = span, 0;
	for (size_t k = 0; k < sizeof(relative) / sizeof(relative[0]); k++)
		if (!strcmp(opt, relative[k].option))
			return add_value(o, relative[k].base, span, NULL);
	return bad("option", opt);
}

int
cmd_timer(int argc, char **argv)
{
	static char cwd[PATH_MAX];
	struct timer_opts *o = calloc(1, sizeof(*o));
	int r;

	if (!o)
		return 1;
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout, 0);
	o->state_dir = "/var/lib/klein/timers";
	o->state_file = "supervise/klein.timer";
	for (int i = 1; i < argc; i++)
		if (option(o, argc, argv, &i) < 0)
			return usage(stderr, SVC_EXIT_USAGE);
	if (!o->unit_dir || !o->n_values) {
		fprintf(stderr, "klein-svc: timer: needs --unit-dir and at least one value\n");
		return usage(stderr, SVC_EXIT_USAGE);
	}
	/* The stamp's name: the timer's service directory, as runsv runs us. */
	if (!o->name)
		o->name = getcwd(cwd, sizeof(cwd)) ? basename(cwd) : "timer";
	r = timer_run(o);
	free(o);
	return r;
}
