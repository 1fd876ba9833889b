/* SPDX-License-Identifier: MIT */
/* klein-svc exec: build systemd's environment and process attributes, then execve. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fdpass.h"
#include "ident.h"
#include "util.h"

#include "lib/envfile.h"
#include "lib/expand.h"
#include "lib/pwdb.h"
#include "lib/values.h"

/* systemd 252's fixed search path for unit commands, plus /sbin:/bin. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_RLIMITS  32

struct exec_opts {
	bool clear_env, no_expand, sigpipe_default, have_umask, have_nice, have_oom;
	struct strv envs, env_files, unsets, groups;
	struct strv sockets; /* --sockets: socket holders' control paths */
	uint64_t sockets_timeout;
	const char *user, *chpst_user, *chdir;
	const char *passwd_file, *group_file;
	char *own_passwd, *own_group;
	mode_t umask;
	long nice, oom;
	size_t expand_from, n_rlimits;
	struct {
		int resource;
		struct rlimit rl;
		const char *text;
	} rlimits[MAX_RLIMITS];
};

enum {
	OPT_CLEAR_ENV = 256,
	OPT_ENV,
	OPT_ENV_FILE,
	OPT_UNSET,
	OPT_USER,
	OPT_UMASK,
	OPT_NICE,
	OPT_OOM,
	OPT_RLIMIT,
	OPT_CHDIR,
	OPT_SIGPIPE,
	OPT_EXPAND_FROM,
	OPT_NO_EXPAND,
	OPT_CHPST_USER,
	OPT_GROUPS,
	OPT_PASSWD_FILE,
	OPT_GROUP_FILE,
	OPT_SOCKETS,
	OPT_SOCKETS_TIMEOUT,
};

static const struct option exec_options[] = {
	{ "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "unset", required_argument, NULL, OPT_UNSET },
	{ "user", required_argument, NULL, OPT_USER },
	{ "umask", required_argument, NULL, OPT_UMASK },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "oom-score-adjust", required_argument, NULL, OPT_OOM },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "sigpipe", required_argument, NULL, OPT_SIGPIPE },
	{ "expand-from", required_argument, NULL, OPT_EXPAND_FROM },
	{ "no-expand", no_argument, NULL, OPT_NO_EXPAND },
	{ "chpst-user", required_argument, NULL, OPT_CHPST_USER },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "passwd-file", required_argument, NULL, OPT_PASSWD_FILE },
	{ "group-file", required_argument, NULL, OPT_GROUP_FILE },
	{ "sockets", required_argument, NULL, OPT_SOCKETS },
	{ "sockets-timeout", required_argument, NULL, OPT_SOCKETS_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

static int
add_rlimit(struct exec_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || o->n_rlimits >= MAX_RLIMITS)
		return -EINVAL;
	char *name = xstrndup(arg, (size_t)(eq - arg));
	int res = rlimit_from_name(name);
	free(name);
	if (res < 0) {
		log_error("unknown resource limit in '--rlimit %s'", arg);
		return -EINVAL;
	}
	int r = rlimit_parse(res, eq + 1, &o->rlimits[o->n_rlimits].rl);
	if (r < 0) {
		log_error("invalid resource limit value in '--rlimit %s'", arg);
		return r;
	}
	o->rlimits[o->n_rlimits].resource = res;
	o->rlimits[o->n_rlimits].text = arg;
	o->n_rlimits++;
	return 0;
}

