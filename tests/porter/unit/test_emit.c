/* SPDX-License-Identifier: MIT */
/* emit.c: shell quoting (every byte 1..255 reads back unchanged through sh)
 * and the shape of the generated scripts for hand-built plans. */
/* Fixtures point plan and tree fields at string literals. */
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "emit.h"

/* Runs `sh -c "printf %s QUOTED"` and returns what sh printed. */
static char *
sh_roundtrip(const char *s, size_t *len)
{
	struct emit_buf script = { 0 };
	emit_add(&script, "printf %s ");
	emit_quote(&script, s);
	int fds[2];
	if (pipe(fds) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl("/bin/sh", "sh", "-c", script.s, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char *out = malloc(4096);
	size_t n = 0;
	for (ssize_t r; out && (r = read(fds[0], out + n, 4095 - n)) > 0;)
		n += (size_t)r;
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	emit_buf_done(&script);
	if (out)
		out[n] = '\0';
	*len = n;
	return out;
}

static void
test_quote_every_byte(void)
{
	char all[256];
	for (int c = 1; c < 256; c++) {
		char s[8] = { 'a', (char)c, 'b', '\'', (char)c, '\0' };
		size_t n;
		char *out = sh_roundtrip(s, &n);
		CHECK(out && n == strlen(s) && !memcmp(out, s, n));
		free(out);
		all[c - 1] = (char)c;
	}
	all[255] = '\0';
	size_t n;
	char *out = sh_roundtrip(all, &n);
	CHECK(out && n == 255 && !memcmp(out, all, 255));
	free(out);
	/* Shell syntax inside a value stays data. */
	const char *evil[] = { "$(touch /tmp/x)", "`id`", "'; rm -rf / #", "\n", "", "''", "\\'" };
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		out = sh_roundtrip(evil[i], &n);
		CHECK(out && n == strlen(evil[i]) && !memcmp(out, evil[i], n));
		free(out);
	}
	struct emit_buf b = { 0 };
	emit_quote(&b, "it's");
	CHECK(!strcmp(b.s, "'it'\\''s'"));
	emit_buf_done(&b);
}

static char *argv_true[] = { (char *)"/bin/true", (char *)"$A", NULL };

static void
base_plan(struct run_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->unit = (char *)"demo.service";
	p->name = (char *)"demo";
	p->fragment = (char *)"/lib/systemd/system/demo.service";
	p->type_name = (char *)"simple";
	p->umask = -1;
	p->ignore_sigpipe = true;
	p->restart_usec = 100000;
	p->kill_signal = 15;
	p->final_kill_signal = 9;
	p->timeout_stop_usec = 90000000;
	p->timeout_start_usec = 90000000;
	p->send_sigkill = true;
}

static const struct emit_file *
find(const struct emit_tree *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].path, path))
			return &t->v[i];
	return NULL;
}

static void
test_simple_tree(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 2 };
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.user = (char *)"www-data";
	char *env[] = { (char *)"A=x y'z" };
	p.env = env, p.n_env = 1;
	struct emit_tree t;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	const struct emit_file *run = find(&t, "run");
	CHECK(run && run->mode == 0755 && !strncmp(run->text, "#!/bin/sh\n", 10));
	CHECK(run && strstr(run->text, "--env 'A=x y'\\''z'"));
	CHECK(run && !strstr(run->text, "PATH="));
	/* klein-svc computes initgroups' list at run time: no id(1), no chpst -u here. */
	CHECK(run && !strstr(run->text, "id -G") && !strstr(run->text, "chpst -u"));
	CHECK(run &&
	      strstr(run->text,
		     "exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$$\" \"$@\" --chpst-user 'www-data' --expand-from 1 -- '/bin/true' '$A'\n"));
	CHECK(run && strstr(run->text, "\nunset PWD\n"));
	CHECK(run && strstr(run->text, "--chdir '/' --umask 0022 --sigpipe ignore"));
	CHECK(find(&t, "finish") && find(&t, "control/t") && !find(&t, "check") &&
	      !find(&t, "control/h"));
	const struct emit_file *sup = find(&t, "supervise");
	CHECK(sup && sup->symlink && !strcmp(sup->text, "/run/runit/supervise/demo"));
	const struct emit_file *log = find(&t, "log/run");
	CHECK(log && strstr(log->text, "exec klein-svc log 'demo'\n"));
	const struct emit_file *ls = find(&t, "log/supervise");
	CHECK(ls && ls->symlink && !strcmp(ls->text, "/run/runit/supervise/demo.log"));
	emit_tree_done(&t);

	/* ExecSearchPath= becomes $PATH, before Environment= (which may override it). */
	p.exec_search_path = (char *)"/opt/bin:/usr/bin";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	run = find(&t, "run");
	CHECK(run && strstr(run->text, "--env 'PATH=/opt/bin:/usr/bin' \\\n\t--env 'A=x y'\\''z'"));
	emit_tree_done(&t);
	p.exec_search_path = NULL;

	/* ':' lines are not expanded; '@' gives chpst -b; inherit: no log/. */
	c.no_expand = true;
	p.user = NULL;
	p.log = PLAN_LOG_INHERIT;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	run = find(&t, "run");
	CHECK(run &&
	      strstr(run->text,
		     "exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$$\" \"$@\" --no-expand -- '/bin/true' '$A'\n"));
	CHECK(!find(&t, "log/run"));
	emit_tree_done(&t);
	char *argv_at[] = { (char *)"myname", (char *)"-x", NULL };
	struct plan_cmd at = {
		.path = (char *)"/bin/prog", .argv = argv_at, .argc = 2, .argv0_given = true
	};
	p.start.v = &at;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	run = find(&t, "run");
	CHECK(run && strstr(run->text, "--expand-from 2 -- chpst -b 'myname' '/bin/prog' '-x'\n"));
	emit_tree_done(&t);
}

