/* SPDX-License-Identifier: MIT */
/* translate.c: the rule table on hand-built units: mapped, approximated,
 * dropped and unknown directives, refusals, and their file:line warnings. */
/* Fixtures point plan and tree fields at string literals. */
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "translate.h"

#define MAXS 32
static struct setting settings[MAXS];
static char *values[MAXS][4];
static char *argv_main[] = { (char *)"/usr/bin/demo", (char *)"--flag", NULL };
static struct exec_command start_cmd = {
	(char *)"/usr/bin/demo", argv_main, 2, 0, { "/u/demo.service", 9 }
};
static struct exec_list exec_start = { "ExecStart", &start_cmd, 1 };

static void
unit_init(struct unit *u)
{
	memset(u, 0, sizeof(*u));
	u->name = (char *)"demo.service";
	u->fragment = (char *)"/u/demo.service";
	u->state = UNIT_LOADED;
	u->settings = settings;
	u->exec = &exec_start;
	u->n_exec = 1;
}

/* Adds SECTION/KEY=VALUE set at line LINE of /u/demo.service. */
static void
set(struct unit *u, const char *section, const char *key, const char *value, unsigned line)
{
	struct setting *s = &settings[u->n_settings];
	values[u->n_settings][0] = (char *)value;
	s->section = section;
	s->key = key;
	s->values = values[u->n_settings];
	s->n_values = 1;
	s->loc.file = "/u/demo.service";
	s->loc.line = line;
	u->n_settings++;
}

static bool
has_diag(const struct diag *d, unsigned line, enum diag_severity sev, const char *text)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && d->v[i].severity == sev &&
		    strstr(d->v[i].message, text) &&
		    (!d->v[i].file || !strcmp(d->v[i].file, "/u/demo.service")))
			return true;
	return false;
}

static void
test_mapped(void)
{
	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	set(&u, "Unit", "Description", "Demo", 2);
	set(&u, "Unit", "Documentation", "man:demo(8)", 3);
	set(&u, "Service", "Type", "forking", 5);
	set(&u, "Service", "PIDFile", "demo.pid", 6);
	set(&u, "Service", "Restart", "on-failure", 7);
	set(&u, "Service", "RestartSec", "1min 30s", 8);
	set(&u, "Service", "User", "www-data", 10);
	set(&u, "Service", "UMask", "0027", 11);
	set(&u, "Service", "LimitNOFILE", "1024:4096", 12);
	set(&u, "Service", "LimitAS", "1G", 13);
	set(&u, "Service", "KillSignal", "SIGINT", 14);
	set(&u, "Service", "TimeoutSec", "20", 15);
	set(&u, "Service", "RuntimeDirectory", "a b/c ../x /abs", 16);
	set(&u, "Service", "RuntimeDirectoryMode", "0750", 17);
	set(&u, "Service", "SuccessExitStatus", "75 SIGUSR1", 18);
	set(&u, "Install", "WantedBy", "multi-user.target", 30);
	set(&u, "Unit", "Wants", "db.service network.target other.socket", 4);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	CHECK(p.type == PLAN_FORKING && !strcmp(p.type_name, "forking"));
	CHECK(!strcmp(p.pidfile, "/run/demo.pid"));
	CHECK(p.restart == PLAN_RESTART_ON_FAILURE && p.restart_usec == 90000000);
	CHECK(!strcmp(p.user, "www-data") && p.umask == 027);
	CHECK(p.n_rlimits == 2 && !strcmp(p.rlimits[0].name, "NOFILE") &&
	      !strcmp(p.rlimits[0].value, "1024:4096"));
	CHECK(!strcmp(p.rlimits[1].value, "1073741824:1073741824"));
	CHECK(p.kill_signal == 2);
	CHECK(p.timeout_stop_usec == 20000000 && p.timeout_start_usec == 20000000);
	CHECK(p.dirs[PLAN_DIR_RUNTIME].n == 2 && !strcmp(p.dirs[PLAN_DIR_RUNTIME].names[1], "b/c"));
	CHECK(p.dirs[PLAN_DIR_RUNTIME].mode == 0750);
	CHECK(has_diag(&d, 16, DIAG_WARNING,
		       "RuntimeDirectory=../x: path is absolute or not normalized"));
	CHECK(has_diag(&d, 16, DIAG_WARNING, "RuntimeDirectory=/abs"));
	CHECK(p.success_status.n_codes == 1 && p.success_status.codes[0] == 75);
	CHECK(p.success_status.n_signals == 1 && p.success_status.signals[0] == 10);
	/* A socket is the runit service NAME.socket (its holder): waited for, no warning. */
	CHECK(p.n_wants == 2 && !strcmp(p.wants[0], "db") && !strcmp(p.wants[1], "other.socket"));
	CHECK(!has_diag(&d, 4, DIAG_WARNING, "Wants=other.socket: dropped"));
	CHECK(!strcmp(p.description, "Demo") && !strcmp(p.name, "demo"));
	CHECK(p.start.n == 1 && !strcmp(p.start.v[0].argv[1], "--flag") && p.start.v[0].line == 9);
	CHECK(diag_count(&d, DIAG_ERROR) == 0);
	/* Forking with a PIDFile is faithful: no warning for it. */
	CHECK(d.n == 2);
	run_plan_done(&p);
	diag_done(&d);
}

