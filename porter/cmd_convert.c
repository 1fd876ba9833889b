/* SPDX-License-Identifier: MIT */
/* convert: systemd units -> runit service directories (the CLI: arguments,
 * files, stdout/stderr and exit codes; the work is in translate/emit/outdir). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "convert.h"
#include "config.h"
#include "emit.h"
#include "load.h"
#include "outdir.h"
#include "timer_plan.h"
#include "tr.h"
#include "translate.h"
#include "unitpath.h"
#include "sdversion.h"

static const char usage_text[] =
	"usage: klein-porter convert [OPTIONS] UNIT...\n"
	"       klein-porter convert [OPTIONS] --enabled\n"
	"\n"
	"Writes a runit service directory SV/NAME for each systemd service UNIT (a unit\n"
	"name on the search path under --root, or a path to a unit file) and enables it\n"
	"with the symlink SERVICE/NAME -> SV/NAME. NAME is the unit name without\n"
	"\".service\" (template instances as foo@bar).\n"
	"\n"
	"options:\n"
	"  --root DIR          the image root the units, SV and SERVICE are in (default /)\n"
	"  --sv-dir DIR        where service directories go, inside the root (default /etc/sv)\n"
	"  --service-dir DIR   runsvdir's scan directory, inside the root (default /etc/service)\n"
	"  --instance NAME     the instance for a template unit given without one\n"
	"  --systemd VERSION   read units as systemd 252, 255 or 257 does (default: porter.conf's\n"
	"                      `systemd =`, else the root's os-release: Debian 12 252, Ubuntu\n"
	"                      24.04 255, Debian 13 and anything else 257)\n"
	"  --config FILE       porter.conf (default ROOT/etc/klein/porter.conf; optional)\n"
	"  --enabled           convert every service and timer the root enables (*.wants/,\n"
	"                      *.requires/ under ROOT/etc/systemd/system); a timer brings the\n"
	"                      service it starts; other unit types are skipped\n"
	"  --no-enable         write the service directory but not the SERVICE/NAME link\n"
	"  --strict            a dropped or approximated directive refuses the unit\n"
	"  --force             replace directories/links klein-porter did not write, or\n"
	"                      whose files were edited by hand\n"
	"  --dry-run           print the files that would be written; write nothing\n"
	"  -h, --help          this text\n"
	"\n"
	"stderr gets one summary line per unit, then \"path:line: warning: ...\" for every\n"
	"directive that was dropped or approximated. Writes are atomic; running convert\n"
	"twice changes nothing.\n"
	"\n"
	"exit status (with several units, the worst: 3, then 1):\n"
	"  0  converted: every unit written, already up to date, or skipped by porter.conf\n"
	"  1  refused or failed: a unit not found, masked, with a bad setting or no\n"
	"     ExecStart=, warnings under --strict, or a target not klein-porter's or\n"
	"     edited by hand (without --force)\n"
	"  2  usage: a bad option or argument, or a bad porter.conf\n"
	"  3  I/O error: a directory or file that cannot be read or written, out of memory\n";

/* Paths inside the root: ROOT + /etc/sv + /NAME, without doubled slashes
 * (unlike unitpath_rooted(), a root "/" or "/x/" loses its trailing slash). */
static char *
root_join(const char *a, const char *b, const char *c)
{
	char *s = NULL;
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	if (asprintf(&s, "%.*s%s%s%s", (int)la, a, b[0] == '/' ? "" : "/", b, c) < 0)
		return NULL;
	return s;
}

void
convert_print_tree(const char *dir, const struct emit_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].symlink)
			printf("==> %s/%s -> %s <==\n", dir, t->v[i].path, t->v[i].text);
		else
			printf("==> %s/%s (%04o) <==\n%s", dir, t->v[i].path, t->v[i].mode,
			       t->v[i].text);
	}
}

