/* SPDX-License-Identifier: MIT */
/* inspect: print how systemd (252, 255 or 257) reads a unit, as one JSON object. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "cli.h"
#include "config.h"
#include "load.h"
#include "sdversion.h"

#include "lib/diag.h"
#include "lib/utf8.h"

static int
usage(FILE *f, int code)
{
	fprintf(f,
		"usage: klein-porter inspect [--root DIR] [--instance NAME] [--systemd VERSION] UNIT\n"
		"\n"
		"Loads UNIT (a unit name on the search path under DIR, or a path to a unit\n"
		"file) as systemd VERSION (252, 255 or 257) would, and prints the result as\n"
		"JSON on stdout, with the version used (\"systemd\") and why (\"systemd_from\").\n"
		"The default: porter.conf's `systemd =`, else DIR's os-release (Debian 12: 252,\n"
		"Ubuntu 24.04: 255, Debian 13: 257, anything else: 257).\n"
		"Diagnostics go to stderr as PATH:LINE: warning|error: MESSAGE.\n"
		"\n"
		"exit status: 0 loaded, 1 refused/masked/not found, 2 usage, 3 I/O error\n");
	return code;
}

/* Serializes a string: valid UTF-8 as is, each byte of invalid UTF-8 as the
 * lone surrogate \udcXX (Python's "surrogateescape" convention), so the
 * original bytes can always be recovered. */
static int
string_serializer(struct json_object *jso, struct printbuf *pb, int level, int flags)
{
	const unsigned char *s = (const unsigned char *)json_object_get_string(jso);
	size_t n = (size_t)json_object_get_string_len(jso);
	char tmp[16];

	(void)level;
	(void)flags;
	printbuf_memappend(pb, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(s + i, n - i);

		if (!l) {
			snprintf(tmp, sizeof(tmp), "\\udc%02x", s[i]);
			printbuf_memappend(pb, tmp, 6);
			i++;
		} else if (s[i] == '"' || s[i] == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)s[i];
			printbuf_memappend(pb, tmp, 2);
			i++;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			const char *e = s[i] == '\n' ? "\\n" : s[i] == '\t' ? "\\t" : NULL;

			if (e)
				printbuf_memappend(pb, e, 2);
			else {
				snprintf(tmp, sizeof(tmp), "\\u%04x", s[i]);
				printbuf_memappend(pb, tmp, 6);
			}
			i++;
		} else {
			printbuf_memappend(pb, (const char *)s + i, (int)l);
			i += l;
		}
	}
	printbuf_memappend(pb, "\"", 1);
	return 0;
}

static struct json_object *
jstr(const char *s)
{
	struct json_object *o = json_object_new_string(s ? s : "");

	if (o)
		json_object_set_serializer(o, string_serializer, NULL, NULL);
	return o;
}

static struct json_object *
jstrv(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, jstr(v[i]));
	return a;
}

static struct json_object *
jsection(struct json_object *settings, const char *name)
{
	struct json_object *s;

	if (json_object_object_get_ex(settings, name, &s))
		return s;
	s = json_object_new_object();
	json_object_object_add(settings, name, s);
	return s;
}

