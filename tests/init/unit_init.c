/* SPDX-License-Identifier: MIT */
/* Unit tests of init_core: status, config, quoting, script filter, signal relay, /run. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "init.h"

static void
test_status(void)
{
	char buf[64];

	for (int code = 0; code < 256; code++)
		CHECK_INT_EQ(status_exit_code(code << 8), code);
	CHECK_INT_EQ(status_exit_code(SIGKILL), 137);
	CHECK_INT_EQ(status_exit_code(SIGTERM), 143);
	CHECK_INT_EQ(status_exit_code(SIGSEGV | 0x80), 128 + SIGSEGV);
	CHECK_INT_EQ(status_exec_code(ENOENT), 127);
	CHECK_INT_EQ(status_exec_code(ENOTDIR), 127);
	CHECK_INT_EQ(status_exec_code(EACCES), 126);
	CHECK_INT_EQ(status_exec_code(ENOEXEC), 126);
	status_describe(3 << 8, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "exit status 3");
	status_describe(SIGTERM, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "killed by SIGTERM");
	CHECK_STR_EQ(status_signal_name(SIGUSR1, buf, sizeof(buf)), "SIGUSR1");
}

static void
test_config_values(void)
{
	unsigned ms = 42;
	enum log_level l = LOGLVL_ERROR;
	bool warn = false;

	CHECK_INT_EQ(config_parse_seconds("7", &ms), 0);
	CHECK_INT_EQ(ms, 7000);
	CHECK_INT_EQ(config_parse_seconds("2.5", &ms), 0);
	CHECK_INT_EQ(ms, 2500);
	CHECK_INT_EQ(config_parse_seconds("0.125", &ms), 0);
	CHECK_INT_EQ(ms, 125);
	CHECK_INT_EQ(config_parse_seconds(".5", &ms), 0);
	CHECK_INT_EQ(ms, 500);
	ms = 1;
	CHECK_INT_EQ(config_parse_seconds("0", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("abc", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("5s", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("-1", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("1.", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("0.0001", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("99999999999", &ms), -EINVAL);
	CHECK_INT_EQ(config_parse_seconds("3601", &ms), -EINVAL);
	CHECK_INT_EQ(ms, 1); /* untouched on failure */
	CHECK_INT_EQ(config_parse_log_level("debug", &l), 0);
	CHECK_INT_EQ(l, LOGLVL_DEBUG);
	CHECK_INT_EQ(config_parse_log_level("warn", &l), 0);
	CHECK_INT_EQ(l, LOGLVL_WARN);
	CHECK_INT_EQ(config_parse_log_level("loud", &l), -EINVAL);
	CHECK_INT_EQ(config_parse_failure("warn", &warn), 0);
	CHECK(warn);
	CHECK_INT_EQ(config_parse_failure("abort", &warn), 0);
	CHECK(!warn);
	CHECK_INT_EQ(config_parse_failure("ignore", &warn), -EINVAL);
	CHECK_INT_EQ(config_parse_forward("group", &warn), 0);
	CHECK(warn);
	CHECK_INT_EQ(config_parse_forward("command", &warn), 0);
	CHECK(!warn);
	CHECK_INT_EQ(config_parse_forward("pgrp", &warn), -EINVAL);
	CHECK_INT_EQ(config_parse_forward(NULL, &warn), -EINVAL);
}

static void
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_INT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
}