int
convert_write(const struct convert_args *a, const char *name, const char *source,
	      const struct emit_tree *t, const char *in_image_dir)
{
	/* In-image paths, resolved inside the root (see outdir.h). */
	struct outdir_options oo = { .force = a->force, .fail_after = -1, .root = a->root };
	enum outdir_result res;
	char *why = NULL;
	int r = outdir_write(in_image_dir, t, source, &oo, &res, &why);
	int code = EXIT_OK;
	if (r < 0) {
		fprintf(stderr, "klein-porter: %s: %s\n", why ? why : in_image_dir, strerror(-r));
		code = EXIT_IO;
	} else if (res == OUTDIR_REFUSED) {
		fprintf(stderr, "klein-porter: error: %s; not overwritten (use --force)\n",
			why ? why : in_image_dir);
		code = EXIT_REFUSED;
	}
	free(why), why = NULL;
	if (code == EXIT_OK && !a->no_enable) {
		char *link = root_join(a->service_dir, name, "");
		r = link ? outdir_link(link, in_image_dir, &oo, &res, &why) : -ENOMEM;
		if (r < 0) {
			fprintf(stderr, "klein-porter: %s: %s\n", why ? why : "link", strerror(-r));
			code = EXIT_IO;
		} else if (res == OUTDIR_REFUSED) {
			fprintf(stderr, "klein-porter: error: %s; not replaced (use --force)\n",
				why ? why : link);
			code = EXIT_REFUSED;
		}
		free(link), free(why);
	}
	return code;
}

/* Generated headers name in-image paths: ROOT/lib/x.service -> /lib/x.service. */
void
convert_strip_root(const char *root, char **path)
{
	size_t n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		n--;
	if (!*path || n == 0 || strncmp(*path, root, n) || (*path)[n] != '/')
		return;
	memmove(*path, *path + n, strlen(*path + n) + 1);
}

int
convert_one(const struct convert_args *a, const struct porter_conf *conf, const char *name,
	    char *const *sockets, size_t n_sockets, bool timer_target)
{
	struct load_options lo = { .root = a->root,
				   .instance = a->instance,
				   .systemd = a->systemd };
	struct unit u = { 0 };
	struct diag d = { 0 };
	struct run_plan p;
	struct emit_tree t = { 0 };
	int code = EXIT_OK;

	int r = unit_load(name, &lo, &u, &d);
	if (r < 0) {
		diag_print(&d, stderr, "klein-porter");
		fprintf(stderr, "%s: failed: cannot load: %s\n", name, strerror(-r));
		diag_done(&d);
		return r == -EINVAL ? EXIT_REFUSED : EXIT_IO;
	}
	const struct porter_unit_conf *uc = config_unit(conf, u.name);
	if (uc && uc->skip) {
		fprintf(stderr, "%s: skipped (porter.conf: skip = true)\n", u.name);
		unit_done(&u), diag_done(&d);
		return EXIT_OK;
	}
	struct translate_options to = {
		.log = uc && uc->log ? uc->log : conf->log,
		.restart = uc && uc->restart ? uc->restart : conf->restart,
		.log_dir = conf->log_dir,
		.log_max_size = conf->log_max_size,
		.type = uc ? uc->type : NULL,
		.exec_start = uc ? uc->exec_start : NULL,
		.env = uc ? uc->env : NULL,
		.n_env = uc ? uc->n_env : 0,
	};
	r = translate_unit(&u, &to, &p, &d);
	if (r == 0)
		p.timer_target = timer_target;
	for (size_t i = 0; r == 0 && i < n_sockets; i++)
		r = tr_strv_push(&p.sockets, &p.n_sockets, sockets[i]);
	size_t nw = diag_count(&d, DIAG_WARNING);
	char *in_image = NULL;
	if (r == 0 && a->strict && nw) {
		fprintf(stderr, "%s: refused (--strict): %zu warning%s\n", u.name, nw,
			nw == 1 ? "" : "s");
		code = EXIT_REFUSED;
	} else if (r < 0 || diag_count(&d, DIAG_ERROR)) {
		fprintf(stderr, "%s: refused\n", u.name);
		code = r == -ENOMEM ? EXIT_IO : EXIT_REFUSED;
	} else {
		struct emit_options eo = { "/run/runit/supervise", a->service_dir };
		convert_strip_root(a->root, &p.fragment);
		for (size_t i = 0; i < p.n_dropins; i++)
			convert_strip_root(a->root, &p.dropins[i]);
		in_image = root_join(a->sv_dir, p.name, "");
		if (!in_image || emit_tree(&p, &eo, &t) < 0) {
			code = EXIT_IO;
		} else {
			/* The summary after the write: a refusal is never
			 * preceded by a line that reads like success. */
			if (!a->dry_run)
				code = convert_write(a, p.name, p.fragment ? p.fragment : p.unit,
						     &t, in_image);
			if (code == EXIT_OK)
				fprintf(stderr, "%s: %s%s, Type=%s: %s, %zu warning%s\n", u.name,
					a->dry_run ? "would write " : "", in_image, p.type_name,
					translate_strategy(&p), nw, nw == 1 ? "" : "s");
			else
				fprintf(stderr, "%s: %s\n", u.name,
					code == EXIT_REFUSED ? "refused" : "failed");
			if (a->dry_run)
				convert_print_tree(in_image, &t);
		}
	}
	diag_print(&d, stderr, "klein-porter");
	if (r == 0)
		run_plan_done(&p);
	free(in_image);
	emit_tree_done(&t);
	unit_done(&u);
	diag_done(&d);
	return code;
}

