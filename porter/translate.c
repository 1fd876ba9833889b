/* SPDX-License-Identifier: MIT */
/* translate: loaded unit -> struct run_plan through one table of directive rules. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "translate.h"
#include "values.h"
#include "words.h"

/* Value grammars (systemd 252, porter-reference.md 2.10); see the bottom of the file. */
static int tv_boolean(const char *s);
static int tv_timespan(const char *s, uint64_t *ret_usec);
static int tv_signal(const char *s);
static int tv_mode(const char *s, unsigned *ret);
static int tv_rlimit(const char *name, const char *s, char **ret);
static int tv_status_list(const char *s, int **codes, size_t *n_codes, int **sigs, size_t *n_sigs);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int
strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	nv[*n] = NULL;
	return 0;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool
strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static int
set_str(char **dst, const char *s)
{
	char *c = strdup(s);
	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

static const char *
last(const struct setting *s)
{
	return s->n_values ? s->values[s->n_values - 1] : "";
}

static void
warn(struct diag *d, const struct setting *s, const char *fmt, const char *why)
{
	diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING, "%s=%s: %s", s->key, last(s),
		 fmt ? fmt : why);
}

/* ---- directive handlers: each reads one setting into the plan ---- */

typedef int tr_fn(struct run_plan *p, const struct setting *s, const char *why, struct diag *d);

static int
tr_ignore(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)s, (void)why, (void)d;
	return 0;
}

static int
tr_drop(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p;
	diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING, "%s= dropped: %s", s->key, why);
	return 0;
}

static int
tr_description(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return set_str(&p->description, last(s));
}

static int
tr_type(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = last(s);
	if (!strcmp(v, "simple") || !strcmp(v, "exec") || !strcmp(v, "idle"))
		p->type = PLAN_SIMPLE;
	else if (!strcmp(v, "dbus")) {
		p->type = PLAN_SIMPLE;
		warn(d, s, NULL,
		     "run as Type=simple: there is no D-Bus name tracking, so readiness "
		     "is when the process starts, and D-Bus activation of this service does not work");
	} else if (!strcmp(v, "forking"))
		p->type = PLAN_FORKING;
	else if (!strcmp(v, "notify"))
		p->type = PLAN_NOTIFY;
	else if (!strcmp(v, "oneshot"))
		p->type = PLAN_ONESHOT;
	else {
		warn(d, s, NULL, "unknown service type, ignored (systemd keeps the default)");
		return 0;
	}
	return set_str(&p->type_name, v);
}

static int
tr_bool(const struct setting *s, bool *dst, struct diag *d)
{
	int b = tv_boolean(last(s));
	if (b < 0) {
		warn(d, s, NULL, "not a boolean, ignored");
		return 0;
	}
	*dst = b;
	return 0;
}

static int
tr_remain(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_bool(s, &p->remain_after_exit, d);
}

static int
tr_guess(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_bool(s, &p->guess_main_pid, d);
}

static int
tr_pso(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_bool(s, &p->permissions_start_only, d);
}

static int
tr_sigpipe(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_bool(s, &p->ignore_sigpipe, d);
}

static int
tr_sighup(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_bool(s, &p->send_sighup, d);
}

static int
tr_sigkill(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	/* klein-svc stop --final-signal none: no final kill, as systemd; a stuck
	 * service then stays up (wanted down) until it exits by itself. */
	return tr_bool(s, &p->send_sigkill, d);
}

static int
tr_pidfile(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	const char *v = last(s);
	if (v[0] == '/')
		return set_str(&p->pidfile, v);
	/* systemd 252: a relative PIDFile= is under /run. */
	char *abs = malloc(strlen(v) + 6);
	if (!abs)
		return -ENOMEM;
	strcpy(abs, "/run/");
	strcat(abs, v);
	free(p->pidfile);
	p->pidfile = abs;
	return 0;
}

static const struct {
	const char *name;
	enum plan_restart r;
} restarts[] = {
	{ "no", PLAN_RESTART_NO },
	{ "always", PLAN_RESTART_ALWAYS },
	{ "on-success", PLAN_RESTART_ON_SUCCESS },
	{ "on-failure", PLAN_RESTART_ON_FAILURE },
	{ "on-abnormal", PLAN_RESTART_ON_ABNORMAL },
	{ "on-abort", PLAN_RESTART_ON_ABORT },
	{ "on-watchdog", PLAN_RESTART_ON_WATCHDOG },
};

static int
tr_restart(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	for (size_t i = 0; i < ARRAY_SIZE(restarts); i++)
		if (!strcmp(restarts[i].name, last(s))) {
			p->restart = restarts[i].r;
			if (p->restart == PLAN_RESTART_ON_WATCHDOG)
				warn(d, s, NULL,
				     "there is no watchdog under runit, so this never restarts");
			return 0;
		}
	warn(d, s, NULL, "unknown restart policy, ignored");
	return 0;
}

static int
tr_time(const struct setting *s, uint64_t *dst, struct diag *d)
{
	uint64_t v;
	if (tv_timespan(last(s), &v) < 0) {
		warn(d, s, NULL, "not a time span, ignored");
		return 0;
	}
	*dst = v;
	return 0;
}

static int
tr_restart_sec(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_time(s, &p->restart_usec, d);
}

static int
tr_timeout_stop(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_time(s, &p->timeout_stop_usec, d);
}

static int
tr_timeout_start(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_time(s, &p->timeout_start_usec, d);
}

static int
tr_timeout(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int r = tr_time(s, &p->timeout_stop_usec, d);
	if (r == 0)
		r = tr_time(s, &p->timeout_start_usec, d);
	return r;
}

static int
tr_signal(const struct setting *s, int *dst, struct diag *d)
{
	int sig = tv_signal(last(s));
	if (sig <= 0) {
		warn(d, s, NULL, "not a signal, ignored");
		return 0;
	}
	*dst = sig;
	return 0;
}

static int
tr_kill_signal(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_signal(s, &p->kill_signal, d);
}

static int
tr_final_signal(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_signal(s, &p->final_kill_signal, d);
}

static int
tr_kill_mode(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = last(s);
	if (!strcmp(v, "none")) {
		warn(d, s, NULL,
		     "approximated as KillMode=process: a runit service is down only when "
		     "its main process has exited");
		return set_str(&p->kill_mode, "process");
	}
	if (strcmp(v, "control-group") && strcmp(v, "mixed") && strcmp(v, "process")) {
		warn(d, s, NULL, "unknown kill mode, ignored");
		return 0;
	}
	if (strcmp(v, "process"))
		warn(d, s, NULL,
		     "approximated: there is no cgroup; the stop signals go to the main "
		     "process and its descendants (and its process group when it leads one); "
		     "processes that detached and were reparented escape");
	return set_str(&p->kill_mode, v);
}

