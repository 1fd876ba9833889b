/* SPDX-License-Identifier: MIT */
/* discover: what `convert --enabled` converts: the generators' output, then
 * every unit the root's targets pull in (.wants/.requires links in every
 * search directory, Wants=/Requires= of targets), as systemd's transaction would. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "convert.h"
#include "load.h"
#include "tr.h"
#include "unitpath.h"

/* How long one generator may run (systemd gives them all 90 s together). */
#define GENERATOR_TIMEOUT_MS 10000

/* systemd 252's generator directories, highest priority first. */
static const char *const generator_dirs[] = {
	"/run/systemd/system-generators",	    "/etc/systemd/system-generators",
	"/usr/local/lib/systemd/system-generators", "/usr/lib/systemd/system-generators",
	"/lib/systemd/system-generators",	    NULL,
};
static const char *const output_dirs[] = { "/run/systemd/generator", "/run/systemd/generator.early",
					   "/run/systemd/generator.late" };
/* Always followed: what multi-user.target pulls in on a server. */
static const char *const start_targets[] = { "default.target", "multi-user.target", "basic.target",
					     "sockets.target", "timers.target" };

static void
rm_rf(const char *path)
{
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
			break;
		if (e->d_type == DT_DIR)
			rm_rf(sub);
		else
			(void)unlink(sub);
		free(sub);
	}
	if (d)
		closedir(d);
	(void)rmdir(path);
}

/* Runs one generator with the three output directories; bounded in time. */
static void
run_generator(const char *path, char *const outs[3])
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(2, 1); /* its messages go with ours */
		setenv("SYSTEMD_SCOPE", "system", 1);
		setenv("SYSTEMD_IN_INITRD", "0", 1);
		execl(path, path, outs[0], outs[1], outs[2], (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "klein-porter: generator %s: cannot fork\n", path);
		return;
	}
	int status = 0;
	for (int ms = 0;; ms += 20) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (ms >= GENERATOR_TIMEOUT_MS) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "klein-porter: generator %s: killed after %d s; going on\n",
				path, GENERATOR_TIMEOUT_MS / 1000);
			return;
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "klein-porter: generator %s: failed (%s %d); going on\n", path,
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* systemd's generators, each name once (the first directory wins), in name
 * order, with output under ROOT/run/systemd/generator{,.early,.late}. */
static int
run_generators(const char *root)
{
	char *outs[3] = { 0 }, **names = NULL, **paths = NULL;
	size_t n = 0, np = 0;
	int r = 0;
	/* Parents first: each path is resolved inside the root (unitpath_rooted)
	 * only once the directory above it exists. */
	static const char *const parents[] = { "/run", "/run/systemd" };
	for (int i = 0; i < 2; i++) {
		char *p = unitpath_rooted(root, parents[i]);
		if (p)
			(void)mkdir(p, 0755);
		free(p);
	}
	for (int i = 0; i < 3 && r == 0; i++) {
		if (!(outs[i] = unitpath_rooted(root, output_dirs[i])))
			r = -ENOMEM;
		else {
			rm_rf(outs[i]); /* systemd regenerates them at every boot */
			if (mkdir(outs[i], 0755) < 0 && errno != EEXIST)
				r = -errno;
		}
	}
	for (size_t i = 0; r == 0 && generator_dirs[i]; i++) {
		char *dir = unitpath_rooted(root, generator_dirs[i]);
		DIR *d = dir ? opendir(dir) : NULL;
		for (struct dirent *e; d && (e = readdir(d));) {
			bool seen = e->d_name[0] == '.';
			for (size_t k = 0; k < n && !seen; k++)
				seen = !strcmp(names[k], e->d_name);
			char *p = NULL;
			if (seen || asprintf(&p, "%s/%s", dir, e->d_name) < 0)
				continue;
			if (access(p, X_OK) == 0 && tr_strv_push(&names, &n, e->d_name) == 0)
				(void)tr_strv_push(&paths, &np, p);
			free(p);
		}
		if (d)
			closedir(d);
		free(dir);
	}
	for (size_t i = 0; i < np; i++)
		run_generator(paths[i], outs);
	tr_strv_free(names, n), tr_strv_free(paths, np);
	for (int i = 0; i < 3; i++)
		free(outs[i]);
	return r;
}

struct discovery {
	const char *root;
	char **units, **queue, **followed;
	size_t n_units, n_queue, n_followed;
};

/* Whether a unit file for name (or its template) is on the search path. A
 * Wants=/Requires= of a unit the image does not ship (rsyslog's Requires=
 * syslog.socket, from the systemd package) is skipped with a line, so that
 * one missing dependency does not fail the whole --enabled conversion. */
static bool
unit_exists(const char *root, const char *name)
{
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
	char *tmpl = NULL;
	bool found = false;

	if (at && dot && at < dot && asprintf(&tmpl, "%.*s%s", (int)(at - name + 1), name, dot) < 0)
		tmpl = NULL;
	for (size_t i = 0; !found && unit_search_path[i]; i++)
		for (int k = 0; !found && k < 2; k++) {
			const char *n = k ? tmpl : name;
			char *rel = NULL, *host = NULL;

			if (!n || asprintf(&rel, "%s/%s", unit_search_path[i], n) < 0)
				continue;
			host = unitpath_resolved(root, rel);
			found = host && access(host, F_OK) == 0;
			free(rel), free(host);
		}
	free(tmpl);
	return found;
}

