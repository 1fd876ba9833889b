/* SPDX-License-Identifier: MIT */
/* klein-porter: dispatch to a subcommand; each cmd_*.c owns its arguments. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "inspect", cmd_inspect, "print how systemd 252 reads a unit, as JSON" },
	{ "convert", cmd_convert, "write runit service directories from units" },
	{ "calendar", cmd_calendar, "normalize calendar events, list next elapses" },
};

static int
usage(FILE *f, int code)
{
	fprintf(f, "usage: klein-porter COMMAND [OPTIONS] ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nklein-porter COMMAND --help describes a command and its exit codes.\n");
	return code;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "--version")) {
		printf("klein-porter %s\n", KLEIN_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "klein-porter: unknown command '%s'\n", argv[1]);
	return usage(stderr, 2);
}