static int
tr_status_set(const struct setting *s, struct plan_status_set *set, struct diag *d)
{
	for (size_t i = 0; i < s->n_values; i++) {
		if (!s->values[i][0]) { /* empty assignment resets */
			free(set->codes), free(set->signals);
			memset(set, 0, sizeof(*set));
			continue;
		}
		int r = tv_status_list(s->values[i], &set->codes, &set->n_codes, &set->signals,
				       &set->n_signals);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			warn(d, s, NULL,
			     "has a word that is not an exit status or signal; that word is ignored");
	}
	return 0;
}

static int
tr_success(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_status_set(s, &p->success_status, d);
}

static int
tr_prevent(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_status_set(s, &p->restart_prevent, d);
}

static int
tr_force(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return tr_status_set(s, &p->restart_force, d);
}

static int
tr_user(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return last(s)[0] ? set_str(&p->user, last(s)) : 0;
}

static int
tr_group(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return last(s)[0] ? set_str(&p->group, last(s)) : 0;
}

/* Calls fn for every whitespace-separated word of every value of s (list
 * directives may hold several names per line); an empty value resets. */
static int
each_word(const struct setting *s, char ***v, size_t *n)
{
	for (size_t i = 0; i < s->n_values; i++) {
		const char *x = s->values[i];
		if (!x[0]) {
			strv_free(*v, *n);
			*v = NULL, *n = 0;
			continue;
		}
		while (*x) {
			while (*x && isspace((unsigned char)*x))
				x++;
			size_t len = 0;
			while (x[len] && !isspace((unsigned char)x[len]))
				len++;
			if (!len)
				break;
			char *w = strndup(x, len);
			if (!w)
				return -ENOMEM;
			int r = strv_has(*v, *n, w) ? 0 : strv_push(v, n, w);
			free(w);
			if (r < 0)
				return r;
			x += len;
		}
	}
	return 0;
}

static int
tr_supp(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return each_word(s, &p->supplementary_groups, &p->n_supplementary_groups);
}

static int
tr_dynamic_user(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)why;
	bool b = false;
	tr_bool(s, &b, d);
	if (b)
		warn(d, s, NULL,
		     "dropped: there is no transient user allocation; the service runs as "
		     "User= (root when unset); create that user in the image");
	return 0;
}

static int
tr_workdir(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return last(s)[0] ? set_str(&p->working_directory, last(s)) : 0;
}

static int
tr_rootdir(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return last(s)[0] ? set_str(&p->root_directory, last(s)) : 0;
}

static int
tr_umask(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	unsigned m;
	if (tv_mode(last(s), &m) < 0) {
		warn(d, s, NULL, "not an octal mode, ignored");
		return 0;
	}
	p->umask = (int)m;
	return 0;
}

static int
tr_nice(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int v;
	if (parse_nice(last(s), &v) < 0) {
		warn(d, s, NULL, "nice priority out of range, ignored");
		return 0;
	}
	p->nice_set = true;
	p->nice = v;
	if (v < 0)
		warn(d, s, NULL, "needs CAP_SYS_NICE, which Docker does not grant by default");
	return 0;
}

static int
tr_oom(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int v;
	if (parse_oom_score_adjust(last(s), &v) < 0) {
		warn(d, s, NULL, "OOM score adjustment out of range, ignored");
		return 0;
	}
	p->oom_score_adjust_set = true;
	p->oom_score_adjust = v;
	if (v < 0)
		warn(d, s, NULL,
		     "lowering the OOM score needs CAP_SYS_RESOURCE, which Docker does not grant by default");
	return 0;
}

static int
tr_limit(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *name = s->key + strlen("Limit");
	char *value = NULL;
	int r = tv_rlimit(name, last(s), &value);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		warn(d, s, NULL, "not a resource limit, ignored");
		return 0;
	}
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (!strcmp(p->rlimits[i].name, name)) {
			free(p->rlimits[i].value);
			p->rlimits[i].value = value;
			return 0;
		}
	struct plan_rlimit *nv = realloc(p->rlimits, (p->n_rlimits + 1) * sizeof(*nv));
	if (!nv) {
		free(value);
		return -ENOMEM;
	}
	p->rlimits = nv;
	nv[p->n_rlimits].name = strdup(name);
	nv[p->n_rlimits].value = value;
	if (!nv[p->n_rlimits].name)
		return -ENOMEM;
	p->n_rlimits++;
	return 0;
}

static const char *const dir_keys[PLAN_DIR_N] = {
	"RuntimeDirectory", "StateDirectory",	      "CacheDirectory",
	"LogsDirectory",    "ConfigurationDirectory",
};

static int
dir_kind(const char *key)
{
	for (int i = 0; i < PLAN_DIR_N; i++)
		if (!strncmp(key, dir_keys[i], strlen(dir_keys[i])))
			return i;
	return -1;
}

/* systemd ignores absolute and non-normalized names ("..", "//", "./"). */
static bool
dir_name_ok(const char *n)
{
	if (n[0] == '/' || !n[0])
		return false;
	const char *seg = n;
	for (;;) {
		size_t len = strcspn(seg, "/");
		if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && !strncmp(seg, "..", 2)))
			return false;
		if (!seg[len])
			return true;
		seg += len + 1;
	}
}

static void
dir_links_free(struct plan_dirs *pd)
{
	for (size_t i = 0; i < pd->n_links; i++)
		free(pd->links[i].src), free(pd->links[i].dst);
	free(pd->links);
	pd->links = NULL, pd->n_links = 0;
}

static int
dir_link_push(struct plan_dirs *pd, const char *src, const char *dst)
{
	for (size_t i = 0; i < pd->n_links; i++)
		if (!strcmp(pd->links[i].src, src) && !strcmp(pd->links[i].dst, dst))
			return 0;
	struct plan_dir_link *nv = realloc(pd->links, (pd->n_links + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	pd->links = nv;
	char *s = strdup(src), *t = strdup(dst);
	if (!s || !t) {
		free(s), free(t);
		return -ENOMEM;
	}
	nv[pd->n_links].src = s, nv[pd->n_links].dst = t;
	pd->n_links++;
	return 0;
}

/* Splits a loader item `SRC[:DST]` (in SRC, `\:` and `\\` stand for `:` and
 * `\`; the first bare `:` ends it) into *src and *dst (NULL without DST). */
int
translate_dir_item(const char *item, char **src, char **dst)
{
	size_t len = strlen(item);
	char *s = malloc(len + 1), *o = s;
	*src = *dst = NULL;
	if (!s)
		return -ENOMEM;
	const char *x = item;
	for (; *x && *x != ':'; x++) {
		if (*x == '\\' && (x[1] == ':' || x[1] == '\\'))
			x++;
		*o++ = *x;
	}
	*o = '\0';
	if (*x == ':' && x[1]) {
		*dst = strdup(x + 1);
		if (!*dst) {
			free(s);
			return -ENOMEM;
		}
	}
	*src = s;
	return 0;
}

/* systemd 252 (systemd.exec(5)): `SRC:DST` creates SRC as usual plus a symlink
 * DST -> SRC below the same root; ConfigurationDirectory= has no DST. */
static int
tr_dir(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	int kind = dir_kind(s->key);
	struct plan_dirs *pd = &p->dirs[kind];
	char **words = NULL;
	size_t n = 0;
	int r = each_word(s, &words, &n);
	strv_free(pd->names, pd->n);
	pd->names = NULL, pd->n = 0;
	dir_links_free(pd);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *src = NULL, *dst = NULL;
		r = translate_dir_item(words[i], &src, &dst);
		if (r < 0)
			break;
		if (dst && kind == PLAN_DIR_CONFIGURATION)
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "Destination parameter is not supported for %s, ignoring: %s",
				 s->key, words[i]);
		else if (!dir_name_ok(src) || (dst && !dir_name_ok(dst)))
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "%s=%s: path is absolute or not normalized, ignored", s->key,
				 words[i]);
		else {
			r = strv_has(pd->names, pd->n, src) ? 0
							    : strv_push(&pd->names, &pd->n, src);
			if (r == 0 && dst)
				r = dir_link_push(pd, src, dst);
		}
		free(src), free(dst);
	}
	strv_free(words, n);
	return r;
}