/* A .timer: its own service directory running `klein-svc timer`, and the
 * service it starts, converted with a down file (docs/timers.md). */
int
convert_timer(const struct convert_args *a, const struct porter_conf *conf, const char *name)
{
	struct load_options lo = { .root = a->root,
				   .instance = a->instance,
				   .systemd = a->systemd };
	struct unit u = { 0 };
	struct diag d = { 0 };
	struct timer_plan p = { 0 };
	struct emit_tree t = { 0 };
	char *in_image = NULL, *run = NULL, *sup = NULL;
	int code = EXIT_OK, r = unit_load(name, &lo, &u, &d);

	if (r < 0) {
		diag_print(&d, stderr, "klein-porter");
		fprintf(stderr, "%s: failed: cannot load: %s\n", name, strerror(-r));
		diag_done(&d);
		return r == -EINVAL ? EXIT_REFUSED : EXIT_IO;
	}
	r = u.state == UNIT_LOADED ? timer_translate(&u, &p, &d) : -EINVAL;
	if (r < 0 || (a->strict && diag_count(&d, DIAG_WARNING))) {
		fprintf(stderr, "%s: refused\n", u.name);
		code = r == -ENOMEM ? EXIT_IO : EXIT_REFUSED;
		goto out;
	}
	convert_strip_root(a->root, &p.fragment);
	in_image = root_join(a->sv_dir, p.name, "");
	run = timer_emit_run(&p, a->service_dir);
	sup = root_join("/run/runit/supervise/", p.name, "");
	t.v = calloc(2, sizeof(*t.v));
	if (!in_image || !run || !sup || !t.v) {
		code = EXIT_IO;
		goto out;
	}
	t.v[0] = (struct emit_file){ strdup("run"), run, 0755, false };
	t.v[1] = (struct emit_file){ strdup("supervise"), sup, 0, true };
	t.n = 2;
	run = sup = NULL;
	/* The summary after the write, as for services. */
	if (!a->dry_run)
		code = convert_write(a, p.name, p.fragment ? p.fragment : p.unit, &t, in_image);
	if (code == EXIT_OK)
		fprintf(stderr, "%s: %s%s, starts %s: %zu warning%s\n", u.name,
			a->dry_run ? "would write " : "", in_image, p.target,
			diag_count(&d, DIAG_WARNING), diag_count(&d, DIAG_WARNING) == 1 ? "" : "s");
	else
		fprintf(stderr, "%s: %s\n", u.name, code == EXIT_REFUSED ? "refused" : "failed");
	if (a->dry_run)
		convert_print_tree(in_image, &t);
	diag_print(&d, stderr, "klein-porter");
	diag_done(&d);
	if (code == EXIT_OK) {
		/* A timer given as a path: its service beside it, else by name. */
		const char *slash = strrchr(name, '/');
		char *beside = slash ? malloc((size_t)(slash - name) + strlen(p.target) + 2) : NULL;

		if (beside)
			sprintf(beside, "%.*s/%s", (int)(slash - name), name, p.target);
		code = convert_worse(
			code,
			convert_one(a, conf, beside && !access(beside, F_OK) ? beside : p.target,
				    NULL, 0, true));
		free(beside);
	}
out:
	diag_print(&d, stderr, "klein-porter");
	free(in_image), free(run), free(sup);
	emit_tree_done(&t);
	timer_plan_done(&p);
	unit_done(&u);
	diag_done(&d);
	return code;
}

int
convert_worse(int a, int b)
{
	/* I/O beats refusal beats success. */
	return a == EXIT_IO || b == EXIT_IO ? EXIT_IO : a > b ? a : b;
}