static int
parse_option(struct exec_opts *o, int c, const char *arg)
{
	long v;
	switch (c) {
	case OPT_CLEAR_ENV:
		o->clear_env = true;
		return 0;
	case OPT_ENV:
		if (!env_assignment_valid(arg)) {
			log_error("invalid environment assignment '--env %s'", arg);
			return -EINVAL;
		}
		strv_push(&o->envs, xstrdup(arg));
		return 0;
	case OPT_ENV_FILE:
		strv_push(&o->env_files, xstrdup(arg));
		return 0;
	case OPT_UNSET:
		strv_push(&o->unsets, xstrdup(arg));
		return 0;
	case OPT_USER:
		o->user = arg;
		return 0;
	case OPT_UMASK: {
		char *e;
		unsigned long m = strtoul(arg, &e, 8);
		if (!*arg || *e || m > 07777) {
			log_error("invalid umask '%s'", arg);
			return -EINVAL;
		}
		o->umask = (mode_t)m;
		o->have_umask = true;
		return 0;
	}
	case OPT_NICE:
		if (parse_int(arg, -20, 19, &v) < 0) {
			log_error("invalid nice level '%s' (-20..19)", arg);
			return -EINVAL;
		}
		o->nice = v;
		o->have_nice = true;
		return 0;
	case OPT_OOM:
		if (parse_int(arg, -1000, 1000, &v) < 0) {
			log_error("invalid OOM score adjustment '%s' (-1000..1000)", arg);
			return -EINVAL;
		}
		o->oom = v;
		o->have_oom = true;
		return 0;
	case OPT_RLIMIT:
		return add_rlimit(o, arg);
	case OPT_CHDIR:
		o->chdir = arg;
		return 0;
	case OPT_SIGPIPE:
		if (strcmp(arg, "default") && strcmp(arg, "ignore")) {
			log_error("invalid '--sigpipe %s' (default or ignore)", arg);
			return -EINVAL;
		}
		o->sigpipe_default = strcmp(arg, "default") == 0;
		return 0;
	case OPT_EXPAND_FROM:
		if (parse_int(arg, 0, 1000000, &v) < 0) {
			log_error("invalid '--expand-from %s'", arg);
			return -EINVAL;
		}
		o->expand_from = (size_t)v;
		return 0;
	case OPT_NO_EXPAND:
		o->no_expand = true;
		return 0;
	case OPT_CHPST_USER:
		o->chpst_user = arg;
		return 0;
	case OPT_GROUPS: {
		for (const char *p = arg; *p;) {
			size_t l = strcspn(p, ", ");
			if (l)
				strv_push(&o->groups, xstrndup(p, l));
			p += l;
			p += strspn(p, ", ");
		}
		return 0;
	}
	case OPT_PASSWD_FILE:
		o->passwd_file = arg;
		return 0;
	case OPT_GROUP_FILE:
		o->group_file = arg;
		return 0;
	case OPT_SOCKETS:
		strv_push(&o->sockets, xstrdup(arg));
		return 0;
	case OPT_SOCKETS_TIMEOUT:
		return sockets_timeout_parse(arg, &o->sockets_timeout);
	default:
		return -EINVAL;
	}
}

/* /etc/passwd and /etc/group, under $KLEIN_SVC_ROOT when it is set (tests
 * and chroots; --passwd-file and --group-file win). */
static void
set_db_paths(struct exec_opts *o)
{
	const char *root = getenv("KLEIN_SVC_ROOT");
	if (!root || !*root)
		root = "";
	if (!o->passwd_file)
		o->passwd_file = o->own_passwd = xstrjoin3(root, "/etc/passwd", NULL);
	if (!o->group_file)
		o->group_file = o->own_group = xstrjoin3(root, "/etc/group", NULL);
}

static void
exec_opts_done(struct exec_opts *o)
{
	free(o->own_passwd);
	free(o->own_group);
	strv_done(&o->envs);
	strv_done(&o->env_files);
	strv_done(&o->unsets);
	strv_done(&o->groups);
	strv_done(&o->sockets);
}

static int
load_db(const char *path, char **ret)
{
	int r = read_file(path, ret, NULL);
	if (r < 0)
		log_error("cannot read '%s': %s", path, strerror(-r));
	return r;
}

static int
lookup_user(const struct exec_opts *o, const char *name, struct pw_entry *ret)
{
	char *text;
	int r = load_db(o->passwd_file, &text);
	if (r < 0)
		return r;
	r = pw_lookup(text, name, ret);
	free(text);
	if (r < 0)
		log_error("user '%s' not found in '%s'", name, o->passwd_file);
	return r;
}

/* EnvironmentFile= semantics of systemd 252's exec_context_load_environment(). */
static int
load_env_files(const struct exec_opts *o, struct strv *env)
{
	for (size_t i = 0; i < o->env_files.n; i++) {
		const char *fn = o->env_files.v[i];
		bool ignore = fn[0] == '-';
		glob_t g;
		fn += ignore;
		if (fn[0] != '/') {
			if (ignore)
				continue;
			log_error("environment file path '%s' is not absolute", fn);
			return -EINVAL;
		}
		int gr = glob(fn, 0, NULL, &g);
		if (gr != 0) {
			if (gr != GLOB_NOMATCH)
				globfree(&g);
			if (ignore)
				continue;
			log_error("cannot read environment file '%s': %s", fn,
				  gr == GLOB_NOMATCH ? strerror(ENOENT) : "glob failed");
			return -ENOENT;
		}
		for (size_t n = 0; n < g.gl_pathc; n++) {
			const char *why;
			int r = envfile_load(g.gl_pathv[n], env, &why);
			if (r < 0 && !ignore) {
				log_error("cannot read environment file '%s': %s", g.gl_pathv[n],
					  why);
				globfree(&g);
				return r;
			}
		}
		globfree(&g);
	}
	return 0;
}

