/* SPDX-License-Identifier: MIT */
/* Loader tests on a private --root: search path, drop-ins, templates,
 * masks, aliases, list/scalar merging (porter-reference.md §3.D, §3.G). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "load.h"

static char root[256];

static void
mkdirs(const char *path)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

/* Writes root/rel with the given content, creating directories. */
static void
put(const char *rel, const char *content)
{
	char path[1024], dir[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void
link_(const char *target, const char *rel)
{
	char path[1024], dir[1024];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	if (symlink(target, path) < 0)
		perror("symlink");
}

static struct unit u;
static struct diag dg;

static int
load(const char *name, const char *instance)
{
	struct load_options o = { .root = root, .instance = instance };

	unit_done(&u);
	diag_done(&dg);
	return unit_load(name, &o, &u, &dg);
}

static const char *
val(const char *section, const char *key, size_t i)
{
	const struct setting *s = unit_setting(&u, section, key);

	return s && i < s->n_values ? s->values[i] : NULL;
}

static size_t
nval(const char *section, const char *key)
{
	const struct setting *s = unit_setting(&u, section, key);

	return s ? s->n_values : 0;
}

static int
has_diag(const char *msg)
{
	for (size_t i = 0; i < dg.n; i++)
		if (strstr(dg.v[i].message, msg))
			return 1;
	return 0;
}

static void
rm_rf(const char *p)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", p);
}

int
main(void)
{
	const struct exec_list *e;

	snprintf(root, sizeof(root), "%s/porter-load-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}

	/* G01: template + drop-ins applied in name order. */
	put("/lib/systemd/system/foo-x@.service",
	    "[Service]\nUser=daemon\nExecStart=/bin/echo unit %i\nSupplementaryGroups=adm\n");
	put("/lib/systemd/system/foo-x@.service.d/20-b.conf",
	    "[Service]\nUser=bin\nExecStart=\nExecStart=/bin/echo dropin20 %I\nSupplementaryGroups=\nSupplementaryGroups=tty\n");
	put("/lib/systemd/system/foo-x@.service.d/10-a.conf",
	    "[Service]\nUser=sys\nExecStart=\nExecStart=/bin/echo dropin10\nSupplementaryGroups=disk\n");
	CHECK(load("foo-x@bar-baz.service", NULL) == 0 && u.state == UNIT_LOADED);
	CHECK_STR_EQ(u.name, "foo-x@bar-baz.service");
	CHECK_STR_EQ(u.fragment, "/lib/systemd/system/foo-x@.service");
	CHECK(u.n_dropins == 2 && strstr(u.dropins[0], "10-a.conf") &&
	      strstr(u.dropins[1], "20-b.conf"));
	CHECK_STR_EQ(val("Service", "User", 0), "bin");
	CHECK(nval("Service", "SupplementaryGroups") == 1);
	CHECK_STR_EQ(val("Service", "SupplementaryGroups", 0), "tty");
	e = unit_exec(&u, "ExecStart");
	CHECK(e && e->n == 1 && e->v[0].argc == 3 && !strcmp(e->v[0].argv[2], "bar/baz"));
	/* The same template through --instance, and without one. */
	CHECK(load("foo-x@.service", "q") == 0 && u.state == UNIT_LOADED &&
	      !strcmp(u.name, "foo-x@q.service"));
	CHECK(load("foo-x@.service", NULL) == 0 && u.state != UNIT_LOADED &&
	      has_diag("missing the instance name"));

	/* G02-G04: precedence across directories and candidates. */
	put("/lib/systemd/system/foo-bar.service",
	    "[Service]\nExecStart=/bin/true\nEnvironment=X=unit\n");
	put("/etc/systemd/system/service.d/05-t.conf", "[Service]\nEnvironment=X=05\n");
	put("/lib/systemd/system/foo-bar.service.d/10-x.conf", "[Service]\nEnvironment=X=10\n");
	put("/etc/systemd/system/foo-bar.service.d/50-x.conf", "[Service]\nEnvironment=X=50A\n");
	put("/lib/systemd/system/foo-bar.service.d/50-x.conf", "[Service]\nEnvironment=X=50B\n");
	put("/lib/systemd/system/foo-.service.d/60-p.conf", "[Service]\nEnvironment=X=60 Y=1\n");
	link_("/dev/null", "/etc/systemd/system/foo-bar.service.d/masked.conf");
	put("/lib/systemd/system/foo-bar.service.d/masked.conf", "[Service]\nUser=nobody\n");
	put("/lib/systemd/system/foo-bar.service.d/notconf.txt", "[Service]\nUser=nobody\n");
	CHECK(load("foo-bar.service", NULL) == 0 && u.state == UNIT_LOADED);
	/* The /dev/null one is listed (systemd lists it) but masks B's file. */
	CHECK(u.n_dropins == 5);
	if (u.n_dropins == 5) {
		CHECK_STR_EQ(u.dropins[0], "/etc/systemd/system/service.d/05-t.conf");
		CHECK_STR_EQ(u.dropins[1], "/lib/systemd/system/foo-bar.service.d/10-x.conf");
		CHECK_STR_EQ(u.dropins[2], "/etc/systemd/system/foo-bar.service.d/50-x.conf");
		CHECK_STR_EQ(u.dropins[3], "/lib/systemd/system/foo-.service.d/60-p.conf");
		CHECK_STR_EQ(u.dropins[4], "/etc/systemd/system/foo-bar.service.d/masked.conf");
	}
	CHECK(u.n_environment == 2 && !strcmp(u.environment[0], "X=60") &&
	      !strcmp(u.environment[1], "Y=1"));
	CHECK(val("Service", "User", 0) == NULL);
	/* The type-wide drop-in applies to every service: remove it now. */
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/etc/systemd/system/service.d/05-t.conf", root);
		unlink(p);
	}

	/* A full override in /etc wins over /lib. */
	put("/etc/systemd/system/ovr.service", "[Service]\nExecStart=/bin/etc\n");
	put("/lib/systemd/system/ovr.service", "[Service]\nExecStart=/bin/lib\n");
	CHECK(load("ovr.service", NULL) == 0 && (e = unit_exec(&u, "ExecStart")) &&
	      !strcmp(e->v[0].path, "/bin/etc"));

	/* Masks, aliases, not found. */
	link_("/dev/null", "/etc/systemd/system/m1.service");
	put("/lib/systemd/system/m1.service", "[Service]\nExecStart=/bin/true\n");
	put("/lib/systemd/system/m2.service", "");
	CHECK(load("m1.service", NULL) == 0 && u.state == UNIT_MASKED);
	CHECK(load("m2.service", NULL) == 0 && u.state == UNIT_MASKED);
	CHECK(load("nope.service", NULL) == 0 && u.state == UNIT_NOT_FOUND);
	put("/lib/systemd/system/real.service", "[Service]\nExecStart=/bin/echo %n\n");
	link_("real.service", "/lib/systemd/system/alias.service");
	put("/etc/systemd/system/alias.service.d/a.conf", "[Service]\nUser=aliased\n");
	CHECK(load("alias.service", NULL) == 0 && u.state == UNIT_LOADED);
	CHECK_STR_EQ(u.name, "real.service");
	CHECK_STR_EQ(val("Service", "User", 0), "aliased");
	CHECK((e = unit_exec(&u, "ExecStart")) && !strcmp(e->v[0].argv[1], "real.service"));
	/* An instance file beats the template. */
	put("/lib/systemd/system/tor@default.service", "[Service]\nExecStart=/bin/real-instance\n");
	put("/etc/systemd/system/tor@.service", "[Service]\nExecStart=/bin/template\n");
	CHECK(load("tor@default.service", NULL) == 0 && (e = unit_exec(&u, "ExecStart")) &&
	      !strcmp(e->v[0].path, "/bin/real-instance"));

	/* B40/B41: ExecStart counts; missing ExecStart. */
	put("/lib/systemd/system/two.service",
	    "[Service]\nExecStart=/bin/true 1\nExecStart=/bin/true 2\n");
	CHECK(load("two.service", NULL) == 0 && u.state == UNIT_BAD_SETTING &&
	      has_diag("more than one ExecStart="));
	put("/lib/systemd/system/two.service.d/r.conf",
	    "[Service]\nExecStart=\nExecStart=/bin/true 1\n");
	CHECK(load("two.service", NULL) == 0 && u.state == UNIT_LOADED);
	put("/lib/systemd/system/one.service",
	    "[Service]\nType=oneshot\nExecStart=/bin/a ; /bin/b\nExecStart=/bin/c\n");
	CHECK(load("one.service", NULL) == 0 && u.state == UNIT_LOADED &&
	      (e = unit_exec(&u, "ExecStart")) && e->n == 3);
	put("/lib/systemd/system/none.service", "[Unit]\nDescription=x\n");
	CHECK(load("none.service", NULL) == 0 && u.state == UNIT_BAD_SETTING);
	put("/lib/systemd/system/stoponly.service",
	    "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStop=/bin/true\n");
	CHECK(load("stoponly.service", NULL) == 0 && u.state == UNIT_LOADED);
	put("/lib/systemd/system/stoponly2.service",
	    "[Service]\nType=oneshot\nExecStop=/bin/true\n");
	CHECK(load("stoponly2.service", NULL) == 0 && u.state == UNIT_BAD_SETTING);
	put("/lib/systemd/system/osr.service",
	    "[Service]\nType=oneshot\nRestart=always\nExecStart=/bin/true\n");
	CHECK(load("osr.service", NULL) == 0 && u.state == UNIT_BAD_SETTING);

	/* §3.D Environment=, and fatal vs ignored values. */
	put("/lib/systemd/system/t1.service", "[Service]\nExecStart=/bin/true\n"
					      "Environment=\"A=1 2\" B=3 'C=4 5'\n"
					      "Environment=E=a\\ b\n"
					      "Environment=F=\"x\\ty\" G=\\x41 H='$X' I=a%%b\n"
					      "Environment=J=%n K=%i\n"
					      "Environment=\"BAD NAME=1\" GOOD=1 2BAD=x\n"
					      "Environment=V=1 V=2\n"
					      "Environment=Z=%z\n"
					      "Environment=A=1 # comment\n"
					      "EnvironmentFile=relative/file\n"
					      "EnvironmentFile=-/etc/default/%N\n"
					      "PIDFile=foo.pid\n"
					      "RuntimeDirectory=../x /abs ok a b/c ok\n"
					      "Type=bogus\n"
					      "Nice=-21\n"
					      "user=bin\n"
					      "X-Custom=1\n");
	CHECK(load("t1.service", NULL) == 0 && u.state == UNIT_LOADED);
	{
		static const char *const want[] = { "A=1", "B=3",    "C=4 5", "F=x\ty",
						    "G=A", "H=$X",   "I=a%b", "J=t1.service",
						    "K=",  "GOOD=1", "V=2" };
		CHECK(u.n_environment == sizeof(want) / sizeof(want[0]));
		for (size_t i = 0; i < u.n_environment && i < sizeof(want) / sizeof(want[0]); i++)
			CHECK_STR_EQ(u.environment[i], want[i]);
	}
	CHECK(has_diag("Invalid syntax, ignoring: E=a\\ b"));
	CHECK(has_diag("Invalid environment assignment, ignoring: BAD NAME=1"));
	CHECK(has_diag("Invalid environment assignment, ignoring: 2BAD=x"));
	CHECK(has_diag("Failed to resolve specifiers in Z=%z, ignoring: Invalid slot"));
	CHECK(has_diag("Invalid environment assignment, ignoring: comment"));
	CHECK(has_diag("EnvironmentFile= path is not absolute, ignoring: relative/file"));
	CHECK(nval("Service", "EnvironmentFile") == 1);
	CHECK_STR_EQ(val("Service", "EnvironmentFile", 0), "-/etc/default/t1");
	CHECK_STR_EQ(val("Service", "PIDFile", 0), "/run/foo.pid");
	CHECK(nval("Service", "RuntimeDirectory") == 3);
	/* Sorted like systemd does, parents first. */
	CHECK_STR_EQ(val("Service", "RuntimeDirectory", 0), "a");
	CHECK_STR_EQ(val("Service", "RuntimeDirectory", 1), "b/c");
	CHECK_STR_EQ(val("Service", "RuntimeDirectory", 2), "ok");
	CHECK(has_diag("RuntimeDirectory= path is not normalized, ignoring: ../x"));
	CHECK(has_diag("RuntimeDirectory= path is absolute, ignoring: /abs"));
	CHECK(val("Service", "Type", 0) == NULL &&
	      has_diag("Failed to parse service type, ignoring: bogus"));
	CHECK(val("Service", "Nice", 0) == NULL &&
	      has_diag("Nice priority out of range, ignoring: -21"));
	CHECK(has_diag("Unknown key 'user' in section [Service], ignoring."));
	CHECK(!has_diag("X-Custom"));

	/* D10: Environment= merging across drop-ins keeps the first position. */
	put("/lib/systemd/system/d10.service",
	    "[Service]\nExecStart=/bin/true\nEnvironment=A=unit\n");
	put("/lib/systemd/system/d10.service.d/10-a.conf",
	    "[Service]\nEnvironment=A=dropin10 C=10\n");
	put("/lib/systemd/system/d10.service.d/20-b.conf",
	    "[Service]\nEnvironment=A=dropin20 B=20\n");
	CHECK(load("d10.service", NULL) == 0 && u.n_environment == 3 &&
	      !strcmp(u.environment[0], "A=dropin20") && !strcmp(u.environment[1], "C=10") &&
	      !strcmp(u.environment[2], "B=20"));

	/* Fatal settings stop the parse: nothing after them is applied. */
	put("/lib/systemd/system/wd.service",
	    "[Service]\nExecStart=/bin/true\nWorkingDirectory=relative\nUser=late\n");
	CHECK(load("wd.service", NULL) == 0 && u.state == UNIT_BAD_SETTING &&
	      val("Service", "User", 0) == NULL &&
	      has_diag("WorkingDirectory= path is not absolute: relative"));
	put("/lib/systemd/system/wd2.service",
	    "[Service]\nExecStart=/bin/true\nWorkingDirectory=-relative\nWorkingDirectory=-/srv//x/\n");
	CHECK(load("wd2.service", NULL) == 0 && u.state == UNIT_LOADED);
	CHECK_STR_EQ(val("Service", "WorkingDirectory", 0), "-/srv/x");
	put("/lib/systemd/system/hdr.service", "[Service\nExecStart=/bin/true\n");
	CHECK(load("hdr.service", NULL) == 0 && u.state == UNIT_ERROR);
	put("/lib/systemd/system/usr.service", "[Service]\nExecStart=/bin/true\nUser=%z\n");
	CHECK(load("usr.service", NULL) == 0 && u.state == UNIT_BAD_SETTING);
	put("/lib/systemd/system/ex.service", "[Service]\nExecStart=/bin/echo 'unbalanced\n");
	CHECK(load("ex.service", NULL) == 0 && u.state == UNIT_BAD_SETTING);

	/* B4: values may hold control characters (systemd 252's
	 * env_value_is_valid() only wants UTF-8); names may not. */
	put("/lib/systemd/system/ctl.service",
	    "[Service]\nExecStart=/bin/true\n"
	    "Environment=\"P14_1=\\x0f =\" \"P14_2=\\x0e\" \"CTRL=\\x01\\x1b\" \"DEL=\\x7f\"\n"
	    "Environment=\"BAD=\\xff\" \"N\\x01=1\" \"U=\\xc3\\xa9\"\n");
	CHECK(load("ctl.service", NULL) == 0 && u.state == UNIT_LOADED && u.n_environment == 5);
	if (u.n_environment == 5) {
		CHECK_STR_EQ(u.environment[0], "P14_1=\x0f =");
		CHECK_STR_EQ(u.environment[1], "P14_2=\x0e");
		CHECK_STR_EQ(u.environment[2], "CTRL=\x01\x1b");
		CHECK_STR_EQ(u.environment[3], "DEL=\x7f");
		CHECK_STR_EQ(u.environment[4], "U=\xc3\xa9");
	}
	CHECK(has_diag("Invalid environment assignment, ignoring: BAD=\xff"));
	CHECK(has_diag("Invalid environment assignment, ignoring: N\x01=1"));
	CHECK(dg.n == 2);

	/* PIDFile=: /var/run is rewritten silently (a debug message in 252);
	 * a path that is not normalized fails the unit ("error"). */
	put("/lib/systemd/system/pid.service",
	    "[Service]\nExecStart=/bin/true\nPIDFile=/var/run//x.pid\n");
	CHECK(load("pid.service", NULL) == 0 && u.state == UNIT_LOADED && dg.n == 0);
	CHECK_STR_EQ(val("Service", "PIDFile", 0), "/run/x.pid");
	put("/lib/systemd/system/pid2.service",
	    "[Service]\nExecStart=/bin/true\nPIDFile=../x\nUser=late\n");
	CHECK(load("pid2.service", NULL) == 0 && u.state == UNIT_ERROR &&
	      val("Service", "User", 0) == NULL &&
	      has_diag("PIDFile= path is not normalized, ignoring: /run/../x"));

	/* WorkingDirectory=: the "missing ok" flag stays a '-' prefix, "~" stays. */
	put("/lib/systemd/system/wd3.service",
	    "[Service]\nExecStart=/bin/true\nWorkingDirectory=-~\n");
	CHECK(load("wd3.service", NULL) == 0 && u.state == UNIT_LOADED);
	CHECK_STR_EQ(val("Service", "WorkingDirectory", 0), "-~");

	/* *Directory=: one item per directory, a symlink attached to it,
	 * ':' inside the name escaped; sorted by directory. */
	put("/lib/systemd/system/dirs.service",
	    "[Service]\nExecStart=/bin/true\n"
	    "RuntimeDirectory=b a b:lnk c\\x3ad a:lnk2 a:lnk2\n");
	CHECK(load("dirs.service", NULL) == 0 && nval("Service", "RuntimeDirectory") == 3);
	CHECK_STR_EQ(val("Service", "RuntimeDirectory", 0), "a:lnk2");
	CHECK_STR_EQ(val("Service", "RuntimeDirectory", 1), "b:lnk");
	CHECK_STR_EQ(val("Service", "RuntimeDirectory", 2), "c\\:d");

	/* Value checks: invalid words are dropped with systemd's warning. */
	put("/lib/systemd/system/st.service",
	    "[Service]\nExecStart=/bin/true\n"
	    "SuccessExitStatus=1 DATAERR SIGTERM 256 09 SIGFOO\n"
	    "LimitNOFILE=4096:1024\nLimitNICE=41\nLimitNICE=infinity\n"
	    "StandardOutput=file:rel\nPassEnvironment=OK B\\x01D 9X\n"
	    "UnsetEnvironment=A A=b 1=x\n");
	CHECK(load("st.service", NULL) == 0 && u.state == UNIT_LOADED);
	CHECK(nval("Service", "SuccessExitStatus") == 3);
	CHECK(has_diag("Failed to parse value, ignoring: 256"));
	CHECK(has_diag("Failed to parse value, ignoring: 09"));
	CHECK(has_diag("Failed to parse value, ignoring: SIGFOO"));
	CHECK(has_diag("Soft resource limit chosen higher than hard limit, ignoring: 4096:1024"));
	CHECK(has_diag("Failed to parse resource value, ignoring: 41"));
	CHECK(has_diag("Failed to parse resource value, ignoring: infinity"));
	CHECK(val("Service", "LimitNICE", 0) == NULL);
	CHECK(has_diag("StandardOutput= path is not absolute: rel"));
	CHECK(nval("Service", "PassEnvironment") == 2);
	CHECK(has_diag("Invalid environment name for PassEnvironment, ignoring: 9X"));
	CHECK(nval("Service", "UnsetEnvironment") == 2);
	CHECK(has_diag("Invalid environment name or assignment UnsetEnvironment, ignoring: 1=x"));

	/* %c/%r as systemd resolves them while reading: the default slice is
	 * not assigned yet, an earlier Slice= is. */
	put("/lib/systemd/system/cg.service",
	    "[Service]\nExecStart=/bin/true\nEnvironment=C=%c R=%r\n"
	    "Slice=foo-bar.slice\nEnvironment=C2=%c R2=%r\n");
	CHECK(load("cg.service", NULL) == 0 && u.n_environment == 4);
	if (u.n_environment == 4) {
		CHECK_STR_EQ(u.environment[0], "C=/cg.service");
		CHECK_STR_EQ(u.environment[1], "R=");
		CHECK_STR_EQ(u.environment[2], "C2=/foo.slice/foo-bar.slice/cg.service");
		CHECK_STR_EQ(u.environment[3], "R2=/foo-bar.slice");
	}

	/* A path argument reads NAME.d/ next to it. */
	put("/srv/units/p.service", "[Service]\nExecStart=/bin/p\n");
	put("/srv/units/p.service.d/x.conf", "[Service]\nUser=pd\n");
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/srv/units/p.service", root);
		CHECK(load(path, NULL) == 0 && u.state == UNIT_LOADED && u.n_dropins == 1);
		CHECK_STR_EQ(val("Service", "User", 0), "pd");
	}
	CHECK(load("bad name", NULL) == -EINVAL);

	unit_done(&u);
	diag_done(&dg);
	rm_rf(root);
	return check_done();
}