static void
test_config_file(const char *tmp)
{
	struct init_opts o;
	char path[512];

	snprintf(path, sizeof(path), "%s/good.conf", tmp);
	write_text(path, "# comment\ninit_dir = \"/x/init\"\nstop_timeout = 2.5\n"
			 "log_level = debug\nscript_failure = warn\n");
	CHECK_INT_EQ(config_defaults(&o), 0);
	CHECK_STR_EQ(o.service_dir, INIT_DEFAULT_SERVICE_DIR);
	CHECK_INT_EQ(o.stop_timeout_ms, INIT_DEFAULT_STOP_TIMEOUT_MS);
	CHECK_INT_EQ(config_load_file(&o, path, true), 0);
	CHECK_STR_EQ(o.init_dir, "/x/init");
	CHECK_STR_EQ(o.service_dir, INIT_DEFAULT_SERVICE_DIR);
	CHECK_INT_EQ(o.stop_timeout_ms, 2500);
	CHECK_INT_EQ(o.log_level, LOGLVL_DEBUG);
	CHECK(o.script_failure_warn);

	/* Environment beats the file. */
	setenv("KLEIN_INIT_DIR", "/from/env", 1);
	setenv("KLEIN_STOP_TIMEOUT", "4", 1);
	CHECK_INT_EQ(config_apply_env(&o), 0);
	CHECK_STR_EQ(o.init_dir, "/from/env");
	CHECK_INT_EQ(o.stop_timeout_ms, 4000);
	setenv("KLEIN_STOP_TIMEOUT", "soon", 1);
	CHECK_INT_EQ(config_apply_env(&o), -EINVAL);
	unsetenv("KLEIN_STOP_TIMEOUT");
	setenv("KLEIN_INIT_DIR", "relative", 1);
	CHECK_INT_EQ(config_apply_env(&o), -EINVAL);
	unsetenv("KLEIN_INIT_DIR");
	init_opts_done(&o);

	CHECK_INT_EQ(config_defaults(&o), 0);
	snprintf(path, sizeof(path), "%s/bad.conf", tmp);
	write_text(path, "init_dir = \"/x\"\n\nstop_timeout = never\n");
	CHECK_INT_EQ(config_load_file(&o, path, true), -EINVAL);
	write_text(path, "no_such_key = 1\n");
	CHECK_INT_EQ(config_load_file(&o, path, true), -EINVAL);
	write_text(path, "service_dir = \"relative\"\n");
	CHECK_INT_EQ(config_load_file(&o, path, true), -EINVAL);
	snprintf(path, sizeof(path), "%s/missing.conf", tmp);
	CHECK_INT_EQ(config_load_file(&o, path, false), 0);
	CHECK_INT_EQ(config_load_file(&o, path, true), -ENOENT);
	init_opts_done(&o);
}

/* Runs a quoting function into a memfd and returns what it wrote. */
static const char *
quoted(void (*fn)(struct wbuf *, const char *), const char *in)
{
	static char out[4096];
	static struct wbuf w;
	ssize_t n;

	memset(&w, 0, sizeof(w));
	w.fd = memfd_create("quote", 0);
	fn(&w, in);
	CHECK_INT_EQ(wbuf_flush(&w), 0);
	n = pread(w.fd, out, sizeof(out) - 1, 0);
	out[n < 0 ? 0 : n] = '\0';
	close(w.fd);
	return out;
}

/* The .sh quoting must survive a real shell: eval it and compare. */
static void
check_sh_roundtrip(const char *value)
{
	char script[8192];
	int fds[2], st;
	pid_t pid;
	char got[4096];
	ssize_t n, len = 0;

	snprintf(script, sizeof(script), "V=%s; printf %%s \"$V\"", quoted(env_sh_quote, value));
	CHECK_INT_EQ(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], got + len, sizeof(got) - 1 - (size_t)len)) > 0)
		len += n;
	got[len] = '\0';
	close(fds[0]);
	waitpid(pid, &st, 0);
	CHECK_INT_EQ(st, 0);
	CHECK_STR_EQ(got, value);
}