static void
test_dropped_and_unknown(void)
{
	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	set(&u, "Service", "PrivateTmp", "yes", 20);
	set(&u, "Service", "MemoryMax", "1G", 21);
	set(&u, "Service", "Frobnicate", "1", 22);
	set(&u, "Service", "X-Custom", "1", 23);
	set(&u, "Service", "Type", "dbus", 24);
	set(&u, "Service", "Type", "bogus", 25);
	set(&u, "Service", "KillMode", "control-group", 26);
	set(&u, "Unit", "ConditionVirtualization", "!container", 27);
	set(&u, "Unit", "ConditionPathExists", "|!/etc/x", 28);
	set(&u, "Unit", "ConditionACPower", "true", 29);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	CHECK(has_diag(&d, 20, DIAG_WARNING, "PrivateTmp= dropped: sandboxing"));
	CHECK(has_diag(&d, 21, DIAG_WARNING, "MemoryMax= dropped: resource control"));
	CHECK(has_diag(&d, 22, DIAG_WARNING,
		       "[Service] Frobnicate= dropped: klein-porter does not know this directive"));
	CHECK(!has_diag(&d, 23, DIAG_WARNING, ""));
	CHECK(has_diag(&d, 24, DIAG_WARNING, "run as Type=simple"));
	CHECK(has_diag(&d, 25, DIAG_WARNING, "unknown service type, ignored"));
	CHECK(p.type == PLAN_SIMPLE && !strcmp(p.type_name, "dbus"));
	CHECK(has_diag(&d, 26, DIAG_WARNING, "process group"));
	CHECK(has_diag(&d, 27, DIAG_WARNING,
		       "Docker container (virtualization \"docker\"): false"));
	CHECK(has_diag(&d, 29, DIAG_WARNING, "assumed to hold"));
	CHECK(p.n_conds == 2 && p.conds[0].kind == PLAN_COND_CONST_FALSE);
	CHECK(p.conds[1].kind == PLAN_COND_PATH_EXISTS && p.conds[1].negate && p.conds[1].trigger &&
	      !strcmp(p.conds[1].value, "/etc/x"));
	run_plan_done(&p);
	diag_done(&d);
}

static void
test_refused(void)
{
	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	u.n_exec = 0;
	CHECK(translate_unit(&u, NULL, &p, &d) == -22);
	CHECK(has_diag(&d, 0, DIAG_ERROR, "no ExecStart="));
	diag_done(&d);

	unit_init(&u);
	set(&u, "Service", "Type", "oneshot", 3);
	set(&u, "Service", "Restart", "always", 4);
	CHECK(translate_unit(&u, NULL, &p, &d) == -22);
	CHECK(has_diag(&d, 0, DIAG_ERROR, "not allowed for Type=oneshot"));
	diag_done(&d);

	unit_init(&u);
	set(&u, "Service", "WorkingDirectory", "relative", 3);
	CHECK(translate_unit(&u, NULL, &p, &d) == -22);
	diag_done(&d);

	unit_init(&u);
	u.state = UNIT_MASKED;
	CHECK(translate_unit(&u, NULL, &p, &d) == -22);
	CHECK(has_diag(&d, 0, DIAG_ERROR, "is masked"));
	diag_done(&d);
}

