/* SPDX-License-Identifier: MIT */
/* klein-porter calendar: normalize calendar events and list their next
 * elapses, as `systemd-analyze calendar` prints them (or as JSON). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "lib/calendar.h"
#include "lib/timestamp.h"
#include "lib/values.h"

struct calendar_opts {
	unsigned iterations;
	uint64_t base;
	bool json;
};

static int
usage(FILE *f, int code)
{
	fprintf(f,
		"usage: klein-porter calendar [--iterations N] [--base-time TIMESTAMP] [--json] EXPR...\n"
		"\n"
		"Prints each calendar event's normalized form and its next N elapses (default 1)\n"
		"after TIMESTAMP (default now), as `systemd-analyze calendar` does; \"From now\"\n"
		"counts from TIMESTAMP. --json prints a JSON array instead, times in UTC.\n"
		"\n"
		"exit: 0 every EXPR valid, 1 an invalid EXPR (or no next elapse computable),\n"
		"      2 usage\n");
	return code;
}

/* "--name VALUE" or "--name=VALUE": the value (and *i advanced), or NULL. */
static const char *
option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* Options anywhere (as getopt permutes them); the expressions are moved to
 * the front of argv. Their count, or -1 (exit 2). */
static int
parse_args(int argc, char **argv, struct calendar_opts *o)
{
	int n = 0;
	bool options = true;

	for (int i = 1; i < argc; i++) {
		const char *v;
		char *end;

		if (!options || argv[i][0] != '-' || !argv[i][1])
			argv[n++] = argv[i];
		else if (!strcmp(argv[i], "--"))
			options = false;
		else if (!strcmp(argv[i], "--json"))
			o->json = true;
		else if ((v = option_value(argc, argv, &i, "--iterations"))) {
			unsigned long k = strtoul(v, &end, 10);

			if (!*v || *end || k == 0 || k > 100000) {
				fprintf(stderr, "klein-porter: invalid --iterations '%s'\n", v);
				return -1;
			}
			o->iterations = (unsigned)k;
		} else if ((v = option_value(argc, argv, &i, "--base-time"))) {
			if (timestamp_parse(v, timestamp_now(), &o->base) < 0) {
				fprintf(stderr, "Failed to parse --base-time= parameter: %s\n", v);
				return -1;
			}
		} else {
			fprintf(stderr, "klein-porter: unknown option '%s'\n", argv[i]);
			return -1;
		}
	}
	if (n == 0)
		fprintf(stderr, "klein-porter: calendar needs at least one expression\n");
	return n ? n : -1;
}

/* What else the text is, as systemd-analyze hints after a parse error. */
static void
hint(const char *expr)
{
	uint64_t u;

	if (timestamp_parse(expr, timestamp_now(), &u) == 0)
		fprintf(stderr,
			"Hint: this expression is a valid timestamp. Use 'systemd-analyze "
			"timestamp \"%s\"' instead?\n",
			expr);
	if (parse_sec(expr, &u) == 0)
		fprintf(stderr,
			"Hint: this expression is a valid timespan. Use 'systemd-analyze "
			"timespan \"%s\"' instead?\n",
			expr);
}

static void
json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* The elapses after base, at most o->iterations: the count, or -errno
 * other than -ENOENT (which only ends the list). */
static int
elapses(const struct calendar_spec *c, const struct calendar_opts *o, uint64_t *next)
{
	uint64_t n = o->base;
	unsigned i;

	for (i = 0; i < o->iterations; i++) {
		int r = calendar_next(c, n, &next[i]);

		if (r == -ENOENT)
			break;
		if (r < 0)
			return r;
		n = next[i];
	}
	return (int)i;
}

static void
print_text(const char *expr, const char *norm, const uint64_t *next, int count,
	   const struct calendar_opts *o)
{
	char buf[TIMESTAMP_MAX];
	bool utc_here;

	tzset();
	utc_here = timezone == 0 && daylight == 0;
	if (strcmp(expr, norm))
		printf("%16s %s\n", "Original form:", expr);
	printf("%16s %s\n", "Normalized form:", norm);
	if (count == 0)
		printf("%16s never\n", "Next elapse:");
	for (int i = 0; i < count; i++) {
		char label[32];

		snprintf(label, sizeof(label), "Iter. #%d:", i + 1);
		printf("%16s %s\n", i == 0 ? "Next elapse:" : label,
		       timestamp_format(next[i], false, buf));
		if (!utc_here)
			printf("%16s %s\n", "(in UTC):", timestamp_format(next[i], true, buf));
		printf("%16s %s\n", "From now:", timestamp_format_relative(next[i], o->base, buf));
	}
}

static void
print_json(const char *expr, const char *norm, const uint64_t *next, int count, int err)
{
	char buf[TIMESTAMP_MAX];

	printf("{\"original\": ");
	json_string(expr);
	if (norm) {
		printf(", \"normalized\": ");
		json_string(norm);
	}
	if (err) {
		printf(", \"error\": ");
		json_string(strerror(-err));
	} else {
		printf(", \"next\": [");
		for (int i = 0; i < count; i++)
			printf("%s\"%s\"", i ? ", " : "", timestamp_format_rfc3339(next[i], buf));
		printf("]");
	}
	printf("}");
}

/* One expression: 0, or -errno after its message (text mode). */
static int
one(const char *expr, const struct calendar_opts *o, uint64_t *next)
{
	struct calendar_spec *c = NULL;
	char *norm = NULL;
	int r, count = 0;

	r = calendar_parse(expr, &c);
	if (r < 0 && !o->json) {
		fprintf(stderr, "Failed to parse calendar specification '%s': %s\n", expr,
			strerror(-r));
		hint(expr);
	}
	if (r == 0)
		r = calendar_format(c, &norm);
	if (r == 0)
		r = count = elapses(c, o, next);
	if (r == -EDEADLK && !o->json)
		fprintf(stderr, "Infinite loop in calendar calculation: %s\n", norm);
	if (r < 0 && norm && !o->json)
		fprintf(stderr, "Failed to determine next elapse for '%s': %s\n", expr,
			strerror(-r));
	if (o->json)
		print_json(expr, norm, next, count, r < 0 ? r : 0);
	else if (r >= 0)
		print_text(expr, norm, next, count, o);
	free(norm);
	calendar_free(c);
	return r < 0 ? r : 0;
}

int
cmd_calendar(int argc, char **argv)
{
	struct calendar_opts o = { .iterations = 1 };
	uint64_t *next;
	int count, ret = 0;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout, 0);
	o.base = timestamp_now();
	count = parse_args(argc, argv, &o);
	if (count < 0)
		return usage(stderr, 2);
	next = calloc(o.iterations, sizeof(*next));
	if (!next) {
		fprintf(stderr, "klein-porter: out of memory\n");
		return 3;
	}
	if (o.json)
		printf("[");
	for (int i = 0; i < count; i++) {
		if (one(argv[i], &o, next) < 0)
			ret = 1;
		if (i + 1 < count)
			fputs(o.json ? ",\n " : "\n", stdout);
	}
	if (o.json)
		printf("]\n");
	free(next);
	return ret;
}
