/* SPDX-License-Identifier: MIT */
/* klein-svc: the runtime helper that converted services call; subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	/* clang-format off: one subcommand a line */
	{ "exec", cmd_exec },	  { "supervise", cmd_supervise },
	{ "stop", cmd_stop },	  { "health", cmd_health },
	{ "timer", cmd_timer },	  { "listen", cmd_listen },
	{ "accept", cmd_accept }, { "log", cmd_log },
	{ "reload", cmd_reload },
	/* clang-format on */
};

static int
usage(FILE *f, int code)
{
	fputs("usage: klein-svc exec [OPTIONS] -- COMMAND...\n"
	      "       klein-svc supervise --type forking|notify [OPTIONS] -- COMMAND...\n"
	      "       klein-svc stop [OPTIONS] PID\n"
	      "       klein-svc reload [--signal SIG] [--wait yes|no|if-reloading] [OPTIONS] [PID]\n"
	      "       klein-svc health [--timeout SEC] [SERVICE_DIR]\n"
	      "       klein-svc timer --unit-dir DIR [--on-calendar EXPR]... [OPTIONS]\n"
	      "       klein-svc listen --control PATH --name UNIT LISTEN-OPTIONS...\n"
	      "       klein-svc accept LISTEN-OPTIONS... -- COMMAND...\n"
	      "       klein-svc log [--dir DIR] [--max-size BYTES] NAME\n"
	      "See docs/runtime.md for the options and exit codes.\n",
	      f);
	return code;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, SVC_EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, 0);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "klein-svc: unknown command '%s'\n", argv[1]);
	return usage(stderr, SVC_EXIT_USAGE);
}