static void
test_options(void)
{
	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	set(&u, "Service", "Type", "forking", 3);
	char *env[] = { (char *)"A=1" };
	struct translate_options o = { .log = "svlogd",
				       .restart = "always",
				       .type = "simple",
				       .exec_start = "/usr/sbin/nginx -g 'daemon off;'",
				       .env = env,
				       .n_env = 1 };
	CHECK(translate_unit(&u, &o, &p, &d) == 0);
	CHECK(p.type == PLAN_SIMPLE && p.log == PLAN_LOG_SVLOGD && p.restart_always_forced);
	CHECK(p.start.n == 1 && p.start.v[0].argc == 3 &&
	      !strcmp(p.start.v[0].argv[2], "daemon off;"));
	CHECK(p.n_env == 1 && !strcmp(p.env[0], "A=1"));
	run_plan_done(&p);
	diag_done(&d);
	char *n = translate_service_name("getty@tty1.service");
	CHECK(!strcmp(n, "getty@tty1"));
	free(n);
}

/* Start limits: systemd's defaults, [Unit] and old [Service] names,
 * StartLimitAction= other than none warns; EnvironmentFile= globs are
 * passed to klein-svc (which expands them) without a warning. */
static void
test_start_limit_and_env_glob(void)
{
	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	CHECK(p.start_limit_interval_usec == 10000000 && p.start_limit_burst == 5);
	run_plan_done(&p);
	diag_done(&d);

	unit_init(&u);
	set(&u, "Unit", "StartLimitIntervalSec", "1min", 3);
	set(&u, "Unit", "StartLimitBurst", "3", 4);
	set(&u, "Unit", "StartLimitAction", "none", 5);
	set(&u, "Service", "EnvironmentFile", "-/etc/default/demo.d/*.env", 6);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	CHECK(p.start_limit_interval_usec == 60000000 && p.start_limit_burst == 3);
	CHECK(p.n_env_files == 1 && !strcmp(p.env_files[0], "-/etc/default/demo.d/*.env"));
	CHECK(d.n == 0);
	run_plan_done(&p);
	diag_done(&d);

	unit_init(&u);
	/* Environment= values must be UTF-8 (systemd ignores the assignment otherwise). */
	char *env[] = { (char *)"BAD=\xff", (char *)"GOOD=\x01\x1b", (char *)"NC=\xef\xbf\xbe",
			(char *)"LONG=\xc0\xaf", (char *)"OK=\xc3\xbc\xf0\x9f\x98\x80" };
	u.environment = env, u.n_environment = 5;
	set(&u, "Service", "StartLimitInterval", "0", 3);
	set(&u, "Service", "StartLimitBurst", "many", 4);
	set(&u, "Unit", "StartLimitAction", "reboot", 5);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	CHECK(p.start_limit_interval_usec == 0 && p.start_limit_burst == 5);
	CHECK(p.n_env == 2 && !strcmp(p.env[0], "GOOD=\x01\x1b") && !strncmp(p.env[1], "OK=", 3));
	CHECK(has_diag(&d, 0, DIAG_WARNING, "Environment=BAD=...: Invalid environment assignment"));
	CHECK(has_diag(&d, 0, DIAG_WARNING, "Environment=NC=...") &&
	      has_diag(&d, 0, DIAG_WARNING, "Environment=LONG=..."));
	CHECK(has_diag(&d, 4, DIAG_WARNING, "StartLimitBurst=many: not a number"));
	CHECK(has_diag(&d, 5, DIAG_WARNING, "StartLimitAction=reboot: approximated as none"));
	run_plan_done(&p);
	diag_done(&d);
}

/* BindsTo=/Requisite= are Requires= with an honest warning; SendSIGKILL=no
 * is mapped (klein-svc stop --final-signal none), without a warning. */