static void
test_quoting(void)
{
	static const char *const tricky[] = {
		"",
		"plain",
		"a b  c",
		"it's",
		"'",
		"''x''",
		"\"dq\" $HOME `id` \\n",
		"line1\nline2\n",
		"tab\there",
		"caf\xc3\xa9 \xe2\x82\xac",
		"*?[a]~",
	};

	CHECK_STR_EQ(quoted(env_sh_quote, "it's"), "'it'\\''s'");
	CHECK_STR_EQ(quoted(env_sh_quote, ""), "''");
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		check_sh_roundtrip(tricky[i]);

	CHECK_STR_EQ(quoted(env_json_quote, "a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR_EQ(quoted(env_json_quote, "l1\nl2\t\x01"), "\"l1\\nl2\\t\\u0001\"");
	CHECK_STR_EQ(quoted(env_json_quote, "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	/* Invalid UTF-8 (a lone continuation, an overlong '/', a surrogate). */
	CHECK_STR_EQ(quoted(env_json_quote, "\x80"), "\"\\u0080\"");
	CHECK_STR_EQ(quoted(env_json_quote, "\xc0\xaf"), "\"\\u00c0\\u00af\"");
	CHECK_STR_EQ(quoted(env_json_quote, "\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
	CHECK_STR_EQ(quoted(env_json_quote, "\xe2\x82"), "\"\\u00e2\\u0082\"");

	CHECK(env_name_valid("HOME", strlen("HOME")));
	CHECK(env_name_valid("_x1", strlen("_x1")));
	CHECK(!env_name_valid("1x", strlen("1x")));
	CHECK(!env_name_valid("a-b", strlen("a-b")));
	CHECK(!env_name_valid("", strlen("")));
	CHECK(env_name_exportable("a-b"));
	CHECK(!env_name_exportable(".hidden"));
	CHECK(!env_name_exportable("a/b"));
	CHECK(!env_name_exportable(""));
}

static void
test_scripts(const char *tmp)
{
	char dir[512], path[600];
	char **paths;
	size_t n;
	static const char *const exec_names[] = { "b c",	"10-a", "2-b",
						  "x.dpkg-old", "y~",	".hidden" };

	CHECK(scripts_name_skipped(".x"));
	CHECK(scripts_name_skipped("a~"));
	CHECK(scripts_name_skipped("a.dpkg-dist"));
	CHECK(scripts_name_skipped("a.dpkg-new"));
	CHECK(!scripts_name_skipped("a.sh"));
	CHECK(!scripts_name_skipped("dpkg-thing"));

	snprintf(dir, sizeof(dir), "%s/initdir", tmp);
	CHECK_INT_EQ(mkdir(dir, 0755), 0);
	for (size_t i = 0; i < sizeof(exec_names) / sizeof(exec_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, exec_names[i]);
		write_text(path, "#!/bin/sh\n");
		chmod(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/noexec", dir);
	write_text(path, "#!/bin/sh\n");
	snprintf(path, sizeof(path), "%s/subdir", dir);
	mkdir(path, 0755);
	CHECK_INT_EQ(scripts_list(dir, &paths, &n), 0);
	CHECK_INT_EQ(n, 3);
	if (n == 3) {
		snprintf(path, sizeof(path), "%s/10-a", dir);
		CHECK_STR_EQ(paths[0], path);
		snprintf(path, sizeof(path), "%s/2-b", dir);
		CHECK_STR_EQ(paths[1], path);
		snprintf(path, sizeof(path), "%s/b c", dir);
		CHECK_STR_EQ(paths[2], path);
	}
	scripts_free(paths, n);
	snprintf(path, sizeof(path), "%s/none", dir);
	CHECK_INT_EQ(scripts_list(path, &paths, &n), 0);
	CHECK_INT_EQ(n, 0);
}

/* Makes dir/NAME/supervise/control as a FIFO (or a plain file). */
static void
make_control(const char *dir, const char *name, bool fifo)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK_INT_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s/supervise", dir, name);
	CHECK_INT_EQ(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/supervise/control", dir, name);
	if (fifo)
		CHECK_INT_EQ(mkfifo(path, 0600), 0);
	else
		write_text(path, "");
}

/* Gives dir/NAME a control/C script with the given mode. */
static void
make_script(const char *dir, const char *name, char c, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/control", dir, name);
	if (mkdir(path, 0755) < 0)
		CHECK_INT_EQ(errno, EEXIST);
	snprintf(path, sizeof(path), "%s/%s/control/%c", dir, name, c);
	write_text(path, "#!/bin/sh\nexit 0\n");
	CHECK_INT_EQ(chmod(path, mode), 0);
}

static int
open_reader(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/supervise/control", dir, name);
	return open(path, O_RDONLY | O_NONBLOCK);
}

static void
test_relay(const char *tmp)
{
	char dir[256], path[512], c = 0;
	struct stat sb;
	int up, other, noexec, hidden, skipped = -1;

	CHECK_INT_EQ(relay_control_char(SIGHUP), 'h');
	CHECK_INT_EQ(relay_control_char(SIGUSR1), '1');
	CHECK_INT_EQ(relay_control_char(SIGUSR2), '2');
	CHECK_INT_EQ(relay_control_char(SIGQUIT), 'q');
	CHECK_INT_EQ(relay_control_char(SIGALRM), 'a');
	CHECK_INT_EQ(relay_control_char(SIGCONT), 'c');
	/* Stop signals are klein-init's own; the rest have no runsv command. */
	CHECK_INT_EQ(relay_control_char(SIGTERM), 0);
	CHECK_INT_EQ(relay_control_char(SIGINT), 0);
	CHECK_INT_EQ(relay_control_char(SIGWINCH), 0);
	CHECK_INT_EQ(relay_control_char(SIGTSTP), 0);
	CHECK_INT_EQ(relay_control_char(SIGRTMIN), 0);

	snprintf(dir, sizeof(dir), "%s/relay", tmp);
	CHECK_INT_EQ(mkdir(dir, 0755), 0);
	make_control(dir, "up", true); /* a runsv reads it; has control/h */
	make_script(dir, "up", 'h', 0755);
	make_control(dir, "other", true); /* read; control/1 only */
	make_script(dir, "other", '1', 0700);
	make_control(dir, "noexec", true); /* read; control/h not executable */
	make_script(dir, "noexec", 'h', 0644);
	make_control(dir, "norunsv", true); /* nobody reads: must not block */
	make_script(dir, "norunsv", 'h', 0755);
	make_control(dir, "plain", false); /* not a FIFO: left alone */
	make_script(dir, "plain", 'h', 0755);
	make_control(dir, ".hidden", true); /* runsvdir ignores dot dirs */
	make_script(dir, ".hidden", 'h', 0755);
	snprintf(path, sizeof(path), "%s/nosupervise", dir);
	CHECK_INT_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/afile", dir); /* not a service */
	write_text(path, "");
	up = open_reader(dir, "up");
	other = open_reader(dir, "other");
	noexec = open_reader(dir, "noexec");
	hidden = open_reader(dir, ".hidden");
	CHECK(up >= 0 && other >= 0 && noexec >= 0 && hidden >= 0);

	/* h: only up asked for it; other, noexec and nosupervise are skipped. */
	CHECK_INT_EQ(relay_to_services(dir, 'h', &skipped), 1);
	CHECK_INT_EQ(skipped, 3);
	CHECK_INT_EQ(read(up, &c, 1), 1);
	CHECK_INT_EQ(c, 'h');
	/* No control/h: nothing reaches runsv, so it sends no HUP. */
	CHECK_INT_EQ(read(other, &c, 1), 0);  /* EOF: nothing written */
	CHECK_INT_EQ(read(noexec, &c, 1), 0); /* EOF: nothing written */
	CHECK_INT_EQ(read(hidden, &c, 1), 0); /* EOF: nothing written */
	snprintf(path, sizeof(path), "%s/plain/supervise/control", dir);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 0);

	/* 1: only other; the rest (norunsv and plain too) are skipped. */
	skipped = -1;
	CHECK_INT_EQ(relay_to_services(dir, '1', &skipped), 1);
	CHECK_INT_EQ(skipped, 5);
	CHECK_INT_EQ(read(other, &c, 1), 1);
	CHECK_INT_EQ(c, '1');
	CHECK_INT_EQ(read(up, &c, 1), 0); /* EOF: nothing written */
	CHECK_INT_EQ(relay_to_services(dir, 'h', NULL), 1);
	CHECK_INT_EQ(read(up, &c, 1), 1);
	close(up);
	close(other);
	close(noexec);
	close(hidden);
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_INT_EQ(relay_to_services(path, 'h', &skipped), -ENOENT);
}

static void
test_rundir(const char *tmp)
{
	char run[256], path[512];
	struct stat sb;
	mode_t old = umask(077);

	snprintf(run, sizeof(run), "%s/run", tmp);
	CHECK_INT_EQ(rundir_setup(run), 0); /* no RUN: nothing made */
	CHECK(stat(run, &sb) < 0 && errno == ENOENT);
	CHECK_INT_EQ(mkdir(run, 0755), 0);
	CHECK_INT_EQ(rundir_setup(run), 0);
	snprintf(path, sizeof(path), "%s/runit/supervise", run);
	CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
	CHECK_INT_EQ(sb.st_mode & 07777, 0755); /* despite the umask */
	snprintf(path, sizeof(path), "%s/runit", run);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0755);
	CHECK_INT_EQ(rundir_setup(run), 0); /* again: already there */
	/* RUN/runit is a file: a real error, reported. */
	snprintf(run, sizeof(run), "%s/run2", tmp);
	CHECK_INT_EQ(mkdir(run, 0755), 0);
	snprintf(path, sizeof(path), "%s/runit", run);
	write_text(path, "");
	CHECK_INT_EQ(rundir_setup(run), -ENOTDIR);
	umask(old);
}

int
main(void)
{
	char tmp[] = "/tmp/klein-init-unit-XXXXXX";
	char cmd[128];

	if (!mkdtemp(tmp))
		return 1;
	log_set_level(LOGLVL_ERROR);
	test_status();
	test_config_values();
	test_config_file(tmp);
	test_quoting();
	test_scripts(tmp);
	test_relay(tmp);
	test_rundir(tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		check_failed++;
	return check_done();
}