/* User=/Group=/SupplementaryGroups= go to klein-svc --chpst-user/--groups;
 * '+' lines and PermissionsStartOnly= run as root; a numeric User= is kept. */
static void
test_identity(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 2 };
	struct plan_cmd pre = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 2 };
	struct plan_cmd bang = {
		.path = (char *)"/bin/echo", .argv = argv_true, .argc = 2, .as_root = true
	};
	struct plan_cmd root = { .path = (char *)"/bin/true",
				 .argv = argv_true,
				 .argc = 2,
				 .as_root = true,
				 .full_privileges = true };
	struct plan_cmd pres[] = { pre, root, bang };
	char *supp[] = { (char *)"tty", (char *)"123" };
	struct emit_tree t;
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.start_pre.v = pres, p.start_pre.n = 3;
	p.user = (char *)"1000";
	p.group = (char *)"adm";
	p.supplementary_groups = supp, p.n_supplementary_groups = 2;
	p.root_directory = (char *)"/srv/jail";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	const char *run = find(&t, "run")->text;
	/* the chroot stays in the command's chpst, which klein-svc merges -u into */
	CHECK(strstr(
		run,
		"exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$$\" \"$@\" --chpst-user '1000:adm' --groups 'tty,123' --expand-from 4 -- chpst -/ '/srv/jail' '/bin/true' '$A'\n"));
	CHECK(strstr(
		run,
		"(read -r xpid _ </proc/self/stat; exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$xpid\" \"$@\" --chpst-user '1000:adm' --groups 'tty,123' --expand-from 4 -- chpst -/ '/srv/jail' '/bin/true' '$A') || exit 1"));
	/* '+': root, no chroot; '!': root, still chrooted */
	CHECK(strstr(
		run,
		"(read -r xpid _ </proc/self/stat; exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$xpid\" \"$@\" --expand-from 1 -- '/bin/true' '$A') || exit 1"));
	CHECK(strstr(
		run,
		"(read -r xpid _ </proc/self/stat; exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$xpid\" \"$@\" --expand-from 4 -- chpst -/ '/srv/jail' '/bin/echo' '$A') || exit 1"));
	emit_tree_done(&t);
	p.permissions_start_only = true;
	p.root_directory = NULL;
	p.user = NULL;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	run = find(&t, "run")->text;
	CHECK(strstr(
		run,
		"exec klein-svc exec --env \"SYSTEMD_EXEC_PID=$$\" \"$@\" --chpst-user 'root:adm' --groups 'tty,123' --expand-from 1 -- '/bin/true' '$A'\n"));
	CHECK(!strstr(
		run,
		"--chpst-user 'root:adm' --groups 'tty,123' --expand-from 1 -- '/bin/true' '$A') || exit 1"));
	emit_tree_done(&t);
	/* User=root alone: HOME/USER/... from --user, but no credential change */
	p.user = (char *)"root";
	p.group = NULL;
	p.n_supplementary_groups = 0;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	run = find(&t, "run")->text;
	CHECK(strstr(run, "--user 'root'") && !strstr(run, "--chpst-user"));
	emit_tree_done(&t);
}

static void
test_types(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 1 };
	struct emit_tree t;
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.type = PLAN_FORKING;
	p.type_name = (char *)"forking";
	p.pidfile = (char *)"/run/x.pid";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(
		find(&t, "run")->text,
		"exec klein-svc supervise --type forking --pidfile '/run/x.pid' --timeout 90"));
	CHECK(find(&t, "check") &&
	      strstr(find(&t, "check")->text, "test -e supervise/klein.ready"));
	emit_tree_done(&t);

	p.type = PLAN_ONESHOT;
	p.pidfile = NULL;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(find(&t, "run")->text, "printf o >supervise/control\nexit 0\n"));
	CHECK(!find(&t, "check"));
	emit_tree_done(&t);
	p.remain_after_exit = true;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(find(&t, "run")->text, "while :; do sleep 3600 & wait \"$!\"; done"));
	CHECK(find(&t, "check"));
	emit_tree_done(&t);
}

