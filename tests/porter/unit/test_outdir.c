/* SPDX-License-Identifier: MIT */
/* outdir.c: atomic replacement (a failure midway leaves the previous state),
 * hand-edit detection, --force, idempotence, links. */
/* Fixtures point plan and tree fields at string literals. */
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lib/chase.h"
#include "outdir.h"

static char base[256];

static struct emit_tree
tree(const char *run_text, struct emit_file *f)
{
	f[0] = (struct emit_file){ (char *)"run", (char *)run_text, 0755, false };
	f[1] = (struct emit_file){ (char *)"control/t", (char *)"#!/bin/sh\nexit 0\n", 0755,
				   false };
	f[2] = (struct emit_file){ (char *)"supervise", (char *)"/run/runit/supervise/x", 0, true };
	return (struct emit_tree){ f, 3 };
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[4096];
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
count_entries(const char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", dir);
	return system(cmd) == 0 ? 1 : 0;
}

static bool
exists(const char *dir, const char *name)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

/* Issue 14 item 8: a mode changed by hand is an edit, like a content
 * change: refused without --force, restored with it. */
static void
test_modes_are_edits(void)
{
	struct outdir_options o = { .force = false, .fail_after = -1 };
	struct emit_file f[3];
	struct emit_tree t = tree("#!/bin/sh\necho modes\n", f);
	enum outdir_result res;
	char dir[300], run[400], *why = NULL;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/modes/m", base);
	snprintf(run, sizeof(run), "%s/run", dir);
	CHECK(outdir_write(dir, &t, "m.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	CHECK(chmod(run, 0644) == 0); /* chmod -x run */
	CHECK(outdir_write(dir, &t, "m.service", &o, &res, &why) == 0 && res == OUTDIR_REFUSED);
	CHECK(why && strstr(why, "/modes/m/run: its mode was changed by hand"));
	CHECK(stat(run, &st) == 0 && (st.st_mode & 07777) == 0644);
	o.force = true;
	CHECK(outdir_write(dir, &t, "m.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	CHECK(stat(run, &st) == 0 && (st.st_mode & 07777) == 0755);
	free(why);
}

/* Issue 14 item 8: the service directory and its subdirectories get fixed
 * modes, whatever the umask (runsv and the service read them). */
static void
test_modes_whatever_umask(void)
{
	struct outdir_options o = { .force = false, .fail_after = -1 };
	struct emit_file f[3];
	struct emit_tree t = tree("#!/bin/sh\necho umask\n", f);
	enum outdir_result res;
	char dir[300], sub[400], *why = NULL;
	struct stat st;
	mode_t old = umask(077);

	snprintf(dir, sizeof(dir), "%s/umask/sv/u", base);
	CHECK(outdir_write(dir, &t, "u.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	umask(old);
	snprintf(sub, sizeof(sub), "%s/control", dir);
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0755);
	snprintf(sub, sizeof(sub), "%s/umask/sv", base); /* a parent it made */
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 07777) == 0755);
	free(why);
}

/* Issue 14 item 11: hidden temporaries a killed convert left next to the
 * target are removed by the next run; others' entries are left alone. */
static void
test_stale_temporaries(void)
{
	struct outdir_options o = { .force = false, .fail_after = -1 };
	struct emit_file f[3];
	struct emit_tree t = tree("#!/bin/sh\necho stale\n", f);
	enum outdir_result res;
	char sv[300], dir[400], p[600], *why = NULL;
	static const char *const stale[] = { ".s.tmp.Ab12Cd", ".s.tmp.Ef34Gh.old" };
	static const char *const keep[] = { ".t.tmp.Ab12Cd", ".s.tmpx", "s.tmp.Ab12Cd", ".keep" };

	snprintf(sv, sizeof(sv), "%s/stale", base);
	snprintf(dir, sizeof(dir), "%s/s", sv);
	CHECK(outdir_write(dir, &t, "s.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	for (size_t i = 0; i < 2; i++) { /* what kill -9 midway leaves */
		snprintf(p, sizeof(p), "%s/%s", sv, stale[i]);
		CHECK(mkdir(p, 0700) == 0);
		snprintf(p, sizeof(p), "%s/%s/run", sv, stale[i]);
		fclose(fopen(p, "w"));
	}
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", sv, keep[i]);
		CHECK(mkdir(p, 0700) == 0);
	}
	CHECK(outdir_write(dir, &t, "s.service", &o, &res, &why) == 0 && res == OUTDIR_UNCHANGED);
	for (size_t i = 0; i < 2; i++)
		CHECK(!exists(sv, stale[i]));
	for (size_t i = 0; i < 4; i++)
		CHECK(exists(sv, keep[i]));
	free(why);
}

/* Issue 14 item 2: chase() resolves inside the root: absolute links restart
 * there, ".." stops there, loops and files in the middle are errors. */
static void
test_root_confinement_chase(void)
{
	char r[300], p[2400], got[600], proc[64];
	int rootfd, fd;
	ssize_t k;

	snprintf(r, sizeof(r), "%s/chase", base);
	snprintf(p, sizeof(p),
		 "mkdir -p %s/real/sub %s/etc && ln -s /real %s/etc/abs && "
		 "ln -s ../../../../real %s/etc/up && ln -s loop %s/loop && "
		 "ln -s sub %s/real/rel && : > %s/file",
		 r, r, r, r, r, r, r);
	CHECK(system(p) == 0);
	rootfd = chase_root(r);
	CHECK(rootfd >= 0);
	static const char *const to_sub[] = { "/etc/abs/sub", "etc/up/sub", "/../../real/sub",
					      "/etc/abs/rel", "/etc/abs/rel/" };
	for (size_t i = 0; i < sizeof(to_sub) / sizeof(to_sub[0]); i++) {
		fd = chase(rootfd, to_sub[i], 0);
		CHECK(fd >= 0);
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		k = fd >= 0 ? readlink(proc, got, sizeof(got) - 1) : -1;
		got[k > 0 ? k : 0] = '\0';
		snprintf(p, sizeof(p), "%s/real/sub", r);
		CHECK_STR_EQ(got, p);
		if (fd >= 0)
			close(fd);
	}
	CHECK_INT_EQ(chase(rootfd, "/loop", 0), -ELOOP);
	CHECK_INT_EQ(chase(rootfd, "/file/x", 0), -ENOTDIR);
	CHECK_INT_EQ(chase(rootfd, "/missing/x", 0), -ENOENT);
	fd = chase(rootfd, "/etc/abs/new/deeper", CHASE_MKDIR);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/real/new/deeper", r);
	struct stat st;
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755);
	close(rootfd);
}

int
main(void)
{
	char path[300], file[600];
	struct outdir_options o = { .force = false, .fail_after = -1 };
	enum outdir_result res;
	char *why = NULL;
	snprintf(base, sizeof(base), "/tmp/klein-outdir-XXXXXX");
	CHECK(mkdtemp(base) != NULL);
	snprintf(path, sizeof(path), "%s/sv/x", base);

	/* First write creates the directory, the manifest and the link. */
	struct emit_file f1[3], f2[3];
	struct emit_tree t1 = tree("#!/bin/sh\necho one\n", f1);
	CHECK(outdir_write(path, &t1, "x.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	snprintf(file, sizeof(file), "%s/run", path);
	CHECK(slurp(file) && !strcmp(slurp(file), "#!/bin/sh\necho one\n"));
	struct stat st1, st2;
	CHECK(stat(file, &st1) == 0 && (st1.st_mode & 07777) == 0755);
	char target[256] = "";
	snprintf(file, sizeof(file), "%s/supervise", path);
	CHECK(readlink(file, target, sizeof(target) - 1) > 0 &&
	      !strcmp(target, "/run/runit/supervise/x"));

	/* Same tree again: unchanged, nothing rewritten (same inode). */
	snprintf(file, sizeof(file), "%s/run", path);
	CHECK(outdir_write(path, &t1, "x.service", &o, &res, &why) == 0 && res == OUTDIR_UNCHANGED);
	CHECK(stat(file, &st2) == 0 && st1.st_ino == st2.st_ino);

	/* A failure midway leaves the previous directory and no temporary. */
	struct emit_tree t2 = tree("#!/bin/sh\necho two\n", f2);
	for (int k = 0; k <= 3; k++) {
		struct outdir_options bad = { .force = false, .fail_after = k };
		free(why), why = NULL;
		CHECK(outdir_write(path, &t2, "x.service", &bad, &res, &why) == -EIO);
		CHECK(slurp(file) && !strcmp(slurp(file), "#!/bin/sh\necho one\n"));
		char sv[300];
		snprintf(sv, sizeof(sv), "%s/sv", base);
		CHECK(count_entries(sv));
	}

	/* A clean change replaces the directory. */
	CHECK(outdir_write(path, &t2, "x.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	CHECK(!strcmp(slurp(file), "#!/bin/sh\necho two\n"));

	/* Hand edit: refused, naming the file; --force replaces it. */
	FILE *f = fopen(file, "a");
	fputs("# mine\n", f);
	fclose(f);
	free(why), why = NULL;
	CHECK(outdir_write(path, &t1, "x.service", &o, &res, &why) == 0 && res == OUTDIR_REFUSED);
	CHECK(why && strstr(why, "/sv/x/run was edited"));
	CHECK(strstr(slurp(file), "# mine"));
	o.force = true;
	CHECK(outdir_write(path, &t1, "x.service", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	CHECK(!strcmp(slurp(file), "#!/bin/sh\necho one\n"));
	o.force = false;

	/* An unlisted file (say a hand-made 'down') would be lost: refused. */
	snprintf(file, sizeof(file), "%s/down", path);
	fclose(fopen(file, "w"));
	free(why), why = NULL;
	CHECK(outdir_write(path, &t2, "x.service", &o, &res, &why) == 0 && res == OUTDIR_REFUSED);
	CHECK(why && strstr(why, "/sv/x/down was not written by klein-porter"));
	unlink(file);

	/* A directory klein-porter did not write is refused. */
	char foreign[300];
	snprintf(foreign, sizeof(foreign), "%s/sv/y", base);
	mkdir(foreign, 0755);
	free(why), why = NULL;
	CHECK(outdir_write(foreign, &t1, "y.service", &o, &res, &why) == 0 &&
	      res == OUTDIR_REFUSED);
	CHECK(why && strstr(why, "not written by klein-porter"));

	/* Links: created, unchanged, a different one refused unless forced. */
	char link[300];
	snprintf(link, sizeof(link), "%s/service/x", base);
	CHECK(outdir_link(link, "/etc/sv/x", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	CHECK(outdir_link(link, "/etc/sv/x", &o, &res, &why) == 0 && res == OUTDIR_UNCHANGED);
	free(why), why = NULL;
	CHECK(outdir_link(link, "/etc/sv/z", &o, &res, &why) == 0 && res == OUTDIR_REFUSED);
	o.force = true;
	CHECK(outdir_link(link, "/etc/sv/z", &o, &res, &why) == 0 && res == OUTDIR_WRITTEN);
	memset(target, 0, sizeof(target));
	CHECK(readlink(link, target, sizeof(target) - 1) > 0 && !strcmp(target, "/etc/sv/z"));
	free(why);

	RUN(test_root_confinement_chase);
	RUN(test_modes_are_edits);
	RUN(test_modes_whatever_umask);
	RUN(test_stale_temporaries);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		check_failed++;
	return check_done();
}