static bool
has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* A unit some followed unit pulls in: converted, followed, or skipped (once). */
static void
pulled(struct discovery *f, const char *name, const char *by)
{
	const char *dot = strrchr(name, '.');
	if (!dot || has(f->units, f->n_units, name) || has(f->followed, f->n_followed, name))
		return;
	if (!strncmp(name, "systemd-", 8)) {
		(void)tr_strv_push(&f->followed, &f->n_followed, name);
		fprintf(stderr, "%s: skipped: part of systemd itself (wanted by %s)\n", name, by);
		return;
	}
	if (!strcmp(dot, ".target")) {
		(void)tr_strv_push(&f->followed, &f->n_followed, name);
		(void)tr_strv_push(&f->queue, &f->n_queue, name);
		return;
	}
	if (!strcmp(dot, ".service") || !strcmp(dot, ".socket") || !strcmp(dot, ".timer")) {
		if (!unit_exists(f->root, name)) {
			(void)tr_strv_push(&f->followed, &f->n_followed, name);
			fprintf(stderr, "%s: skipped: wanted by %s, but no such unit file\n", name,
				by);
			return;
		}
		(void)tr_strv_push(&f->units, &f->n_units, name);
		(void)tr_strv_push(&f->queue, &f->n_queue, name);
		return;
	}
	(void)tr_strv_push(&f->followed, &f->n_followed, name);
	fprintf(stderr,
		"%s: skipped: wanted by %s, but a %s unit has no runit equivalent "
		"(klein-porter converts services, sockets and timers)\n",
		name, by, dot);
}

/* NAME.wants/ and NAME.requires/ in every search directory. */
static void
follow_links(const char *root, struct discovery *f, const char *name)
{
	for (size_t i = 0; unit_search_path[i]; i++)
		for (int req = 0; req < 2; req++) {
			char *sys = NULL, *dir;
			if (asprintf(&sys, "%s/%s.%s", unit_search_path[i], name,
				     req ? "requires" : "wants") < 0)
				return;
			dir = unitpath_rooted(root, sys);
			free(sys);
			DIR *d = dir ? opendir(dir) : NULL;
			for (struct dirent *e; d && (e = readdir(d));)
				if (e->d_name[0] != '.')
					pulled(f, e->d_name, name);
			if (d)
				closedir(d);
			free(dir);
		}
}

/* Wants=/Requires= (and BindsTo=) of a pulled-in target, service or socket,
 * read by the unit loader (drop-ins, specifiers, resets): the transaction
 * starts those too (kresd.target Wants=kresd@1.service, rabbitmq-server.service
 * Wants=epmd.socket). */
static void
follow_unit_deps(const char *root, struct discovery *f, const char *name)
{
	static const char *const keys[] = { "Wants", "Requires", "BindsTo" };
	struct load_options lo = { .root = root };
	struct unit u = { 0 };
	struct diag d = { 0 };
	if (unit_load(name, &lo, &u, &d) == 0 && u.state == UNIT_LOADED)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const struct setting *s = unit_setting(&u, "Unit", keys[k]);
			for (size_t i = 0; s && i < s->n_values; i++)
				pulled(f, s->values[i], name);
		}
	unit_done(&u);
	diag_done(&d);
}

/* The old rule, kept: every unit linked from ROOT/etc/systemd/system/ *.wants|requires. */
static void
etc_links(const char *root, struct discovery *f)
{
	char *base = unitpath_rooted(root, "/etc/systemd/system");
	DIR *d = base ? opendir(base) : NULL;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l > 6 && !strcmp(e->d_name + l - 6, ".wants")) {
			char *owner = strndup(e->d_name, l - 6);
			if (owner)
				follow_links(root, f, owner);
			free(owner);
		} else if (l > 9 && !strcmp(e->d_name + l - 9, ".requires")) {
			char *owner = strndup(e->d_name, l - 9);
			if (owner)
				follow_links(root, f, owner);
			free(owner);
		}
	}
	if (d)
		closedir(d);
	free(base);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
discover_enabled(const char *root, char ***ret, size_t *ret_n)
{
	struct discovery f = { .root = root };
	int r = run_generators(root);
	if (r < 0)
		fprintf(stderr, "klein-porter: generators not run: %s\n", strerror(-r));
	for (size_t i = 0; i < sizeof(start_targets) / sizeof(start_targets[0]); i++)
		pulled(&f, start_targets[i], "the container");
	etc_links(root, &f);
	/* Breadth first: what each pulled-in unit pulls in, once each. */
	for (size_t i = 0; i < f.n_queue; i++) {
		follow_links(root, &f, f.queue[i]);
		const char *dot = strrchr(f.queue[i], '.');
		if (dot && (!strcmp(dot, ".target") || !strcmp(dot, ".service") ||
			    !strcmp(dot, ".socket")))
			follow_unit_deps(root, &f, f.queue[i]);
	}
	tr_strv_free(f.queue, f.n_queue);
	tr_strv_free(f.followed, f.n_followed);
	if (f.n_units)
		qsort(f.units, f.n_units, sizeof(*f.units), cmp_str);
	*ret = f.units, *ret_n = f.n_units;
	return 0;
}
