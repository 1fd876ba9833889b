/* SPDX-License-Identifier: MIT */
/* tr_env: rules for the process environment and its standard streams. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"
#include "values.h"
#include "words.h"

int
tr_env_file(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	tr_strv_free(p->env_files, p->n_env_files);
	p->env_files = NULL, p->n_env_files = 0;
	for (size_t i = 0; i < s->n_values; i++) {
		const char *v = s->values[i];
		if (!v[0]) {
			tr_strv_free(p->env_files, p->n_env_files);
			p->env_files = NULL, p->n_env_files = 0;
			continue;
		}
		if ((v[0] == '-' ? v[1] : v[0]) != '/') {
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "EnvironmentFile=%s: path is not absolute, ignored", v);
			continue;
		}
		/* A glob is fine: klein-svc expands it at start (every match, sorted). */
		int r = tr_strv_push(&p->env_files, &p->n_env_files, v);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ExecSearchPath=: systemd looks commands up there and makes it $PATH unless
 * Environment=/EnvironmentFile= set PATH; klein-svc searches the final
 * environment's PATH, so it becomes an --env PATH= before Environment=.
 * Several assignments append; an empty one resets. */
int
tr_exec_search_path(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	for (size_t i = 0; i < s->n_values; i++) {
		const char *v = s->values[i];
		if (!v[0]) {
			free(p->exec_search_path);
			p->exec_search_path = NULL;
			continue;
		}
		bool ok = true;
		for (const char *x = v; *x && ok; x += strcspn(x, ":"), x += *x == ':')
			ok = *x == '/';
		if (!ok) {
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "ExecSearchPath=%s: not a list of absolute paths, ignored", v);
			continue;
		}
		char *n = NULL;
		if (asprintf(&n, "%s%s%s", p->exec_search_path ? p->exec_search_path : "",
			     p->exec_search_path ? ":" : "", v) < 0)
			return -ENOMEM;
		free(p->exec_search_path);
		p->exec_search_path = n;
	}
	return 0;
}

int
tr_unset_env(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return tr_each_word(s, &p->unset_env, &p->n_unset_env);
}

int
tr_pass_env(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)why, (void)d;
	/* Services inherit the whole container environment, so every name is passed. */
	return 0;
}

/* StandardInput/Output/Error. */
int
tr_stdio(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = tr_last(s);
	bool in = !strcmp(s->key, "StandardInput");
	struct plan_io *io = in ? &p->in : !strcmp(s->key, "StandardOutput") ? &p->out : &p->err;
	static const struct {
		const char *prefix;
		enum plan_stdio kind;
	} files[] = { { "file:", PLAN_IO_FILE },
		      { "append:", PLAN_IO_APPEND },
		      { "truncate:", PLAN_IO_TRUNCATE } };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (!strncmp(v, files[i].prefix, strlen(files[i].prefix))) {
			const char *path = v + strlen(files[i].prefix);
			if (path[0] != '/' || (in && files[i].kind != PLAN_IO_FILE)) {
				tr_warn(d, s, NULL, "not an absolute file, ignored");
				return 0;
			}
			io->kind = files[i].kind;
			return tr_set_str(&io->path, path);
		}
	if (!strcmp(v, "null")) {
		io->kind = PLAN_IO_NULL;
	} else if (!strcmp(v, "tty") || !strcmp(v, "tty-force") || !strcmp(v, "tty-fail")) {
		io->kind = PLAN_IO_CONSOLE;
		tr_warn(d, s, NULL, "approximated with /dev/console (TTYPath= is not used)");
	} else if (!in && (!strcmp(v, "inherit"))) {
		/* stdout: what systemd itself writes to (the container's output);
		 * stderr: the same as stdout. */
		io->kind = io == &p->out ? PLAN_IO_LOG : PLAN_IO_INHERIT;
	} else if (!in && (!strcmp(v, "journal") || !strcmp(v, "syslog") || !strcmp(v, "kmsg") ||
			   !strcmp(v, "journal+console") || !strcmp(v, "syslog+console") ||
			   !strcmp(v, "kmsg+console"))) {
		io->kind = PLAN_IO_LOG;
	} else if (!strcmp(v, "socket") || !strncmp(v, "fd:", 3) || !strcmp(v, "data")) {
		tr_warn(d, s, NULL,
			"dropped: there is no socket activation or file descriptor store; "
			"the default is used");
	} else {
		tr_warn(d, s, NULL, "unknown value, ignored");
	}
	return 0;
}
