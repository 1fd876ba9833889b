/* SPDX-License-Identifier: MIT */
/* config.c: porter.conf values, per-unit overrides and file:line errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static char path[64];

static void
write_conf(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static bool
has_error(const struct diag *d, unsigned line, const char *text)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == DIAG_ERROR && d->v[i].line == line && d->v[i].file &&
		    !strcmp(d->v[i].file, path) && strstr(d->v[i].message, text))
			return true;
	return false;
}

int
main(void)
{
	struct porter_conf c;
	struct diag d = { 0 };
	snprintf(path, sizeof(path), "/tmp/klein-conf-XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);

	write_conf(
		"log = \"svlogd\"\nrestart = \"always\"\n"
		"unit \"nginx\" { type = \"simple\"  exec_start = \"/usr/sbin/nginx -g 'daemon off;'\"  env = {\"A=1\", \"B=2\"} }\n"
		"unit \"foo.service\" { skip = true }\n");
	CHECK(config_load(path, true, &c, &d) == 0 && d.n == 0);
	CHECK(!strcmp(c.log, "svlogd") && !strcmp(c.restart, "always") && c.n_units == 2);
	const struct porter_unit_conf *u = config_unit(&c, "nginx.service");
	CHECK(u && !strcmp(u->type, "simple") &&
	      !strcmp(u->exec_start, "/usr/sbin/nginx -g 'daemon off;'"));
	CHECK(u && u->n_env == 2 && !strcmp(u->env[1], "B=2") && !u->skip);
	CHECK(config_unit(&c, "foo.service") && config_unit(&c, "foo.service")->skip);
	CHECK(!config_unit(&c, "nginx-extra.service"));
	config_done(&c);

	/* The bounded log's directory and cap (log/run passes them to klein-svc log). */
	write_conf("log_dir = \"/var/log/klein\"\nlog_max_size = \"512K\"\n");
	CHECK(config_load(path, true, &c, &d) == 0 && d.n == 0);
	CHECK(c.log_dir && !strcmp(c.log_dir, "/var/log/klein") && c.log_max_size == 512 * 1024);
	config_done(&c);
	write_conf("log_max_size = 1M\n");
	CHECK(config_load(path, true, &c, &d) == 0 && !c.log_dir && c.log_max_size == 1048576);
	config_done(&c);
	write_conf("log = \"prefix\"\nlog_dir = \"var/log\"\n");
	CHECK(config_load(path, true, &c, &d) < 0);
	CHECK(has_error(&d, 2, "log_dir = \"var/log\": not an absolute directory path"));
	diag_done(&d);
	static const char *const bad_sizes[] = { "1T", "100", "2G", "1MB", "", "-1K", "x" };
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(*bad_sizes); i++) {
		char text[64];
		snprintf(text, sizeof(text), "\nlog_max_size = \"%s\"\n", bad_sizes[i]);
		write_conf(text);
		CHECK(config_load(path, true, &c, &d) < 0);
		CHECK(has_error(&d, 2, "not a size from 1K to 1G"));
		diag_done(&d);
	}
	write_conf("log_max_size = \"1G\"\n");
	CHECK(config_load(path, true, &c, &d) == 0 && c.log_max_size == 1ULL << 30);
	config_done(&c);

	write_conf("# comment\n\nlog = \"loud\"\n");
	CHECK(config_load(path, true, &c, &d) < 0);
	CHECK(has_error(&d, 3, "log = \"loud\": not one of"));
	diag_done(&d);

	write_conf("restart = \"unit\"\nunit \"x\" {\n  type = \"weird\"\n}\n");
	CHECK(config_load(path, true, &c, &d) < 0);
	CHECK(has_error(&d, 3, "type = \"weird\""));
	diag_done(&d);

	write_conf("log = \"prefix\"\nbogus = 1\n");
	CHECK(config_load(path, true, &c, &d) < 0);
	CHECK(has_error(&d, 2, "bogus"));
	diag_done(&d);

	write_conf("unit \"x\" { env = {\"NOEQUALS\"} }\n");
	CHECK(config_load(path, true, &c, &d) < 0);
	CHECK(has_error(&d, 1, "not NAME=VALUE"));
	diag_done(&d);

	/* Missing file: defaults unless it must exist. */
	unlink(path);
	CHECK(config_load(path, false, &c, &d) == 0 && !strcmp(c.log, "prefix") &&
	      !strcmp(c.restart, "unit"));
	config_done(&c);
	CHECK(config_load(path, true, &c, &d) < 0 && d.n == 1);
	diag_done(&d);
	return check_done();
}