static int
tr_dir_mode(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	unsigned m;
	if (tv_mode(last(s), &m) < 0) {
		warn(d, s, NULL, "not an octal mode, ignored");
		return 0;
	}
	p->dirs[dir_kind(s->key)].mode = m;
	return 0;
}

static int
tr_preserve(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	if (!strcmp(last(s), "restart")) {
		p->runtime_preserve = 2;
		return 0;
	}
	int b = tv_boolean(last(s));
	if (b < 0)
		warn(d, s, NULL, "neither a boolean nor \"restart\", ignored");
	else
		p->runtime_preserve = b;
	return 0;
}

static int
tr_env_file(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	strv_free(p->env_files, p->n_env_files);
	p->env_files = NULL, p->n_env_files = 0;
	for (size_t i = 0; i < s->n_values; i++) {
		const char *v = s->values[i];
		if (!v[0]) {
			strv_free(p->env_files, p->n_env_files);
			p->env_files = NULL, p->n_env_files = 0;
			continue;
		}
		if ((v[0] == '-' ? v[1] : v[0]) != '/') {
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "EnvironmentFile=%s: path is not absolute, ignored", v);
			continue;
		}
		/* A glob is fine: klein-svc expands it at start (every match, sorted). */
		int r = strv_push(&p->env_files, &p->n_env_files, v);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ExecSearchPath=: systemd looks commands up there and makes it $PATH unless
 * Environment=/EnvironmentFile= set PATH; klein-svc searches the final
 * environment's PATH, so it becomes an --env PATH= before Environment=.
 * Several assignments append; an empty one resets. */
static int
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

static int
tr_unset_env(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return each_word(s, &p->unset_env, &p->n_unset_env);
}

static int
tr_pass_env(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)p, (void)why, (void)d;
	/* Services inherit the whole container environment, so every name is passed. */
	return 0;
}

/* StandardInput/Output/Error. */
static int
tr_stdio(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = last(s);
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
				warn(d, s, NULL, "not an absolute file, ignored");
				return 0;
			}
			io->kind = files[i].kind;
			return set_str(&io->path, path);
		}
	if (!strcmp(v, "null")) {
		io->kind = PLAN_IO_NULL;
	} else if (!strcmp(v, "tty") || !strcmp(v, "tty-force") || !strcmp(v, "tty-fail")) {
		io->kind = PLAN_IO_CONSOLE;
		warn(d, s, NULL, "approximated with /dev/console (TTYPath= is not used)");
	} else if (!in && (!strcmp(v, "inherit"))) {
		/* stdout: what systemd itself writes to (the container's output);
		 * stderr: the same as stdout. */
		io->kind = io == &p->out ? PLAN_IO_LOG : PLAN_IO_INHERIT;
	} else if (!in && (!strcmp(v, "journal") || !strcmp(v, "syslog") || !strcmp(v, "kmsg") ||
			   !strcmp(v, "journal+console") || !strcmp(v, "syslog+console") ||
			   !strcmp(v, "kmsg+console"))) {
		io->kind = PLAN_IO_LOG;
	} else if (!strcmp(v, "socket") || !strncmp(v, "fd:", 3) || !strcmp(v, "data")) {
		warn(d, s, NULL,
		     "dropped: there is no socket activation or file descriptor store; "
		     "the default is used");
	} else {
		warn(d, s, NULL, "unknown value, ignored");
	}
	return 0;
}

/* Requires=/Wants=/After=: only .service units become runit dependencies. */
static int
deps(const struct setting *s, char ***v, size_t *n, struct diag *d, bool warn_others)
{
	char **words = NULL;
	size_t nw = 0;
	int r = each_word(s, &words, &nw);
	for (size_t i = 0; r == 0 && i < nw; i++) {
		const char *dot = strrchr(words[i], '.');
		if (dot && !strcmp(dot, ".service")) {
			char *name = translate_service_name(words[i]);
			if (!name)
				r = -ENOMEM;
			else if (!strv_has(*v, *n, name))
				r = strv_push(v, n, name);
			free(name);
		} else if (warn_others && dot && strcmp(dot, ".target") && strcmp(dot, ".slice")) {
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "%s=%s: dropped: only .service units become runit services",
				 s->key, words[i]);
		}
	}
	strv_free(words, nw);
	return r;
}

static int
tr_requires(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	size_t before = p->n_requires;
	int r = deps(s, &p->requires, &p->n_requires, d, true);
	if (r == 0 && p->n_requires > before && !strcmp(s->key, "BindsTo"))
		warn(d, s, NULL,
		     "approximated as Requires=: the dependency is started and waited "
		     "for, but this service is not stopped when it stops");
	else if (r == 0 && p->n_requires > before && !strcmp(s->key, "Requisite"))
		warn(d, s, NULL,
		     "approximated as Requires=: the dependency is started instead of "
		     "failing this start when it is not already up");
	return r;
}

static int
tr_wants(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	return deps(s, &p->wants, &p->n_wants, d, strcmp(s->key, "After") != 0);
}

static int
tr_before(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	char **v = NULL;
	size_t n = 0;
	int r = deps(s, &v, &n, d, false);
	if (n)
		warn(d, s, NULL,
		     "not enforced: runit orders a start only from the later service's "
		     "side, so the named service must say After= itself");
	strv_free(v, n);
	(void)p;
	return r;
}

/* StartLimitIntervalSec= (and [Service] StartLimitInterval=, its old name),
 * StartLimitBurst=, StartLimitAction=: finish applies systemd's rate limit. */