static int
build_env(const struct exec_opts *o, const struct pw_entry *pw, struct strv *env)
{
	extern char **environ;
	struct strv add = { 0 };
	if (!o->clear_env)
		for (char **e = environ; e && *e; e++)
			if (strchr(*e, '='))
				strv_push(&add, xstrdup(*e));
	/* systemd's order: User= variables, then Environment=, then files. */
	if (pw) {
		strv_push(&add, xstrjoin3("HOME=", pw->dir, NULL));
		strv_push(&add, xstrjoin3("LOGNAME=", pw->name, NULL));
		strv_push(&add, xstrjoin3("USER=", pw->name, NULL));
		strv_push(&add, xstrjoin3("SHELL=", pw->shell, NULL));
	}
	for (size_t i = 0; i < o->envs.n; i++)
		strv_push(&add, xstrdup(o->envs.v[i]));
	/* One merge: a set per variable would scan the list each time. */
	env_merge(env, add.v, add.n);
	free(add.v);
	int r = load_env_files(o, env);
	if (r < 0)
		return r;
	env_unset_many(env, o->unsets.v, o->unsets.n);
	return 0;
}

/* True when word names runit's chpst (by itself or as a path). */
static bool
is_chpst(const char *word)
{
	const char *slash = strrchr(word, '/');
	return strcmp(slash ? slash + 1 : word, "chpst") == 0;
}

/*
 * --chpst-user USER[:GROUP] --groups G,...: "chpst -u SPEC" before the
 * command (see ident_chpst_spec()). When the command is chpst itself (with
 * -/ ROOT, -b NAME, ...), "-u SPEC" becomes its first option instead: one
 * chpst that drops privileges could not chroot afterwards. chpst resolves
 * names after the chroot, so that SPEC is numeric (systemd resolves User=
 * outside RootDirectory=).
 */
static int
add_identity(const struct exec_opts *o, struct strv *cmd)
{
	char *pwtext = NULL, *grtext = NULL, *spec = NULL;
	bool merge = cmd->n > 0 && is_chpst(cmd->v[0]);
	int r = load_db(o->passwd_file, &pwtext);
	if (r == 0)
		r = load_db(o->group_file, &grtext);
	if (r == 0)
		r = ident_chpst_spec(pwtext, grtext, o->chpst_user, &o->groups, merge, &spec);
	free(pwtext);
	free(grtext);
	if (r < 0)
		return r;
	struct strv out = { 0 };
	strv_push(&out, merge ? cmd->v[0] : xstrdup("chpst"));
	strv_push(&out, xstrdup("-u"));
	strv_push(&out, spec);
	for (size_t i = merge ? 1 : 0; i < cmd->n; i++)
		strv_push(&out, cmd->v[i]);
	free(cmd->v);
	*cmd = out;
	return 0;
}

/* setrlimit(), lowering a hard limit we may not raise (no CAP_SYS_RESOURCE in
 * a default container) to the current one, with a warning. */
static int
apply_rlimit(int resource, struct rlimit rl, const char *text)
{
	if (setrlimit(resource, &rl) == 0)
		return 0;
	if (errno != EPERM) {
		log_error("cannot set '%s': %s", text, strerror(errno));
		return -errno;
	}
	struct rlimit cur;
	if (getrlimit(resource, &cur) < 0)
		return -errno;
	if (rl.rlim_max > cur.rlim_max)
		rl.rlim_max = cur.rlim_max;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(resource, &rl) < 0) {
		log_error("cannot set '%s': %s", text, strerror(errno));
		return -errno;
	}
	log_error("warning: '%s' exceeds the hard limit %llu, clamped", text,
		  (unsigned long long)cur.rlim_max);
	return 0;
}

static int
apply_chdir(const struct exec_opts *o, const struct pw_entry *pw)
{
	const char *dir = o->chdir;
	bool missing_ok = dir[0] == '-';
	struct pw_entry root = { 0 };
	int r = 0;

	dir += missing_ok;
	if (strcmp(dir, "~") == 0) {
		/* systemd: the home of User=, else root's. */
		if (!pw && lookup_user(o, "0", &root) == 0)
			pw = &root;
		dir = pw ? pw->dir : "/root";
	}
	if (chdir(dir) < 0) {
		if (missing_ok)
			/* The manager's cwd, where systemd's child would still be. */
			(void)!chdir("/");
		else {
			r = -errno;
			log_error("cannot change directory to '%s': %s", dir, strerror(errno));
		}
	}
	pw_entry_done(&root);
	return r;
}

/* systemd resets every signal disposition and the mask before exec, then
 * ignores SIGPIPE unless IgnoreSIGPIPE=no. */
static void
reset_signals(bool sigpipe_default)
{
	sigset_t all;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	if (!sigpipe_default)
		(void)signal(SIGPIPE, SIG_IGN);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
}

/* systemd 252's setpriority_closest(): Nice=, or when privileges forbid it
 * (no CAP_SYS_NICE), the closest level RLIMIT_NICE allows. */