static void
test_finish_and_stop(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 1 };
	struct emit_tree t;
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.restart = PLAN_RESTART_ON_FAILURE;
	p.restart_usec = 2500000;
	int prevent[] = { 255 };
	p.restart_prevent.codes = prevent, p.restart_prevent.n_codes = 1;
	p.kill_signal = 2;
	p.send_sighup = true;
	p.timeout_stop_usec = 5000000;
	p.kill_mode = (char *)"mixed";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	const char *f = find(&t, "finish")->text;
	CHECK(strstr(f, "[ \"$clean\" = yes ] || restart=yes\n"));
	CHECK(strstr(f, "case \" $code \" in *\" 255 \"*) restart=no ;; esac"));
	CHECK(strstr(f, "yes) sleep 2.5 ;;"));
	CHECK(strstr(f, "no) printf d >supervise/control ;;"));
	CHECK(strstr(find(&t, "control/t")->text,
		     "exec klein-svc stop --signal SIGINT --final-signal SIGKILL --timeout 5 --mode mixed --sighup \"$pid\"\n") ||
	      strstr(find(&t, "control/t")->text,
		     "exec klein-svc stop --signal INT --final-signal KILL --timeout 5 --mode mixed --sighup \"$pid\"\n"));
	emit_tree_done(&t);
	/* stdout and stderr to the same file: opened once (stderr dups stdout) */
	p.out.kind = p.err.kind = PLAN_IO_FILE;
	p.out.path = p.err.path = (char *)"/var/log/x.log";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(find(&t, "run")->text, "exec 1<>'/var/log/x.log'\nexec 2>&1\n"));
	emit_tree_done(&t);
	p.err.path = (char *)"/var/log/y.log";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(find(&t, "run")->text,
		     "exec 1<>'/var/log/x.log'\nexec 2<>'/var/log/y.log'\n"));
	emit_tree_done(&t);
	p.out.kind = p.err.kind = PLAN_IO_DEFAULT;
	p.out.path = p.err.path = NULL;
	/* SendSIGKILL=no: no final kill at all */
	p.send_sigkill = false;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(find(&t, "control/t")->text, "--final-signal none --timeout 5"));
	emit_tree_done(&t);
}

/* Runs the generated finish N times in a fake service directory (supervise/
 * a plain directory, supervise/control a plain file) as runsv would after a
 * crash (exit 1); returns after which run finish first wrote 'd' (stay down),
 * or 0 if it never did. limit_state: written to supervise/klein.limit first. */
static int
finish_runs_until_down_args(const struct run_plan *p, int n, const char *limit_state,
			    const char *args)
{
	char dir[] = "/tmp/klein-emit-XXXXXX", path[256];
	struct emit_tree t;
	int down = 0;
	if (!mkdtemp(dir) || emit_tree(p, NULL, &t) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/supervise", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/finish", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(find(&t, "finish")->text, f);
		fclose(f);
	}
	emit_tree_done(&t);
	if (limit_state) {
		snprintf(path, sizeof(path), "%s/supervise/klein.limit", dir);
		if ((f = fopen(path, "w")))
			fputs(limit_state, f), fclose(f);
	}
	for (int i = 1; i <= n && !down; i++) {
		char cmd[512];
		snprintf(
			cmd, sizeof(cmd),
			"cd %s && sh finish %s >/dev/null && grep -q d supervise/control 2>/dev/null",
			dir, args);
		if (system(cmd) == 0)
			down = i;
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	return down;
}

static int
finish_runs_until_down(const struct run_plan *p, int n, const char *limit_state)
{
	return finish_runs_until_down_args(p, n, limit_state, "1 0");
}

/* klein-svc supervise re-raises the daemon's signal: for forking/notify a real
 * exit 143 is a failure (restarted by on-failure), -1 15 (SIGTERM) is clean. */
static void
test_supervise_status(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/false", .argv = argv_true, .argc = 1 };
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.type = PLAN_FORKING;
	p.restart = PLAN_RESTART_ON_FAILURE;
	p.restart_usec = 0;
	CHECK(finish_runs_until_down_args(&p, 1, NULL, "143 0") == 0);
	CHECK(finish_runs_until_down_args(&p, 1, NULL, "-1 15") == 1);
	p.type = PLAN_NOTIFY;
	CHECK(finish_runs_until_down_args(&p, 1, NULL, "130 0") == 0);
	CHECK(finish_runs_until_down_args(&p, 1, NULL, "-1 6") == 0);
	CHECK(finish_runs_until_down_args(&p, 1, NULL, "0 0") == 1);
}

/* systemd's start limit: 5 starts in 10 s by default, then the unit fails
 * and stays down; StartLimitBurst=/IntervalSec= override, 0 disables it,
 * an expired window starts over, porter.conf restart = "always" ignores it. */
static void
test_start_limit(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/false", .argv = argv_true, .argc = 1 };
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.restart = PLAN_RESTART_ALWAYS;
	p.restart_usec = 0;
	p.start_limit_interval_usec = 10000000;
	p.start_limit_burst = 5;
	CHECK(finish_runs_until_down(&p, 8, NULL) == 5);
	p.start_limit_burst = 2;
	CHECK(finish_runs_until_down(&p, 8, NULL) == 2);
	/* a window that opened long ago (1/100 s after boot) is over: counting restarts */
	CHECK(finish_runs_until_down(&p, 1, "1 2\n") == 0);
	p.start_limit_interval_usec = PLAN_INFINITY;
	CHECK(finish_runs_until_down(&p, 1, "1 1\n") == 1);
	p.start_limit_interval_usec = 0;
	CHECK(finish_runs_until_down(&p, 8, NULL) == 0);
	p.start_limit_interval_usec = 10000000;
	p.restart_always_forced = true;
	CHECK(finish_runs_until_down(&p, 8, NULL) == 0);
	/* Restart=no goes down at once, with or without the limit */
	p.restart_always_forced = false;
	p.restart = PLAN_RESTART_NO;
	CHECK(finish_runs_until_down(&p, 8, NULL) == 1);
}

static void
test_comment_injection(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 1 };
	struct emit_tree t;
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	p.description = (char *)"evil\nrm -rf /";
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(strstr(find(&t, "run")->text, "# evil?rm -rf /\n"));
	emit_tree_done(&t);
}