static int
tr_start_limit(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	const char *v = last(s);
	if (!strncmp(s->key, "StartLimitInterval", 18))
		return tr_time(s, &p->start_limit_interval_usec, d);
	if (!strcmp(s->key, "StartLimitBurst")) {
		unsigned long long n;
		char *end;
		errno = 0;
		n = strtoull(v, &end, 10);
		if (!v[0] || *end || errno || n > 1000000 || v[0] == '-') {
			warn(d, s, NULL, "not a number, ignored");
			return 0;
		}
		p->start_limit_burst = (unsigned)n;
		return 0;
	}
	if (strcmp(v, "none") && v[0])
		warn(d, s, NULL,
		     "approximated as none: the service only enters the failed state "
		     "(stays down); there is no manager action under runit");
	return 0;
}

static const struct {
	const char *name;
	enum plan_cond_kind kind;
} cond_kinds[] = {
	{ "PathExists", PLAN_COND_PATH_EXISTS },
	{ "PathExistsGlob", PLAN_COND_PATH_EXISTS_GLOB },
	{ "PathIsDirectory", PLAN_COND_PATH_IS_DIRECTORY },
	{ "PathIsSymbolicLink", PLAN_COND_PATH_IS_SYMLINK },
	{ "FileNotEmpty", PLAN_COND_FILE_NOT_EMPTY },
	{ "DirectoryNotEmpty", PLAN_COND_DIRECTORY_NOT_EMPTY },
	{ "FileIsExecutable", PLAN_COND_FILE_IS_EXECUTABLE },
	{ "PathIsMountPoint", PLAN_COND_PATH_IS_MOUNT_POINT },
};

/* What systemd 252 sees inside a Docker container for ConditionVirtualization=. */
static bool
virt_in_container(const char *v)
{
	if (!strcmp(v, "container") || !strcmp(v, "docker"))
		return true;
	int b = tv_boolean(v);
	return b == 1;
}