static int
apply_nice(int level)
{
	if (setpriority(PRIO_PROCESS, 0, level) == 0)
		return 0;
	int e = errno;
	if (e != EPERM && e != EACCES) {
		log_error("cannot set nice level %d: %s", level, strerror(e));
		return -e;
	}
	errno = 0;
	int current = getpriority(PRIO_PROCESS, 0);
	if (errno != 0 || level > current) {
		log_error("cannot set nice level %d: %s", level, strerror(errno ? errno : e));
		return -e;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NICE, &rl) < 0)
		return -errno;
	int limit = nice_closest(level, current, rl.rlim_cur);
	if (limit != current && setpriority(PRIO_PROCESS, 0, limit) < 0) {
		log_error("cannot set nice level %d: %s", limit, strerror(errno));
		return -errno;
	}
	log_error("warning: cannot set nice level %d: %s, using %d", level, strerror(e), limit);
	return 0;
}

static int
apply_attributes(const struct exec_opts *o, const struct pw_entry *pw)
{
	for (size_t i = 0; i < o->n_rlimits; i++)
		if (apply_rlimit(o->rlimits[i].resource, o->rlimits[i].rl, o->rlimits[i].text) < 0)
			return -1;
	if (o->have_umask)
		(void)umask(o->umask);
	if (o->have_nice && apply_nice((int)o->nice) < 0)
		return -1;
	if (o->have_oom) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%ld\n", o->oom);
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, buf, strlen(buf)) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			/* systemd: "assuming containerized execution, ignoring" (lowering
			 * needs CAP_SYS_RESOURCE, which Docker does not grant). */
			if (e != EPERM && e != EACCES) {
				log_error("cannot set OOM score adjustment %ld: %s", o->oom,
					  strerror(e));
				return -1;
			}
			log_error("warning: cannot set OOM score adjustment %ld: %s, ignored",
				  o->oom, strerror(e));
		} else
			close(fd);
	}
	if (o->chdir && apply_chdir(o, pw) < 0)
		return -1;
	reset_signals(o->sigpipe_default);
	return 0;
}

/* execve() with a PATH search in the new environment's PATH; returns 127 when
 * nothing was found, 126 when something was found but could not run. */
static int
exec_search(const struct strv *args, const struct strv *env)
{
	static char *empty[] = { NULL };
	char **envp = env->v ? env->v : empty;
	const char *file = args->v[0];
	int err = ENOENT;

	if (strchr(file, '/')) {
		execve(file, args->v, envp);
		err = errno;
	} else {
		const char *path = env_get(env, "PATH", 4);
		if (!path)
			path = DEFAULT_PATH;
		for (const char *p = path;;) {
			size_t l = strcspn(p, ":");
			char *dir = l ? xstrndup(p, l) : xstrdup(".");
			char *full = xstrjoin3(dir, "/", file);
			execve(full, args->v, envp);
			if (errno != ENOENT && errno != ENOTDIR)
				err = errno;
			free(full);
			free(dir);
			if (!p[l])
				break;
			p += l + 1;
		}
	}
	log_error("cannot execute '%s': %s", file, strerror(err));
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

int
cmd_exec(int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct strv env = { 0 }, args = { 0 };
	struct pw_entry pw = { 0 };
	bool have_pw = false;
	int c, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", exec_options, NULL)) != -1)
		if (c == '?' || parse_option(&o, c, optarg) < 0) {
			exec_opts_done(&o);
			return SVC_EXIT_USAGE;
		}
	if (optind >= argc) {
		log_error("exec: no command given");
		exec_opts_done(&o);
		return SVC_EXIT_USAGE;
	}
	set_db_paths(&o);
	if (o.user) {
		if (lookup_user(&o, o.user, &pw) < 0)
			goto out;
		have_pw = true;
	}
	if (build_env(&o, have_pw ? &pw : NULL, &env) < 0)
		goto out;
	if (o.sockets.n && sockets_install(&o.sockets, o.sockets_timeout, &env) < 0)
		goto out;
	if (o.no_expand)
		for (int i = optind; i < argc; i++)
			strv_push(&args, xstrdup(argv[i]));
	else
		expand_argv((const char *const *)(argv + optind), (size_t)(argc - optind),
			    o.expand_from, &env, &args);
	if (args.n == 0) {
		log_error("exec: the command is empty after variable expansion");
		goto out;
	}
	if (o.chpst_user && add_identity(&o, &args) < 0)
		goto out;
	if (apply_attributes(&o, have_pw ? &pw : NULL) < 0)
		goto out;
	ret = exec_search(&args, &env);
out:
	pw_entry_done(&pw);
	strv_done(&env);
	strv_done(&args);
	exec_opts_done(&o);
	return ret;
}