static void
test_relations_and_sigkill(void)
{
	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	set(&u, "Unit", "BindsTo", "a.service", 3);
	set(&u, "Unit", "Requisite", "b.service", 4);
	set(&u, "Unit", "Requires", "c.service", 5);
	set(&u, "Service", "SendSIGKILL", "no", 6);
	set(&u, "Service", "RemainAfterExit", "true", 7);
	set(&u, "Service", "ExecSearchPath", "/opt/x/bin:/opt/y", 8);
	set(&u, "Service", "ExecSearchPath", "relative:/a", 9);
	set(&u, "Service", "ExecSearchPath", "/usr/bin", 10);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	CHECK(has_diag(&d, 0, DIAG_WARNING, "RemainAfterExit=yes with Type=simple approximated"));
	CHECK(p.n_requires == 3 && !strcmp(p.requires[0], "a") && !strcmp(p.requires[2], "c"));
	CHECK(has_diag(&d, 3, DIAG_WARNING, "BindsTo=a.service: approximated as Requires="));
	CHECK(has_diag(&d, 4, DIAG_WARNING, "Requisite=b.service: approximated as Requires="));
	CHECK(!has_diag(&d, 5, DIAG_WARNING, "") && !has_diag(&d, 6, DIAG_WARNING, ""));
	CHECK(!p.send_sigkill);
	CHECK(p.exec_search_path && !strcmp(p.exec_search_path, "/opt/x/bin:/opt/y:/usr/bin"));
	CHECK(has_diag(&d, 9, DIAG_WARNING,
		       "ExecSearchPath=relative:/a: not a list of absolute paths"));
	run_plan_done(&p);
	diag_done(&d);
}

/* L2: `SRC:DST` items as the loader writes them (`\:`/`\\` escaped in SRC). */
static void
test_dir_symlinks(void)
{
	char *src, *dst;
	CHECK(translate_dir_item("a\\:b\\\\c:d:e", &src, &dst) == 0);
	CHECK(src && !strcmp(src, "a:b\\c") && dst && !strcmp(dst, "d:e"));
	free(src), free(dst);
	CHECK(translate_dir_item("plain", &src, &dst) == 0 && !strcmp(src, "plain") && !dst);
	free(src), free(dst);

	struct unit u;
	struct diag d = { 0 };
	struct run_plan p;
	unit_init(&u);
	set(&u, "Service", "RuntimeDirectory", "a\\:b:c foo:bar foo:baz qq", 3);
	set(&u, "Service", "StateDirectory", "st:lnk/deep st:../up", 4);
	set(&u, "Service", "ConfigurationDirectory", "cfg:cl etc2", 5);
	CHECK(translate_unit(&u, NULL, &p, &d) == 0);
	const struct plan_dirs *rd = &p.dirs[PLAN_DIR_RUNTIME];
	/* Each source once (it is what $RUNTIME_DIRECTORY lists), every link kept. */
	CHECK(rd->n == 3 && !strcmp(rd->names[0], "a:b") && !strcmp(rd->names[1], "foo") &&
	      !strcmp(rd->names[2], "qq"));
	CHECK(rd->n_links == 3 && !strcmp(rd->links[0].src, "a:b") &&
	      !strcmp(rd->links[0].dst, "c"));
	CHECK(!strcmp(rd->links[1].src, "foo") && !strcmp(rd->links[1].dst, "bar"));
	CHECK(!strcmp(rd->links[2].src, "foo") && !strcmp(rd->links[2].dst, "baz"));
	const struct plan_dirs *sd = &p.dirs[PLAN_DIR_STATE];
	CHECK(sd->n == 1 && sd->n_links == 1 && !strcmp(sd->links[0].dst, "lnk/deep"));
	CHECK(has_diag(&d, 4, DIAG_WARNING,
		       "StateDirectory=st:../up: path is absolute or not normalized"));
	const struct plan_dirs *cd = &p.dirs[PLAN_DIR_CONFIGURATION];
	CHECK(cd->n == 1 && !strcmp(cd->names[0], "etc2") && cd->n_links == 0);
	CHECK(has_diag(
		&d, 5, DIAG_WARNING,
		"Destination parameter is not supported for ConfigurationDirectory, ignoring: cfg:cl"));
	CHECK(!has_diag(&d, 3, DIAG_WARNING, ""));
	run_plan_done(&p);
	diag_done(&d);
}

int
main(void)
{
	test_dir_symlinks();
	test_relations_and_sigkill();
	test_start_limit_and_env_glob();
	test_mapped();
	test_dropped_and_unknown();
	test_refused();
	test_options();
	return check_done();
}