static int
add_cond(struct run_plan *p, const struct setting *s, const char *value, enum plan_cond_kind kind,
	 bool negate, bool trigger, bool is_assert)
{
	struct plan_cond *nv = realloc(p->conds, (p->n_conds + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	p->conds = nv;
	struct plan_cond *c = &nv[p->n_conds];
	memset(c, 0, sizeof(*c));
	c->kind = kind, c->negate = negate, c->trigger = trigger, c->is_assert = is_assert;
	c->value = strdup(value);
	c->key = strdup(s->key);
	c->file = s->loc.file ? strdup(s->loc.file) : NULL;
	c->line = s->loc.line;
	p->n_conds++;
	return c->value && c->key ? 0 : -ENOMEM;
}

static int
tr_cond(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	bool is_assert = !strncmp(s->key, "Assert", 6);
	const char *what = s->key + (is_assert ? 6 : 9);
	for (size_t i = 0; i < s->n_values; i++) {
		const char *v = s->values[i];
		bool trigger = false, negate = false;
		if (!v[0])
			continue; /* the loader already applied the reset */
		if (*v == '|')
			trigger = true, v++;
		while (*v == ' ')
			v++;
		if (*v == '!')
			negate = true, v++;
		int r = 0;
		size_t k;
		for (k = 0; k < ARRAY_SIZE(cond_kinds); k++)
			if (!strcmp(what, cond_kinds[k].name))
				break;
		if (k < ARRAY_SIZE(cond_kinds)) {
			r = add_cond(p, s, v, cond_kinds[k].kind, negate, trigger, is_assert);
		} else if (!strcmp(what, "Virtualization")) {
			bool t = virt_in_container(v) != negate;
			diag_add(
				d, s->loc.file, s->loc.line, DIAG_WARNING,
				"%s=%s: evaluated at convert time as systemd sees a Docker container "
				"(virtualization \"docker\"): %s",
				s->key, s->values[i], t ? "true" : "false");
			r = add_cond(p, s, v, t ? PLAN_COND_CONST_TRUE : PLAN_COND_CONST_FALSE,
				     false, trigger, is_assert);
		} else {
			diag_add(
				d, s->loc.file, s->loc.line, DIAG_WARNING,
				"%s=%s: dropped: cannot be checked from a run script; assumed to hold",
				s->key, s->values[i]);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static const char why_sandbox[] =
	"sandboxing needs mount namespaces, seccomp or capabilities that a runit service under "
	"Docker does not get; the service runs without this hardening";
static const char why_cgroup[] =
	"resource control needs a cgroup per service; limit the container instead (docker run --memory, --cpus, --pids-limit)";
static const char why_caps[] =
	"capability sets are not applied (chpst cannot); a root service keeps the container's capabilities, a User= service has none";
static const char why_unit_rel[] = "runit has no such relation between services";

/* The rule table: section, key (a trailing '*' matches a prefix), handler, reason for warnings. */
static const struct rule {
	const char *section, *key;
	tr_fn *fn;
	const char *why;
} rules[] = {
	{ "Unit", "Description", tr_description, NULL },
	{ "Unit", "Documentation", tr_ignore, NULL },
	{ "Unit", "DefaultDependencies", tr_ignore, NULL },
	{ "Unit", "IgnoreOnIsolate", tr_ignore, NULL },
	{ "Unit", "AllowIsolate", tr_ignore, NULL },
	{ "Unit", "CollectMode", tr_ignore, NULL },
	{ "Unit", "SourcePath", tr_ignore, NULL },
	{ "Unit", "Requires", tr_requires, NULL },
	{ "Unit", "BindsTo", tr_requires, NULL },
	{ "Unit", "Requisite", tr_requires, NULL },
	{ "Unit", "Wants", tr_wants, NULL },
	{ "Unit", "Upholds", tr_wants, NULL },
	{ "Unit", "After", tr_wants, NULL },
	{ "Unit", "Before", tr_before, NULL },
	{ "Unit", "PartOf", tr_drop, why_unit_rel },
	{ "Unit", "Conflicts", tr_drop, why_unit_rel },
	{ "Unit", "OnFailure", tr_drop, why_unit_rel },
	{ "Unit", "OnSuccess", tr_drop, why_unit_rel },
	{ "Unit", "PropagatesReloadTo", tr_drop, why_unit_rel },
	{ "Unit", "ReloadPropagatedFrom", tr_drop, why_unit_rel },
	{ "Unit", "JoinsNamespaceOf", tr_drop, why_unit_rel },
	{ "Unit", "StopWhenUnneeded", tr_drop, why_unit_rel },
	{ "Unit", "RefuseManualStart", tr_drop, "sv start cannot be refused" },
	{ "Unit", "RefuseManualStop", tr_drop, "sv stop cannot be refused" },
	{ "Unit", "RequiresMountsFor", tr_drop, "mounts belong to the container" },
	{ "Unit", "StartLimitIntervalSec", tr_start_limit, NULL },
	{ "Unit", "StartLimitBurst", tr_start_limit, NULL },
	{ "Unit", "StartLimitAction", tr_start_limit, NULL },
	{ "Unit", "FailureAction", tr_drop, "there is no manager action on failure" },
	{ "Unit", "SuccessAction", tr_drop, "there is no manager action on success" },
	{ "Unit", "JobTimeoutSec", tr_drop, "there are no jobs" },
	{ "Unit", "Condition*", tr_cond, NULL },
	{ "Unit", "Assert*", tr_cond, NULL },
	{ "Install", "*", tr_ignore, NULL },
	{ "Service", "Type", tr_type, NULL },
	{ "Service", "RemainAfterExit", tr_remain, NULL },
	{ "Service", "PIDFile", tr_pidfile, NULL },
	{ "Service", "GuessMainPID", tr_guess, NULL },
	{ "Service", "Restart", tr_restart, NULL },
	{ "Service", "RestartSec", tr_restart_sec, NULL },
	{ "Service", "SuccessExitStatus", tr_success, NULL },
	{ "Service", "RestartPreventExitStatus", tr_prevent, NULL },
	{ "Service", "RestartForceExitStatus", tr_force, NULL },
	{ "Service", "TimeoutStopSec", tr_timeout_stop, NULL },
	{ "Service", "TimeoutStartSec", tr_timeout_start, NULL },
	{ "Service", "TimeoutSec", tr_timeout, NULL },
	{ "Service", "TimeoutAbortSec", tr_drop, "there is no watchdog abort under runit" },
	{ "Service", "KillSignal", tr_kill_signal, NULL },
	{ "Service", "FinalKillSignal", tr_final_signal, NULL },
	{ "Service", "RestartKillSignal", tr_drop,
	  "control/t cannot tell sv restart from sv down; KillSignal= is used" },
	{ "Service", "SendSIGHUP", tr_sighup, NULL },
	{ "Service", "SendSIGKILL", tr_sigkill, NULL },
	{ "Service", "KillMode", tr_kill_mode, NULL },
	{ "Service", "User", tr_user, NULL },
	{ "Service", "Group", tr_group, NULL },
	{ "Service", "SupplementaryGroups", tr_supp, NULL },
	{ "Service", "DynamicUser", tr_dynamic_user, NULL },
	{ "Service", "PermissionsStartOnly", tr_pso, NULL },
	{ "Service", "WorkingDirectory", tr_workdir, NULL },
	{ "Service", "RootDirectory", tr_rootdir, NULL },
	{ "Service", "UMask", tr_umask, NULL },
	{ "Service", "Nice", tr_nice, NULL },
	{ "Service", "OOMScoreAdjust", tr_oom, NULL },
	{ "Service", "IgnoreSIGPIPE", tr_sigpipe, NULL },
	{ "Service", "Limit*", tr_limit, NULL },
	{ "Service", "RuntimeDirectoryPreserve", tr_preserve, NULL },
	{ "Service", "RuntimeDirectoryMode", tr_dir_mode, NULL },
	{ "Service", "StateDirectoryMode", tr_dir_mode, NULL },
	{ "Service", "CacheDirectoryMode", tr_dir_mode, NULL },
	{ "Service", "LogsDirectoryMode", tr_dir_mode, NULL },
	{ "Service", "ConfigurationDirectoryMode", tr_dir_mode, NULL },
	{ "Service", "RuntimeDirectory", tr_dir, NULL },
	{ "Service", "StateDirectory", tr_dir, NULL },
	{ "Service", "CacheDirectory", tr_dir, NULL },
	{ "Service", "LogsDirectory", tr_dir, NULL },
	{ "Service", "ConfigurationDirectory", tr_dir, NULL },
	{ "Service", "EnvironmentFile", tr_env_file, NULL },
	{ "Service", "UnsetEnvironment", tr_unset_env, NULL },
	{ "Service", "ExecSearchPath", tr_exec_search_path, NULL },
	{ "Service", "PassEnvironment", tr_pass_env, NULL },
	{ "Service", "StandardInput", tr_stdio, NULL },
	{ "Service", "StandardOutput", tr_stdio, NULL },
	{ "Service", "StandardError", tr_stdio, NULL },
	{ "Service", "SyslogIdentifier", tr_ignore, NULL },
	{ "Service", "SyslogFacility", tr_ignore, NULL },
	{ "Service", "SyslogLevel", tr_ignore, NULL },
	{ "Service", "SyslogLevelPrefix", tr_ignore, NULL },
	{ "Service", "LogLevelMax", tr_drop, "there is no journal; every line reaches the log" },
	{ "Service", "LogRateLimitIntervalSec", tr_drop, "there is no journal rate limit" },
	{ "Service", "LogRateLimitBurst", tr_drop, "there is no journal rate limit" },
	{ "Service", "LogExtraFields", tr_drop, "there is no journal" },
	{ "Service", "NotifyAccess", tr_ignore, NULL },
	{ "Service", "NonBlocking", tr_drop, "there are no passed file descriptors" },
	{ "Service", "Sockets", tr_drop,
	  "there is no socket activation; the daemon must listen by itself" },
	{ "Service", "FileDescriptorStoreMax", tr_drop, "there is no file descriptor store" },
	{ "Service", "WatchdogSec", tr_drop, "there is no watchdog under runit" },
	{ "Service", "RuntimeMaxSec", tr_drop, "runit has no run-time limit" },
	{ "Service", "BusName", tr_drop, "there is no D-Bus name tracking" },
	{ "Service", "StartLimitInterval", tr_start_limit, NULL },
	{ "Service", "StartLimitBurst", tr_start_limit, NULL },
	{ "Service", "StartLimitAction", tr_start_limit, NULL },
	{ "Service", "TTYPath", tr_drop, "the console is used for tty" },
	{ "Service", "TTYReset", tr_drop, "no terminal handling" },
	{ "Service", "TTYVHangup", tr_drop, "no terminal handling" },
	{ "Service", "TTYVTDisallocate", tr_drop, "no terminal handling" },
	{ "Service", "UtmpIdentifier", tr_drop, "no utmp records are written" },
	{ "Service", "UtmpMode", tr_drop, "no utmp records are written" },
	{ "Service", "IOSchedulingClass", tr_drop,
	  "I/O scheduling is not set (ionice is not used)" },
	{ "Service", "IOSchedulingPriority", tr_drop,
	  "I/O scheduling is not set (ionice is not used)" },
	{ "Service", "CPUSchedulingPolicy", tr_drop,
	  "CPU scheduling is not set (chrt is not used)" },
	{ "Service", "CPUSchedulingPriority", tr_drop,
	  "CPU scheduling is not set (chrt is not used)" },
	{ "Service", "CPUSchedulingResetOnFork", tr_drop, "CPU scheduling is not set" },
	{ "Service", "CPUAffinity", tr_drop, "CPU affinity is not set (taskset is not used)" },
	{ "Service", "NUMAPolicy", tr_drop, "NUMA policy is not set" },
	{ "Service", "NUMAMask", tr_drop, "NUMA policy is not set" },
	{ "Service", "KeyringMode", tr_drop, "kernel keyrings are not set up" },
	{ "Service", "CapabilityBoundingSet", tr_drop, why_caps },
	{ "Service", "AmbientCapabilities", tr_drop, why_caps },
	{ "Service", "SecureBits", tr_drop, why_caps },
	{ "Service", "NoNewPrivileges", tr_drop, why_sandbox },
	{ "Service", "Private*", tr_drop, why_sandbox },
	{ "Service", "Protect*", tr_drop, why_sandbox },
	{ "Service", "Restrict*", tr_drop, why_sandbox },
	{ "Service", "ReadWrite*", tr_drop, why_sandbox },
	{ "Service", "ReadOnly*", tr_drop, why_sandbox },
	{ "Service", "Inaccessible*", tr_drop, why_sandbox },
	{ "Service", "ExecPaths", tr_drop, why_sandbox },
	{ "Service", "NoExecPaths", tr_drop, why_sandbox },
	{ "Service", "TemporaryFileSystem", tr_drop, why_sandbox },
	{ "Service", "BindPaths", tr_drop, why_sandbox },
	{ "Service", "BindReadOnlyPaths", tr_drop, why_sandbox },
	{ "Service", "MountFlags", tr_drop, why_sandbox },
	{ "Service", "MountAPIVFS", tr_drop, why_sandbox },
	{ "Service", "SystemCall*", tr_drop, why_sandbox },
	{ "Service", "MemoryDenyWriteExecute", tr_drop, why_sandbox },
	{ "Service", "LockPersonality", tr_drop, why_sandbox },
	{ "Service", "RemoveIPC", tr_drop, why_sandbox },
	{ "Service", "DevicePolicy", tr_drop, why_sandbox },
	{ "Service", "DeviceAllow", tr_drop, why_sandbox },
	{ "Service", "ProcSubset", tr_drop, why_sandbox },
	{ "Service", "RootImage", tr_drop, why_sandbox },
	{ "Service", "PAMName", tr_drop, "no PAM session is opened" },
	{ "Service", "SELinuxContext", tr_drop, why_sandbox },
	{ "Service", "AppArmorProfile", tr_drop, why_sandbox },
	{ "Service", "IPAddressAllow", tr_drop, why_cgroup },
	{ "Service", "IPAddressDeny", tr_drop, why_cgroup },
	{ "Service", "Slice", tr_drop, why_cgroup },
	{ "Service", "Delegate", tr_drop, why_cgroup },
	{ "Service", "CPU*", tr_drop, why_cgroup },
	{ "Service", "Memory*", tr_drop, why_cgroup },
	{ "Service", "Tasks*", tr_drop, why_cgroup },
	{ "Service", "IO*", tr_drop, why_cgroup },
	{ "Service", "BlockIO*", tr_drop, why_cgroup },
	{ "Service", "Startup*", tr_drop, why_cgroup },
	{ "Service", "ManagedOOM*", tr_drop, why_cgroup },
	{ "Service", "OOMPolicy", tr_drop, why_cgroup },
};

static const struct rule *
find_rule(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct rule *r = &rules[i];
		if (strcmp(r->section, section))
			continue;
		size_t n = strlen(r->key);
		if (r->key[n - 1] == '*' ? !strncmp(r->key, key, n - 1) : !strcmp(r->key, key))
			return r;
	}
	return NULL;
}

/* ---- Exec lines ---- */

static int
cmd_copy(struct plan_cmd *c, const struct exec_command *e)
{
	memset(c, 0, sizeof(*c));
	c->path = strdup(e->path);
	c->argv = calloc(e->argc + 1, sizeof(char *));
	if (!c->path || !c->argv)
		return -ENOMEM;
	for (size_t i = 0; i < e->argc; i++)
		if (!(c->argv[i] = strdup(e->argv[i])))
			return -ENOMEM;
	c->argc = e->argc;
	c->argv0_given = e->argc && strcmp(e->argv[0], e->path);
	c->ignore_failure = e->flags & EXEC_IGNORE_FAILURE;
	c->no_expand = e->flags & EXEC_NO_ENV_EXPAND;
	c->as_root = e->flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID);
	c->full_privileges = e->flags & EXEC_FULL_PRIVILEGES;
	c->file = e->loc.file ? strdup(e->loc.file) : NULL;
	c->line = e->loc.line;
	return 0;
}

static void
cmds_free(struct plan_cmds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		if (c->v[i].argv)
			strv_free(c->v[i].argv, c->v[i].argc);
		free(c->v[i].file);
	}
	free(c->v);
	c->v = NULL, c->n = 0;
}

static int
exec_lists(struct run_plan *p, const struct unit *u, struct diag *d)
{
	static const struct {
		const char *key;
		size_t off;
	} lists[] = {
		{ "ExecCondition", offsetof(struct run_plan, exec_condition) },
		{ "ExecStartPre", offsetof(struct run_plan, start_pre) },
		{ "ExecStart", offsetof(struct run_plan, start) },
		{ "ExecStartPost", offsetof(struct run_plan, start_post) },
		{ "ExecReload", offsetof(struct run_plan, reload) },
		{ "ExecStop", offsetof(struct run_plan, stop) },
		{ "ExecStopPost", offsetof(struct run_plan, stop_post) },
	};
	for (size_t i = 0; i < u->n_exec; i++) {
		const struct exec_list *el = &u->exec[i];
		size_t k;
		for (k = 0; k < ARRAY_SIZE(lists); k++)
			if (!strcmp(lists[k].key, el->key))
				break;
		if (k == ARRAY_SIZE(lists)) {
			if (el->n)
				diag_add(d, el->v[0].loc.file, el->v[0].loc.line, DIAG_WARNING,
					 "%s= dropped: unknown command list", el->key);
			continue;
		}
		struct plan_cmds *pc = (struct plan_cmds *)((char *)p + lists[k].off);
		cmds_free(pc);
		if (!el->n)
			continue;
		pc->v = calloc(el->n, sizeof(*pc->v));
		if (!pc->v)
			return -ENOMEM;
		for (size_t j = 0; j < el->n; j++) {
			pc->n = j + 1;
			if (cmd_copy(&pc->v[j], &el->v[j]) < 0)
				return -ENOMEM;
			if (el->v[j].flags & EXEC_AMBIENT)
				diag_add(
					d, el->v[j].loc.file, el->v[j].loc.line, DIAG_WARNING,
					"%s=!!: ambient capabilities are not granted; the command runs as User= without them",
					el->key);
		}
	}
	return 0;
}

/* ---- the whole unit ---- */

/* systemd's utf8_is_valid(): well-formed, shortest form, no surrogates, no
 * noncharacters (U+FDD0..U+FDEF, U+xFFFE/U+xFFFF), at most U+10FFFF. */
static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c;
		int n;
		if (*p < 0x80) {
			p++;
			continue;
		} else if ((*p & 0xe0) == 0xc0)
			c = *p & 0x1f, n = 1;
		else if ((*p & 0xf0) == 0xe0)
			c = *p & 0x0f, n = 2;
		else if ((*p & 0xf8) == 0xf0)
			c = *p & 0x07, n = 3;
		else
			return false;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3f);
		}
		static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
		if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
			return false;
		p += n + 1;
	}
	return true;
}