/* L2: `SRC:DST` items become relative symlinks (made idempotently, never into an
 * existing directory), removed with RuntimeDirectory=; $*_DIRECTORY lists SRC only. */
static void
test_dir_symlinks(void)
{
	struct run_plan p;
	struct plan_cmd c = { .path = (char *)"/bin/true", .argv = argv_true, .argc = 1 };
	struct emit_tree t;
	base_plan(&p);
	p.start.v = &c, p.start.n = 1;
	char *rnames[] = { (char *)"foo" }, *snames[] = { (char *)"st" };
	struct plan_dir_link rl[] = { { (char *)"foo", (char *)"bar" } };
	struct plan_dir_link sl[] = { { (char *)"st", (char *)"lnk/deep" } };
	p.dirs[PLAN_DIR_RUNTIME].names = rnames, p.dirs[PLAN_DIR_RUNTIME].n = 1;
	p.dirs[PLAN_DIR_RUNTIME].links = rl, p.dirs[PLAN_DIR_RUNTIME].n_links = 1;
	p.dirs[PLAN_DIR_STATE].names = snames, p.dirs[PLAN_DIR_STATE].n = 1;
	p.dirs[PLAN_DIR_STATE].links = sl, p.dirs[PLAN_DIR_STATE].n_links = 1;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	const char *r = find(&t, "run")->text, *f = find(&t, "finish")->text;
	CHECK(strstr(
		r,
		"if ! { mkdir -p '/run' && { [ \"$(readlink '/run/bar')\" = 'foo' ] || "
		"ln -sT 'foo' '/run/bar'; }; }; then echo 'RuntimeDirectory= symlink failed'; exit 1; fi\n"));
	CHECK(strstr(
		r,
		"mkdir -p '/var/lib/lnk' && { [ \"$(readlink '/var/lib/lnk/deep')\" = '../st' ] || "
		"ln -sT '../st' '/var/lib/lnk/deep'; }"));
	/* the link comes after its directory */
	CHECK(strstr(r, "ln -sT 'foo'") > strstr(r, "mkdir -p '/run/foo'"));
	CHECK(strstr(r, "--env 'RUNTIME_DIRECTORY=/run/foo' \\\n"));
	CHECK(strstr(r, "--env 'STATE_DIRECTORY=/var/lib/st' \\\n"));
	CHECK(strstr(f, "rm -rf '/run/foo'\nrm -f '/run/bar'\n"));
	CHECK(!strstr(f, "lnk/deep"));
	emit_tree_done(&t);
	p.runtime_preserve = 1;
	CHECK(emit_tree(&p, NULL, &t) == 0);
	CHECK(!strstr(find(&t, "finish")->text, "rm -f '/run/bar'"));
	emit_tree_done(&t);
}

int
main(void)
{
	test_dir_symlinks();
	test_quote_every_byte();
	test_simple_tree();
	test_identity();
	test_types();
	test_finish_and_stop();
	test_start_limit();
	test_supervise_status();
	test_comment_injection();
	return check_done();
}