static int
parse_args(int argc, char **argv, struct convert_args *a)
{
	enum {
		O_ROOT = 256,
		O_SV,
		O_SERVICE,
		O_INSTANCE,
		O_SYSTEMD,
		O_CONFIG,
		O_NOENABLE,
		O_STRICT,
		O_FORCE,
		O_DRY,
		O_ENABLED,
		O_HELP
	};
	static const struct option opts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "sv-dir", required_argument, NULL, O_SV },
		{ "service-dir", required_argument, NULL, O_SERVICE },
		{ "instance", required_argument, NULL, O_INSTANCE },
		{ "systemd", required_argument, NULL, O_SYSTEMD },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "no-enable", no_argument, NULL, O_NOENABLE },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "force", no_argument, NULL, O_FORCE },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "enabled", no_argument, NULL, O_ENABLED },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 1;
	for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
		switch (c) {
		case O_ROOT:
			a->root = optarg;
			break;
		case O_SV:
			a->sv_dir = optarg;
			break;
		case O_SERVICE:
			a->service_dir = optarg;
			break;
		case O_INSTANCE:
			a->instance = optarg;
			break;
		case O_SYSTEMD:
			a->systemd_opt = optarg;
			break;
		case O_CONFIG:
			a->config = optarg;
			break;
		case O_NOENABLE:
			a->no_enable = true;
			break;
		case O_STRICT:
			a->strict = true;
			break;
		case O_FORCE:
			a->force = true;
			break;
		case O_DRY:
			a->dry_run = true;
			break;
		case O_ENABLED:
			a->enabled = true;
			break;
		case 'h':
		case O_HELP:
			fputs(usage_text, stdout);
			return -1;
		default:
			return -2;
		}
	}
	if (a->sv_dir[0] != '/' || a->service_dir[0] != '/') {
		fprintf(stderr,
			"klein-porter convert: --sv-dir and --service-dir must be absolute paths inside the root\n");
		return -2;
	}
	if (a->enabled == (optind < argc)) {
		fprintf(stderr, "klein-porter convert: give UNIT names or --enabled (not both)\n");
		return -2;
	}
	return optind;
}

int
cmd_convert(int argc, char **argv)
{
	struct convert_args a = { .root = "/", .sv_dir = "/etc/sv", .service_dir = "/etc/service" };
	int first = parse_args(argc, argv, &a);
	if (first == -1)
		return EXIT_OK;
	if (first < 0) {
		fputs("Try 'klein-porter convert --help'.\n", stderr);
		return EXIT_USAGE;
	}
	struct diag d = { 0 };
	struct porter_conf conf;
	char *conf_path =
		a.config ? strdup(a.config) : unitpath_resolved(a.root, "/etc/klein/porter.conf");
	int r = conf_path ? config_load(conf_path, a.config != NULL, &conf, &d) : -ENOMEM;
	diag_print(&d, stderr, "klein-porter");
	diag_done(&d);
	free(conf_path);
	if (r < 0)
		return r == -ENOMEM ? EXIT_IO : EXIT_USAGE;
	char why_buf[256];
	const char *why;
	if (sdversion_choose(a.systemd_opt, conf.systemd, a.root, why_buf, sizeof(why_buf),
			     &a.systemd, &why) < 0) {
		fprintf(stderr,
			"klein-porter convert: --systemd %s: not a version klein-porter reads (%s)\n",
			a.systemd_opt, sdversion_known());
		config_done(&conf);
		return EXIT_USAGE;
	}
	(void)why; /* inspect prints it; convert's output stays one line per unit */

	char **names = argv + first;
	size_t n = (size_t)(argc - first);
	char **found = NULL;
	int code = EXIT_OK;
	if (a.enabled) {
		r = discover_enabled(a.root, &found, &n);
		if (r < 0) {
			fprintf(stderr, "klein-porter: %s/etc/systemd/system: %s\n", a.root,
				strerror(-r));
			config_done(&conf);
			return EXIT_IO;
		}
		names = found;
		if (!n)
			fprintf(stderr, "klein-porter: no enabled service units under %s\n",
				a.root);
	}
	code = convert_units(&a, &conf, names, n);
	for (size_t i = 0; found && i < n; i++)
		free(found[i]);
	free(found);
	config_done(&conf);
	fflush(stdout);
	return code;
}