char *
translate_service_name(const char *unit)
{
	size_t n = strlen(unit);
	if (n > 8 && !strcmp(unit + n - 8, ".service"))
		n -= 8;
	return strndup(unit, n);
}

static bool
has_setting(const struct unit *u, const char *section, const char *key)
{
	for (size_t i = 0; i < u->n_settings; i++)
		if (!strcmp(u->settings[i].section, section) && !strcmp(u->settings[i].key, key))
			return true;
	return false;
}

static int
apply_settings(struct run_plan *p, const struct unit *u, struct diag *d)
{
	for (size_t i = 0; i < u->n_settings; i++) {
		const struct setting *s = &u->settings[i];
		if (!strncmp(s->key, "X-", 2))
			continue; /* systemd ignores X- keys silently */
		const struct rule *r = find_rule(s->section, s->key);
		if (!r) {
			diag_add(d, s->loc.file, s->loc.line, DIAG_WARNING,
				 "[%s] %s= dropped: klein-porter does not know this directive",
				 s->section, s->key);
			continue;
		}
		int e = r->fn(p, s, r->why, d);
		if (e < 0)
			return e;
	}
	return 0;
}

static void
plan_defaults(struct run_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->umask = -1;
	p->ignore_sigpipe = true;
	p->restart_usec = 100000;
	p->kill_signal = SIGTERM;
	p->final_kill_signal = SIGKILL;
	p->send_sigkill = true;
	p->timeout_stop_usec = 90000000;
	p->timeout_start_usec = 90000000;
	p->start_limit_interval_usec = 10000000; /* DefaultStartLimitIntervalSec= */
	p->start_limit_burst = 5;		 /* DefaultStartLimitBurst= */
	for (int i = 0; i < PLAN_DIR_N; i++)
		p->dirs[i].mode = 0755;
}

