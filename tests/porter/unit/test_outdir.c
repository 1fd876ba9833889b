/* SPDX-License-Identifier: MIT */
/* outdir.c: atomic replacement (a failure midway leaves the previous state),
 * hand-edit detection, --force, idempotence, links. */
/* Fixtures point plan and tree fields at string literals. */
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
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

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		check_failed++;
	return check_done();
}
