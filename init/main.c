/* SPDX-License-Identifier: MIT */
/* klein-init's CLI: argv, environment and config file -> struct init_opts. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"

#ifndef KLEIN_VERSION
#define KLEIN_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"usage: klein-init [options] [--] [COMMAND [ARG...]]\n"
	"\n"
	"Runs the startup scripts of the init directory, writes the container\n"
	"environment, starts runsvdir on the service directory and, with a\n"
	"COMMAND, runs it; stops everything on SIGTERM, SIGINT or SIGPWR.\n"
	"\n"
	"options (override KLEIN_* variables, which override the config file):\n"
	"  -c, --config FILE        config file (KLEIN_CONFIG; default " INIT_DEFAULT_CONFIG ")\n"
	"      --init-dir DIR       startup scripts (KLEIN_INIT_DIR; " INIT_DEFAULT_INIT_DIR ")\n"
	"      --service-dir DIR    runsvdir's directory (KLEIN_SERVICE_DIR; " INIT_DEFAULT_SERVICE_DIR ")\n"
	"      --env-dir DIR        environment export (KLEIN_ENV_DIR; " INIT_DEFAULT_ENV_DIR ")\n"
	"      --stop-timeout SECS  whole-stop deadline (KLEIN_STOP_TIMEOUT; 7)\n"
	"      --script-failure abort|warn  (KLEIN_SCRIPT_FAILURE; abort)\n"
	"      --log-level error|warn|info|debug  (KLEIN_LOG_LEVEL; info)\n"
	"  -h, --help               this text\n"
	"  -V, --version            the version\n"
	"\n"
	"exit status:\n"
	"  with COMMAND, when it ends by itself: its exit status, 128+N if it\n"
	"    died of signal N, 126 if it cannot be executed, 127 if not found\n"
	"  0  stop requested (SIGTERM/SIGINT/SIGPWR); everything ended in time\n"
	"  1  usage, config or setup error (nothing started), or runsvdir\n"
	"     cannot be executed\n"
	"  2  a startup script failed (script_failure = abort)\n"
	"  3  stop requested, but something had to be SIGKILLed at the deadline\n";

enum {
	OPT_INIT_DIR = 256,
	OPT_SERVICE_DIR,
	OPT_ENV_DIR,
	OPT_STOP_TIMEOUT,
	OPT_SCRIPT_FAILURE,
	OPT_LOG_LEVEL,
};

/* Flags are remembered, then applied after file and environment. */
struct flags {
	const char *config;
	const char *init_dir, *service_dir, *env_dir;
	const char *stop_timeout, *script_failure, *log_level;
};

static int
parse_args(int argc, char **argv, struct flags *f, char ***ret_command)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "init-dir", required_argument, NULL, OPT_INIT_DIR },
		{ "service-dir", required_argument, NULL, OPT_SERVICE_DIR },
		{ "env-dir", required_argument, NULL, OPT_ENV_DIR },
		{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
		{ "script-failure", required_argument, NULL, OPT_SCRIPT_FAILURE },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* "+": the first non-option starts COMMAND, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': f->config = optarg; break;
		case OPT_INIT_DIR: f->init_dir = optarg; break;
		case OPT_SERVICE_DIR: f->service_dir = optarg; break;
		case OPT_ENV_DIR: f->env_dir = optarg; break;
		case OPT_STOP_TIMEOUT: f->stop_timeout = optarg; break;
		case OPT_SCRIPT_FAILURE: f->script_failure = optarg; break;
		case OPT_LOG_LEVEL: f->log_level = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': puts("klein-init " KLEIN_VERSION); exit(0);
		default:
			fputs("usage: klein-init [options] [--] [COMMAND [ARG...]]; "
			      "see --help\n", stderr);
			return -EINVAL;
		}
	}
	*ret_command = optind < argc ? argv + optind : NULL;
	return 0;
}

static int
apply_dir_flag(char **slot, const char *flag, const char *value)
{
	if (!value)
		return 0;
	if (value[0] != '/') {
		log_msg(LOGLVL_ERROR, "--%s: must be an absolute path, got '%s'", flag, value);
		return -EINVAL;
	}
	return config_set_str(slot, value);
}

static int
apply_flags(const struct flags *f, struct init_opts *o)
{
	if (apply_dir_flag(&o->init_dir, "init-dir", f->init_dir) ||
	    apply_dir_flag(&o->service_dir, "service-dir", f->service_dir) ||
	    apply_dir_flag(&o->env_dir, "env-dir", f->env_dir))
		return -EINVAL;
	if (f->stop_timeout && config_parse_seconds(f->stop_timeout, &o->stop_timeout_ms)) {
		log_msg(LOGLVL_ERROR, "--stop-timeout: invalid value '%s'", f->stop_timeout);
		return -EINVAL;
	}
	if (f->script_failure &&
	    config_parse_failure(f->script_failure, &o->script_failure_warn)) {
		log_msg(LOGLVL_ERROR, "--script-failure: invalid value '%s'",
			f->script_failure);
		return -EINVAL;
	}
	if (f->log_level && config_parse_log_level(f->log_level, &o->log_level)) {
		log_msg(LOGLVL_ERROR, "--log-level: invalid value '%s'", f->log_level);
		return -EINVAL;
	}
	return 0;
}

static void
block_signals(void)
{
	/* Faults stay deliverable: blocking them would only hide a crash. */
	static const int faults[] = {
		SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS,
	};
	sigset_t set;

	sigfillset(&set);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		sigdelset(&set, faults[i]);
	(void)sigprocmask(SIG_SETMASK, &set, NULL);
}

int
main(int argc, char **argv)
{
	struct flags f = { 0 };
	struct init_opts o;
	const char *config;
	int code;

	/* First: a SIGTERM during startup waits in the signalfd. */
	block_signals();
	if (config_defaults(&o) < 0) {
		log_msg(LOGLVL_ERROR, "out of memory");
		return INIT_EXIT_FAILURE;
	}
	if (parse_args(argc, argv, &f, &o.command) < 0) {
		init_opts_done(&o);
		return INIT_EXIT_FAILURE;
	}
	config = f.config ? f.config : getenv("KLEIN_CONFIG");
	if (config_load_file(&o, config ? config : INIT_DEFAULT_CONFIG, config != NULL) < 0 ||
	    config_apply_env(&o) < 0 || apply_flags(&f, &o) < 0) {
		init_opts_done(&o);
		return INIT_EXIT_FAILURE;
	}
	code = init_run(&o);
	init_opts_done(&o);
	return code;
}