static int
apply_options(struct run_plan *p, const struct translate_options *o, struct diag *d)
{
	if (o->log) {
		if (!strcmp(o->log, "svlogd"))
			p->log = PLAN_LOG_SVLOGD;
		else if (!strcmp(o->log, "inherit"))
			p->log = PLAN_LOG_INHERIT;
	}
	p->restart_always_forced = o->restart && !strcmp(o->restart, "always");
	if (o->type) {
		free(p->type_name);
		p->type_name = NULL;
		if (!strcmp(o->type, "forking"))
			p->type = PLAN_FORKING;
		else if (!strcmp(o->type, "notify"))
			p->type = PLAN_NOTIFY;
		else if (!strcmp(o->type, "oneshot"))
			p->type = PLAN_ONESHOT;
		else
			p->type = PLAN_SIMPLE;
		if (!(p->type_name = strdup(o->type)))
			return -ENOMEM;
	}
	if (o->exec_start) {
		cmds_free(&p->start);
		p->start.v = calloc(1, sizeof(*p->start.v));
		if (!p->start.v)
			return -ENOMEM;
		if (translate_split_exec(o->exec_start, &p->start.v[0]) < 0) {
			diag_add(d, NULL, 0, DIAG_ERROR,
				 "porter.conf exec_start for %s: cannot split \"%s\"", p->unit,
				 o->exec_start);
			free(p->start.v);
			p->start.v = NULL;
			return -EINVAL;
		}
		p->start.n = 1;
	}
	for (size_t i = 0; i < o->n_env; i++)
		if (strv_push(&p->env, &p->n_env, o->env[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int
check_plan(struct run_plan *p, const struct unit *u, struct diag *d)
{
	const char *f = u->fragment;
	if (!p->start.n && !(p->type == PLAN_ONESHOT && p->stop.n)) {
		diag_add(d, f, 0, DIAG_ERROR,
			 "refused: the service has no ExecStart= (nothing to run)");
		return -EINVAL;
	}
	if (p->start.n > 1 && p->type != PLAN_ONESHOT) {
		diag_add(d, f, 0, DIAG_ERROR,
			 "refused: more than one ExecStart= is only allowed for Type=oneshot");
		return -EINVAL;
	}
	if (p->type == PLAN_ONESHOT &&
	    (p->restart == PLAN_RESTART_ALWAYS || p->restart == PLAN_RESTART_ON_SUCCESS)) {
		diag_add(d, f, 0, DIAG_ERROR,
			 "refused: Restart=always/on-success is not allowed for Type=oneshot");
		return -EINVAL;
	}
	if (p->working_directory) {
		const char *w = p->working_directory + (p->working_directory[0] == '-');
		if (w[0] != '/' && strcmp(w, "~")) {
			diag_add(d, f, 0, DIAG_ERROR,
				 "refused: WorkingDirectory=%s is not absolute",
				 p->working_directory);
			return -EINVAL;
		}
	}
	if (p->type == PLAN_FORKING && !p->pidfile)
		diag_add(
			d, f, 0, DIAG_WARNING,
			"Type=forking without PIDFile=: the main process is the one child left when "
			"the start command exits; porter.conf can run the daemon in the foreground instead");
	if (p->remain_after_exit && p->type != PLAN_ONESHOT)
		diag_add(
			d, f, 0, DIAG_WARNING,
			"RemainAfterExit=yes with Type=%s approximated: when the main process exits the "
			"runit service goes down (finish), so it does not stay active and ExecStop= "
			"does not run at a later stop; porter.conf type = \"oneshot\" keeps it up",
			p->type_name);
	if (p->start_post.n && p->type != PLAN_ONESHOT)
		diag_add(
			d, p->start_post.v[0].file, p->start_post.v[0].line, DIAG_WARNING,
			"ExecStartPost= approximated: runs in a background job %s; the service is "
			"ready (check) only after it, and its failure stops the service as failed, "
			"but the daemon already runs meanwhile",
			p->type == PLAN_SIMPLE ? "right after the main process is started"
					       : "once klein-svc reports the daemon up");
	return 0;
}

int
translate_unit(const struct unit *u, const struct translate_options *o, struct run_plan *ret,
	       struct diag *d)
{
	static const struct translate_options none;
	struct run_plan p;
	int r;

	if (!o)
		o = &none;
	if (u->state != UNIT_LOADED) {
		diag_add(d, u->fragment, 0, DIAG_ERROR, "refused: %s is %s", u->name,
			 unit_state_name(u->state));
		return -EINVAL;
	}
	plan_defaults(&p);
	r = -ENOMEM;
	if (!(p.unit = strdup(u->name)) ||
	    !(p.name = o->name ? strdup(o->name) : translate_service_name(u->name)) ||
	    !(p.type_name = strdup("simple")))
		goto fail;
	if (u->fragment && !(p.fragment = strdup(u->fragment)))
		goto fail;
	for (size_t i = 0; i < u->n_dropins; i++)
		if (strv_push(&p.dropins, &p.n_dropins, u->dropins[i]) < 0)
			goto fail;
	for (size_t i = 0; i < u->n_environment; i++) {
		if (!utf8_valid(u->environment[i])) {
			/* systemd's env_assignment_is_valid(): the value must be UTF-8. */
			const char *eq = strchr(u->environment[i], '=');
			diag_add(
				d, u->fragment, 0, DIAG_WARNING,
				"Environment=%.*s=...: Invalid environment assignment (not UTF-8), ignoring",
				eq ? (int)(eq - u->environment[i]) : 0, u->environment[i]);
			continue;
		}
		if (strv_push(&p.env, &p.n_env, u->environment[i]) < 0)
			goto fail;
	}
	if ((r = exec_lists(&p, u, d)) < 0 || (r = apply_settings(&p, u, d)) < 0)
		goto fail;
	if (p.type == PLAN_SIMPLE && p.start.n == 0 && p.stop.n &&
	    !has_setting(u, "Service", "Type")) {
		/* systemd: no ExecStart= and no Type= means oneshot. */
		p.type = PLAN_ONESHOT;
		free(p.type_name);
		if (!(p.type_name = strdup("oneshot")))
			goto fail;
	}
	if (p.type == PLAN_ONESHOT && !has_setting(u, "Service", "TimeoutStartSec") &&
	    !has_setting(u, "Service", "TimeoutSec"))
		p.timeout_start_usec = PLAN_INFINITY;
	if ((r = apply_options(&p, o, d)) < 0 || (r = check_plan(&p, u, d)) < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	run_plan_done(&p);
	return r;
}

const char *
translate_strategy(const struct run_plan *p)
{
	switch (p->type) {
	case PLAN_FORKING:
		return "forking (klein-svc supervise)";
	case PLAN_NOTIFY:
		return "notify (klein-svc supervise)";
	case PLAN_ONESHOT:
		return p->remain_after_exit ? "oneshot, remain-after-exit" : "oneshot";
	case PLAN_SIMPLE:
		break;
	}
	return "simple (exec in the foreground)";
}

static void
status_set_free(struct plan_status_set *s)
{
	free(s->codes);
	free(s->signals);
}

void
run_plan_done(struct run_plan *p)
{
	if (!p)
		return;
	free(p->unit), free(p->name), free(p->fragment), free(p->description);
	strv_free(p->dropins, p->n_dropins);
	free(p->type_name), free(p->pidfile);
	struct plan_cmds *all[] = { &p->exec_condition, &p->start_pre, &p->start,    &p->start_post,
				    &p->reload,		&p->stop,      &p->stop_post };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		cmds_free(all[i]);
	free(p->exec_search_path);
	strv_free(p->env, p->n_env);
	strv_free(p->env_files, p->n_env_files);
	strv_free(p->unset_env, p->n_unset_env);
	free(p->user), free(p->group);
	strv_free(p->supplementary_groups, p->n_supplementary_groups);
	free(p->working_directory), free(p->root_directory);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].name), free(p->rlimits[i].value);
	free(p->rlimits);
	for (int i = 0; i < PLAN_DIR_N; i++)
		strv_free(p->dirs[i].names, p->dirs[i].n), dir_links_free(&p->dirs[i]);
	free(p->in.path), free(p->out.path), free(p->err.path);
	for (size_t i = 0; i < p->n_conds; i++)
		free(p->conds[i].value), free(p->conds[i].key), free(p->conds[i].file);
	free(p->conds);
	status_set_free(&p->success_status);
	status_set_free(&p->restart_prevent);
	status_set_free(&p->restart_force);
	free(p->kill_mode);
	strv_free(p->requires, p->n_requires);
	strv_free(p->wants, p->n_wants);
	memset(p, 0, sizeof(*p));
}

static int
identity(void *ctx, const char *in, char **out)
{
	(void)ctx;
	*out = strdup(in);
	return *out ? 0 : -ENOMEM;
}

int
translate_split_exec(const char *value, struct plan_cmd *ret)
{
	struct exec_command *v = NULL;
	size_t n = 0;
	struct diag d = { 0 };
	int r = exec_parse(value, identity, NULL, &v, &n, &d, "porter.conf", 0);
	if (r == 0 && (n != 1 || diag_count(&d, DIAG_ERROR) || diag_count(&d, DIAG_WARNING)))
		r = -EINVAL;
	if (r == 0)
		r = cmd_copy(ret, &v[0]);
	for (size_t i = 0; i < n; i++)
		exec_command_done(&v[i]);
	free(v);
	diag_done(&d);
	return r;
}

/* ---- value grammars: thin adapters over values.h ---- */

static int
tv_boolean(const char *s)
{
	return parse_boolean(s);
}

static int
tv_timespan(const char *s, uint64_t *ret)
{
	return parse_sec(s, ret);
}

static int
tv_signal(const char *s)
{
	return parse_signal(s);
}

static int
tv_mode(const char *s, unsigned *ret)
{
	return parse_mode(s, ret);
}

/* "SOFT:HARD" in the units klein-svc takes (bytes, seconds, usec for RTTIME). */
static int
tv_rlimit(const char *name, const char *s, char **ret)
{
	char key[64];
	uint64_t soft, hard;
	snprintf(key, sizeof(key), "Limit%s", name);
	if (rlimit_from_key(key) < 0)
		return -EINVAL;
	int r = parse_rlimit(key, s, &soft, &hard);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	char a[32], b[32];
	if (soft == VALUE_INFINITY)
		snprintf(a, sizeof(a), "infinity");
	else
		snprintf(a, sizeof(a), "%llu", (unsigned long long)soft);
	if (hard == VALUE_INFINITY)
		snprintf(b, sizeof(b), "infinity");
	else
		snprintf(b, sizeof(b), "%llu", (unsigned long long)hard);
	return asprintf(ret, "%s:%s", a, b) < 0 ? -ENOMEM : 0;
}

static int
int_push(int **v, size_t *n, int x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return 0;
	int *nv = realloc(*v, (*n + 1) * sizeof(int));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = x;
	*v = nv;
	return 0;
}

/* "75 250 SIGKILL TERM": exit statuses 0..255 and signal names. */
static int
tv_status_list(const char *s, int **codes, size_t *n_codes, int **sigs, size_t *n_sigs)
{
	unsigned char st[256] = { 0 }, sg[65] = { 0 };
	int bad = parse_exit_status_list(s, st, sg);
	if (bad < 0)
		return bad;
	for (int i = 0; i < 256; i++)
		if (st[i] && int_push(codes, n_codes, i) < 0)
			return -ENOMEM;
	for (int i = 0; i < 65; i++)
		if (sg[i] && int_push(sigs, n_sigs, i) < 0)
			return -ENOMEM;
	return bad ? -EINVAL : 0;
}
