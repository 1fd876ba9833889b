/* SPDX-License-Identifier: MIT */
/* parse-corpus: times unit_load() over every .service file under a directory,
 * in one process, so the number is the parser's cost and not exec()'s. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/diag.h"
#include "load.h"

struct paths {
	char **v;
	size_t n, cap;
};

static int
paths_add(struct paths *p, const char *path)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 512;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n] = strdup(path);
	if (!p->v[p->n])
		return -ENOMEM;
	p->n++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects DIR/x.service and DIR/pkg/x.service (the corpus layout). */
static int
collect(const char *dir, int depth, struct paths *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return -errno;
	while (r == 0 && (e = readdir(d))) {
		char path[4096];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0 &&
		    (len < 2 || strcmp(e->d_name + len - 2, ".d")))
			r = collect(path, depth - 1, out);
		else if (S_ISREG(st.st_mode) && len > 8 && !strcmp(e->d_name + len - 8, ".service"))
			r = paths_add(out, path);
	}
	closedir(d);
	return r;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct paths p = { 0 };
	int rounds = 5;
	double best = -1;
	size_t loaded = 0, refused = 0, failed = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: parse-corpus DIR [ROUNDS]\n");
		return 2;
	}
	if (argc == 3)
		rounds = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
	if (access(argv[1], F_OK) < 0) {
		/* ctest's SKIP_RETURN_CODE: the corpus lives outside the repo. */
		printf("parse-corpus: SKIP: no corpus at %s\n", argv[1]);
		return 77;
	}
	if (collect(argv[1], 1, &p) < 0 || p.n == 0) {
		fprintf(stderr, "parse-corpus: no .service files under %s\n", argv[1]);
		return 1;
	}
	qsort(p.v, p.n, sizeof(*p.v), cmp_str);
	for (int round = 0; round < rounds; round++) {
		double t0 = now();

		loaded = refused = failed = 0;
		for (size_t i = 0; i < p.n; i++) {
			struct load_options o = { .root = NULL, .instance = "test" };
			struct unit u;
			struct diag d = { 0 };

			if (unit_load(p.v[i], &o, &u, &d) < 0) {
				failed++;
			} else {
				if (u.state == UNIT_LOADED)
					loaded++;
				else
					refused++;
				unit_done(&u);
			}
			diag_done(&d);
		}
		double t = now() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	printf("parse-corpus: %zu units (%zu loaded, %zu refused, %zu failed) in %.1f ms "
	       "(%.1f us/unit; best of %d rounds)\n",
	       p.n, loaded, refused, failed, best * 1e3, best * 1e6 / (double)p.n, rounds);
	for (size_t i = 0; i < p.n; i++)
		free(p.v[i]);
	free(p.v);
	return failed ? 1 : 0;
}