static struct json_object *
unit_to_json(const struct unit *u, const struct diag *d)
{
	struct json_object *o = json_object_new_object(), *settings, *exec, *diags;
	static const struct {
		unsigned flag;
		const char *name;
	} flags[] = {
		{ EXEC_IGNORE_FAILURE, "ignore-failure" },
		{ EXEC_NO_ENV_EXPAND, "no-env-expand" },
		{ EXEC_FULL_PRIVILEGES, "full-privileges" },
		{ EXEC_NO_SETUID, "no-setuid" },
		{ EXEC_AMBIENT, "ambient" },
	};

	json_object_object_add(o, "name", jstr(u->name));
	json_object_object_add(o, "fragment", u->fragment ? jstr(u->fragment) : NULL);
	json_object_object_add(o, "dropins", jstrv(u->dropins, u->n_dropins));
	json_object_object_add(o, "state", jstr(unit_state_name(u->state)));

	settings = json_object_new_object();
	for (size_t i = 0; i < u->n_settings; i++) {
		const struct setting *s = &u->settings[i];
		struct json_object *sec;

		if (!s->n_values)
			continue;
		sec = jsection(settings, s->section);
		json_object_object_add(sec, s->key,
				       s->is_list ? jstrv(s->values, s->n_values)
						  : jstr(s->values[0]));
	}
	json_object_object_add(o, "settings", settings);
	json_object_object_add(o, "environment", jstrv(u->environment, u->n_environment));

	exec = json_object_new_object();
	for (size_t i = 0; i < u->n_exec; i++) {
		const struct exec_list *e = &u->exec[i];
		struct json_object *arr;

		if (!e->n)
			continue;
		arr = json_object_new_array();
		for (size_t j = 0; j < e->n; j++) {
			const struct exec_command *c = &e->v[j];
			struct json_object *cmd = json_object_new_object(), *fl;

			json_object_object_add(cmd, "path", jstr(c->path));
			json_object_object_add(cmd, "argv", jstrv(c->argv, c->argc));
			fl = json_object_new_array();
			for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
				if (c->flags & flags[k].flag)
					json_object_array_add(fl, jstr(flags[k].name));
			json_object_object_add(cmd, "flags", fl);
			json_object_array_add(arr, cmd);
		}
		json_object_object_add(exec, e->key, arr);
	}
	json_object_object_add(o, "exec", exec);

	diags = json_object_new_array();
	for (size_t i = 0; d && i < d->n; i++) {
		const struct diag_entry *e = &d->v[i];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "file", e->file ? jstr(e->file) : NULL);
		json_object_object_add(j, "line", json_object_new_int((int)e->line));
		json_object_object_add(j, "severity",
				       jstr(e->severity == DIAG_ERROR ? "error" : "warning"));
		json_object_object_add(j, "message", jstr(e->message));
		json_object_array_add(diags, j);
	}
	json_object_object_add(o, "diagnostics", diags);
	return o;
}

/* --systemd, else porter.conf's `systemd =` under the root, else the
 * root's os-release. Returns 0, or -1 after a message (usage error). */
static int
choose_version(const char *opt, struct load_options *lo, char *buf, size_t size, const char **why)
{
	const char *root = lo->root && *lo->root ? lo->root : "/";
	struct porter_conf conf = { 0 };
	struct diag d = { 0 };
	char path[4096];
	int r = 0;

	if (!opt) {
		snprintf(path, sizeof(path), "%s/etc/klein/porter.conf",
			 strcmp(root, "/") ? root : "");
		r = config_load(path, false, &conf, &d);
		diag_print(&d, stderr, "klein-porter inspect");
		diag_done(&d);
		if (r < 0)
			return -1;
	}
	r = sdversion_choose(opt, conf.systemd, root, buf, size, &lo->systemd, why);
	config_done(&conf);
	if (r < 0)
		fprintf(stderr,
			"klein-porter inspect: --systemd %s: not a version klein-porter reads (%s)\n",
			opt, sdversion_known());
	return r < 0 ? -1 : 0;
}

int
cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "instance", required_argument, NULL, 'i' },
		{ "systemd", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_options lo = { 0 };
	struct diag d = { 0 };
	struct unit u;
	struct json_object *j;
	const char *text, *sd_opt = NULL, *why = NULL;
	char why_buf[256];
	int c, r, code;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:i:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			lo.root = optarg;
			break;
		case 'i':
			lo.instance = optarg;
			break;
		case 's':
			sd_opt = optarg;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			fprintf(stderr, "klein-porter inspect: bad option '%s'\n",
				argv[optind - 1]);
			return usage(stderr, 2);
		}
	}
	if (argc - optind != 1)
		return usage(stderr, 2);
	if (choose_version(sd_opt, &lo, why_buf, sizeof(why_buf), &why) < 0)
		return 2;

	r = unit_load(argv[optind], &lo, &u, &d);
	if (r < 0) {
		diag_print(&d, stderr, "klein-porter inspect");
		if (r != -EINVAL)
			fprintf(stderr, "klein-porter inspect: %s: %s\n", argv[optind],
				strerror(-r));
		diag_done(&d);
		return r == -EINVAL ? 2 : 3;
	}
	diag_print(&d, stderr, "klein-porter inspect");
	j = unit_to_json(&u, &d);
	if (j) {
		json_object_object_add(j, "systemd", json_object_new_int((int)u.systemd));
		json_object_object_add(j, "systemd_from", jstr(why));
	}
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE)
		 : NULL;
	code = u.state == UNIT_LOADED ? 0 : 1;
	if (!text || printf("%s\n", text) < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "klein-porter inspect: cannot write output\n");
		code = 3;
	}
	json_object_put(j);
	unit_done(&u);
	diag_done(&d);
	return code;
}
