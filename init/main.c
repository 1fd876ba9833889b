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
	"      --service-dir DIR    runsvdir's directory (KLEIN_SERVICE_DIR; " INIT_DEFAULT_SERVICE_DIR
	")\n"
	"      --env-dir DIR        environment export (KLEIN_ENV_DIR; " INIT_DEFAULT_ENV_DIR ")\n"
	"      --stop-timeout SECS  whole-stop deadline (KLEIN_STOP_TIMEOUT; 7)\n"
	"      --script-failure abort|warn  (KLEIN_SCRIPT_FAILURE; abort)\n"
	"      --forward-signals command|group  forward signals to COMMAND or to\n"
	"                           its process group (KLEIN_FORWARD_SIGNALS; command)\n"
	"      --log-level error|warn|info|debug  (KLEIN_LOG_LEVEL; info)\n"
	"  -h, --help               this text\n"
	"  -V, --version            the version\n"
	"\n"
	"signals:\n"
	"  SIGTERM, SIGINT, SIGPWR  stop everything (deadline: --stop-timeout)\n"
	"  with COMMAND, every other catchable signal is forwarded to it (or to\n"
	"    its process group); without one, these go as runsv's control\n"
	"    commands, like `sv hup`, to the services that have an executable\n"
	"    control/C (runsv runs it; if it exits non-zero, runsv signals the\n"
	"    service); the others are skipped: SIGHUP h, SIGUSR1 1, SIGUSR2 2,\n"
	"    SIGQUIT q, SIGALRM a, SIGCONT c; the rest are ignored\n"
	"\n"
	"exit status:\n"
	"  with COMMAND, when it ends by itself: its exit status, 128+N if it\n"
	"    died of signal N, 126 if it cannot be executed, 127 if not found\n"
	"  0  stop requested (SIGTERM/SIGINT/SIGPWR); everything ended in time\n"
	"  1  usage, config or setup error (nothing started), runsvdir\n"
	"     cannot be executed, or the init directory cannot be read\n"
	"  2  a startup script failed (script_failure = abort)\n"
	"  3  stop requested, but something had to be SIGKILLed at the deadline\n";

/* Flags are remembered by index, then applied after file and environment. */
enum flag {
	FLAG_CONFIG,
	FLAG_INIT_DIR,
	FLAG_SERVICE_DIR,
	FLAG_ENV_DIR,
	FLAG_STOP_TIMEOUT,
	FLAG_SCRIPT_FAILURE,
	FLAG_FORWARD_SIGNALS,
	FLAG_LOG_LEVEL,
	FLAG_COUNT,
};
#define FLAG_OPT 256 /* getopt value of flag i: FLAG_OPT + i */

struct flags {
	const char *v[FLAG_COUNT];
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, FLAG_OPT + FLAG_CONFIG },
	{ "init-dir", required_argument, NULL, FLAG_OPT + FLAG_INIT_DIR },
	{ "service-dir", required_argument, NULL, FLAG_OPT + FLAG_SERVICE_DIR },
	{ "env-dir", required_argument, NULL, FLAG_OPT + FLAG_ENV_DIR },
	{ "stop-timeout", required_argument, NULL, FLAG_OPT + FLAG_STOP_TIMEOUT },
	{ "script-failure", required_argument, NULL, FLAG_OPT + FLAG_SCRIPT_FAILURE },
	{ "forward-signals", required_argument, NULL, FLAG_OPT + FLAG_FORWARD_SIGNALS },
	{ "log-level", required_argument, NULL, FLAG_OPT + FLAG_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int
parse_args(int argc, char **argv, struct flags *f, char ***ret_command)
{
	int c;

	/* "+": the first non-option starts COMMAND, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		if (c == 'c')
			c = FLAG_OPT + FLAG_CONFIG;
		if (c >= FLAG_OPT && c < FLAG_OPT + FLAG_COUNT) {
			f->v[c - FLAG_OPT] = optarg;
		} else if (c == 'h') {
			fputs(usage_text, stdout);
			exit(0);
		} else if (c == 'V') {
			puts("klein-init " KLEIN_VERSION);
			exit(0);
		} else {
			fputs("usage: klein-init [options] [--] [COMMAND [ARG...]]; see --help\n",
			      stderr);
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

/* Logs "--name: invalid value" when r says so; returns r. */
static int
flag_result(int r, const char *name, const char *value)
{
	if (r < 0)
		log_msg(LOGLVL_ERROR, "--%s: invalid value '%s'", name, value);
	return r;
}

static int
apply_flags(const struct flags *f, struct init_opts *o)
{
	const char *const *v = f->v;

	if (apply_dir_flag(&o->init_dir, "init-dir", v[FLAG_INIT_DIR]) ||
	    apply_dir_flag(&o->service_dir, "service-dir", v[FLAG_SERVICE_DIR]) ||
	    apply_dir_flag(&o->env_dir, "env-dir", v[FLAG_ENV_DIR]))
		return -EINVAL;
	if (v[FLAG_STOP_TIMEOUT] &&
	    flag_result(config_parse_seconds(v[FLAG_STOP_TIMEOUT], &o->stop_timeout_ms),
			"stop-timeout", v[FLAG_STOP_TIMEOUT]))
		return -EINVAL;
	if (v[FLAG_SCRIPT_FAILURE] &&
	    flag_result(config_parse_failure(v[FLAG_SCRIPT_FAILURE], &o->script_failure_warn),
			"script-failure", v[FLAG_SCRIPT_FAILURE]))
		return -EINVAL;
	if (v[FLAG_FORWARD_SIGNALS] &&
	    flag_result(config_parse_forward(v[FLAG_FORWARD_SIGNALS], &o->forward_group),
			"forward-signals", v[FLAG_FORWARD_SIGNALS]))
		return -EINVAL;
	if (v[FLAG_LOG_LEVEL] &&
	    flag_result(config_parse_log_level(v[FLAG_LOG_LEVEL], &o->log_level), "log-level",
			v[FLAG_LOG_LEVEL]))
		return -EINVAL;
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
	struct flags f = { { NULL } };
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
	config = f.v[FLAG_CONFIG] ? f.v[FLAG_CONFIG] : getenv("KLEIN_CONFIG");
	if (config_load_file(&o, config ? config : INIT_DEFAULT_CONFIG, config != NULL) < 0 ||
	    config_apply_env(&o) < 0 || apply_flags(&f, &o) < 0) {
		init_opts_done(&o);
		return INIT_EXIT_FAILURE;
	}
	code = init_run(&o);
	init_opts_done(&o);
	return code;
}
