/* SPDX-License-Identifier: MIT */
/* emit_run: the run script: dependencies, conditions, directories, standard
 * streams, ExecStartPre=, then the main process (exec or klein-svc supervise). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_files.h"
#include "emit_sh.h"

static void
run_deps(struct emit_buf *b, const struct run_plan *p, const struct emit_options *o)
{
	if (!p->n_requires && !p->n_wants)
		return;
	uint64_t t = p->timeout_start_usec == PLAN_INFINITY ? 90000000 : p->timeout_start_usec;
	unsigned secs = (unsigned)((t + 999999) / 1000000);
	emit_add(
		b,
		"\n# Requires=/Wants=/After= on converted services: start them (or, After= alone,\n"
		"# wait for them) and wait until they are up and ready.\n");
	for (int req = 1; req >= 0; req--) {
		char **v = req ? p->requires : p->wants;
		size_t n = req ? p->n_requires : p->n_wants;
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(v[i], p->name))
				continue;
			struct emit_buf path = { 0 };
			emit_addf(&path, "%s/%s", o->service_dir, v[i]);
			emit_add(b, "if [ -e");
			sh_word(b, path.s ? path.s : "");
			emit_addf(b, " ]; then sv -w %u start", secs);
			sh_word(b, path.s ? path.s : "");
			emit_addf(b, " >/dev/null || %s; fi\n",
				  req ? "{ echo 'Requires= dependency is not up'; exit 1; }" : ":");
			emit_buf_done(&path);
		}
	}
}

static void
cond_test(struct emit_buf *b, const struct plan_cond *c)
{
	switch (c->kind) {
	case PLAN_COND_PATH_EXISTS:
		emit_add(b, "[ -e"), sh_word(b, c->value), emit_add(b, " ]");
		break;
	case PLAN_COND_PATH_EXISTS_GLOB:
		emit_add(b, "exists_glob"), sh_word(b, c->value);
		break;
	case PLAN_COND_PATH_IS_DIRECTORY:
		emit_add(b, "[ -d"), sh_word(b, c->value), emit_add(b, " ]");
		break;
	case PLAN_COND_PATH_IS_SYMLINK:
		emit_add(b, "[ -L"), sh_word(b, c->value), emit_add(b, " ]");
		break;
	case PLAN_COND_FILE_NOT_EMPTY:
		emit_add(b, "{ [ -f"), sh_word(b, c->value), emit_add(b, " ] && [ -s"),
			sh_word(b, c->value), emit_add(b, " ]; }");
		break;
	case PLAN_COND_DIRECTORY_NOT_EMPTY:
		emit_add(b, "dir_not_empty"), sh_word(b, c->value);
		break;
	case PLAN_COND_FILE_IS_EXECUTABLE:
		emit_add(b, "{ [ -f"), sh_word(b, c->value), emit_add(b, " ] && [ -x"),
			sh_word(b, c->value), emit_add(b, " ]; }");
		break;
	case PLAN_COND_PATH_IS_MOUNT_POINT:
		emit_add(b, "mountpoint -q"), sh_word(b, c->value);
		break;
	case PLAN_COND_CAPABILITY:
		emit_addf(b, "has_cap %d", c->cap);
		break;
	case PLAN_COND_PATH_IS_READ_WRITE:
	case PLAN_COND_CONST_TRUE:
		emit_add(b, "true");
		break;
	case PLAN_COND_CONST_FALSE:
		emit_add(b, "false");
		break;
	}
}

static void
cond_label(struct emit_buf *b, const struct plan_cond *c)
{
	struct emit_buf l = { 0 };
	emit_addf(&l, "%s=%s%s%s", c->key, c->trigger ? "|" : "", c->negate ? "!" : "", c->value);
	sh_word(b, l.s ? l.s : "");
	emit_buf_done(&l);
}

static void
run_conditions(struct emit_buf *b, const struct run_plan *p)
{
	if (!p->n_conds && !p->exec_condition.n)
		return;
	bool glob = false, dne = false, cap = false, trig[2] = { false, false };
	for (size_t i = 0; i < p->n_conds; i++) {
		glob |= p->conds[i].kind == PLAN_COND_PATH_EXISTS_GLOB;
		dne |= p->conds[i].kind == PLAN_COND_DIRECTORY_NOT_EMPTY;
		cap |= p->conds[i].kind == PLAN_COND_CAPABILITY;
		if (p->conds[i].trigger)
			trig[p->conds[i].is_assert] = true;
	}
	emit_add(b,
		 "\n# Condition*=: when one fails the service stays down without an error;\n"
		 "# Assert*=: the start fails. (A '|' condition: at least one of them must hold.)\n"
		 "skip() {\n\techo \"$1 failed, not starting\"\n\t: >supervise/klein.skip\n"
		 "\tprintf o >supervise/control\n\texit \"$2\"\n}\n");
	if (glob)
		emit_add(
			b,
			"exists_glob() { (IFS=; for f in $1; do [ -e \"$f\" ] && exit 0; done; exit 1); }\n");
	if (dne)
		emit_add(
			b,
			"dir_not_empty() { [ -d \"$1\" ] && [ -n \"$(ls -- \"$1\" 2>/dev/null)\" ]; }\n");
	if (cap) /* systemd: CapBnd of /proc/self/status; unreadable: all */
		emit_add(b, "has_cap() {\n\tbnd=7fffffffffffffff\n"
			    "\twhile read -r k v; do [ \"$k\" != CapBnd: ] || bnd=$v; done "
			    "2>/dev/null </proc/self/status\n"
			    "\t[ $((0x$bnd >> $1 & 1)) -eq 1 ]\n}\n");
	for (int a = 0; a < 2; a++) {
		for (size_t i = 0; i < p->n_conds; i++) {
			const struct plan_cond *c = &p->conds[i];
			if (c->is_assert != a || c->trigger)
				continue;
			emit_add(b, c->negate ? "if " : "if ! ");
			cond_test(b, c);
			emit_add(b, "; then skip");
			cond_label(b, c);
			emit_addf(b, " %d; fi\n", a);
		}
		if (!trig[a])
			continue;
		emit_add(b, "if ! {");
		bool first = true;
		for (size_t i = 0; i < p->n_conds; i++) {
			const struct plan_cond *c = &p->conds[i];
			if (c->is_assert != a || !c->trigger)
				continue;
			emit_add(b, first ? " " : " || ");
			if (c->negate)
				emit_add(b, "! ");
			cond_test(b, c);
			first = false;
		}
		emit_addf(b, "; }; then skip '%s' %d; fi\n",
			  a ? "every triggering Assert" : "every triggering Condition", a);
	}
}

/* `SRC:DST` items: a relative symlink ROOT/DST -> SRC, its parents made 0755,
 * as systemd 252's symlink_idempotent(): an existing link to SRC is fine,
 * anything else at DST fails the start (ln -T never links into a directory). */
static void
run_dir_links(struct emit_buf *b, int k, const struct plan_dirs *pd)
{
	for (size_t i = 0; i < pd->n_links; i++) {
		const char *dst = pd->links[i].dst;
		struct emit_buf path = { 0 }, parent = { 0 }, target = { 0 };
		emit_addf(&path, "%s/%s", sh_dir_roots[k], dst);
		const char *slash = strrchr(dst, '/');
		emit_addf(&parent, "%s%s%.*s", sh_dir_roots[k], slash ? "/" : "",
			  slash ? (int)(slash - dst) : 0, dst);
		for (const char *x = dst; (x = strchr(x, '/')); x++)
			emit_add(&target, "../");
		emit_add(&target, pd->links[i].src);
		const char *ps = path.s ? path.s : "", *ts = target.s ? target.s : "";
		emit_add(b, "if ! { mkdir -p"), sh_word(b, parent.s ? parent.s : "");
		emit_add(b, " && { [ \"$(readlink"), sh_word(b, ps), emit_add(b, ")\" ="),
			sh_word(b, ts);
		emit_add(b, " ] || ln -sT"), sh_word(b, ts), sh_word(b, ps);
		emit_addf(b, "; }; }; then echo '%s= symlink failed'; exit 1; fi\n",
			  sh_dir_keys[k]);
		emit_buf_done(&path), emit_buf_done(&parent), emit_buf_done(&target);
	}
}

static void
run_dirs(struct emit_buf *b, const struct run_plan *p)
{
	bool any = false;
	for (int k = 0; k < PLAN_DIR_N; k++) {
		for (size_t i = 0; i < p->dirs[k].n; i++) {
			if (!any)
				emit_add(
					b,
					"\n# *Directory=: created as root with their modes; owned by User=/Group=\n"
					"# (ConfigurationDirectory= stays root's).\n");
			any = true;
			struct emit_buf path = { 0 };
			emit_addf(&path, "%s/%s", sh_dir_roots[k], p->dirs[k].names[i]);
			const char *ps = path.s ? path.s : "";
			emit_add(b, "if ! { mkdir -p"), sh_word(b, ps);
			emit_addf(b, " && chmod %04o", p->dirs[k].mode), sh_word(b, ps);
			if (k != PLAN_DIR_CONFIGURATION && (p->user || p->group)) {
				struct emit_buf own = { 0 };
				emit_addf(&own, "%s:%s", p->user ? p->user : "",
					  p->group ? p->group : "");
				emit_add(b, " && chown -R"), sh_word(b, own.s ? own.s : ""),
					sh_word(b, ps);
				emit_buf_done(&own);
			}
			emit_addf(b, "; }; then echo '%s= failed'; exit 1; fi\n", sh_dir_keys[k]);
			emit_buf_done(&path);
		}
		run_dir_links(b, k, &p->dirs[k]);
	}
}

static void
redirect(struct emit_buf *b, int fd, const struct plan_io *io)
{
	switch (io->kind) {
	case PLAN_IO_NULL:
		emit_addf(b, "exec %d%s/dev/null\n", fd, fd ? ">" : "<");
		break;
	case PLAN_IO_CONSOLE:
		emit_addf(b, "exec %d%s/dev/console\n", fd, fd ? ">" : "<");
		break;
	case PLAN_IO_FILE:
		emit_addf(b, "exec %d%s", fd, fd ? "<>" : "<"), emit_quote(b, io->path),
			emit_add(b, "\n");
		break;
	case PLAN_IO_APPEND:
		emit_addf(b, "exec %d>>", fd), emit_quote(b, io->path), emit_add(b, "\n");
		break;
	case PLAN_IO_TRUNCATE:
		emit_addf(b, "exec %d>", fd), emit_quote(b, io->path), emit_add(b, "\n");
		break;
	case PLAN_IO_SOCKET: /* only in the per-connection script (emit_connection) */
		emit_addf(b, "exec %d%s&3\n", fd, fd ? ">" : "<");
		break;
	case PLAN_IO_DEFAULT:
	case PLAN_IO_LOG:
	case PLAN_IO_INHERIT:
		break;
	}
}

static void
run_stdio(struct emit_buf *b, const struct run_plan *p)
{
	emit_add(b, "\n# Standard input and output (StandardInput/Output/Error=).\n");
	if (p->in.kind == PLAN_IO_DEFAULT || p->in.kind == PLAN_IO_SOCKET)
		emit_add(b, "exec </dev/null\n");
	else
		redirect(b, 0, &p->in);
	bool out_moved = p->out.kind != PLAN_IO_DEFAULT && p->out.kind != PLAN_IO_LOG &&
			 p->out.kind != PLAN_IO_SOCKET;
	bool err_log = p->err.kind == PLAN_IO_LOG;
	if (out_moved && err_log)
		emit_add(b, "exec 3>&1\n");
	redirect(b, 1, &p->out);
	if (p->err.kind == PLAN_IO_DEFAULT || p->err.kind == PLAN_IO_INHERIT) {
		if (out_moved)
			emit_add(b, "exec 2>&1\n");
	} else if (err_log) {
		if (out_moved)
			emit_add(b, "exec 2>&3 3>&-\n");
	} else if (p->err.kind == p->out.kind && p->err.path && p->out.path &&
		   !strcmp(p->err.path, p->out.path)) {
		/* systemd opens the file once and dups it (can_inherit_stderr_from_stdout()):
		 * two opens of file: would write over each other from offset 0. */
		emit_add(b, "exec 2>&1\n");
	} else {
		redirect(b, 2, &p->err);
	}
}

/* ExecStartPost= for simple/forking/notify: systemd's unit becomes active only
 * once every ExecStartPost= line has succeeded, and a failure stops it as
 * failed. run cannot wait after its exec, so a background job runs the lines
 * (simple: right away; forking/notify: when klein-svc marks the daemon up),
 * then creates the ready marker that check tests; on a failure it marks the
 * start failed and asks runsv to stop the service (control/t: ExecStop=, the
 * stop signal); finish then treats the exit as a failure. */
static void
background_post(struct emit_buf *b, const struct run_plan *p, bool wait_up)
{
	if (!sh_post_gates(p))
		return;
	emit_add(b, "\n# ExecStartPost= in the background (");
	emit_add(b, wait_up ? "once the daemon is up" : "right after the main process starts");
	emit_add(
		b,
		"); the service is ready only after them.\n"
		"# ours: this start is still the current one (not restarted meanwhile).\n"
		"ours() { [ \"$(cat supervise/klein.invocation 2>/dev/null)\" = \"$invocation\" ]; }\n( (\n");
	if (wait_up) {
		uint64_t t = p->timeout_start_usec == PLAN_INFINITY
				     ? 0
				     : (p->timeout_start_usec + 199999) / 200000;
		emit_add(
			b,
			"\ti=0\n\twhile [ ! -e supervise/klein.up ]; do\n\t\tsleep 0.2; i=$((i + 1))\n"
			"\t\tours || exit 0\n");
		if (t)
			emit_addf(b, "\t\t[ \"$i\" -lt %llu ] || exit 0\n", (unsigned long long)t);
		emit_add(b, "\tdone\n");
	}
	sh_command_lines(
		b, p, &p->start_post, "ExecStartPost",
		wait_up ? "--env \"MAINPID=$(cat supervise/klein.pid 2>/dev/null)\""
			: "--env \"MAINPID=$$\"",
		"{ ours || exit 0; echo 'ExecStartPost= failed, stopping'; : >supervise/klein.failed; printf t >supervise/control; exit 0; }",
		"\t");
	emit_add(b, "\tours && : >supervise/klein.ready\n) & )\n");
}

static void
supervise_cmd(struct emit_buf *b, const struct run_plan *p, const char *type)
{
	emit_addf(b, "exec klein-svc supervise --type %s", type);
	if (p->pidfile)
		emit_add(b, " --pidfile"), sh_word(b, p->pidfile);
	emit_add(b, " --timeout ");
	sh_seconds(b, p->timeout_start_usec);
	emit_addf(b,
		  " \\\n\t--ready-file supervise/%s --mainpid-file supervise/klein.pid -- \\\n\t",
		  sh_post_gates(p) ? "klein.up" : "klein.ready");
	sh_command(b, p, &p->start.v[0], ROLE_MAIN, NULL, PID_SH);
	emit_add(b, "\n");
}

static void
run_main(struct emit_buf *b, const struct run_plan *p)
{
	switch (p->type) {
	case PLAN_SIMPLE:
		background_post(b, p, false);
		emit_addf(b,
			  "\n# ExecStart= (Type=%s): the main process, in the foreground.\nexec ",
			  p->type_name);
		sh_command(b, p, &p->start.v[0], ROLE_MAIN, NULL, PID_SELF);
		emit_add(b, "\n");
		return;
	case PLAN_FORKING:
	case PLAN_NOTIFY:
		background_post(b, p, true);
		emit_addf(
			b,
			"\n# ExecStart= (Type=%s): klein-svc supervises the daemon and marks it ready.\n",
			p->type_name);
		supervise_cmd(b, p, p->type == PLAN_FORKING ? "forking" : "notify");
		return;
	case PLAN_ONESHOT:
		break;
	}
	/* A failed command ends the run with its own status, so the finish
	 * script sees what systemd reports as the main process's status. */
	emit_add(b, "\n# ExecStart= (Type=oneshot): every command in order.\n");
	for (size_t i = 0; i < p->start.n; i++) {
		sh_command(b, p, &p->start.v[i], ROLE_MAIN, NULL, PID_SUBSHELL);
		emit_add(b, p->start.v[i].ignore_failure ? " || :\n" : " || exit \"$?\"\n");
	}
	sh_command_lines(b, p, &p->start_post, "ExecStartPost", NULL, "exit 1", "");
	if (p->remain_after_exit) {
		emit_add(
			b,
			"\n# RemainAfterExit=yes: stay up (and ready) until stopped; TERM is a clean stop.\n"
			": >supervise/klein.ready\ntrap 'kill \"$!\" 2>/dev/null; exit 0' TERM INT HUP\n"
			"while :; do sleep 3600 & wait \"$!\"; done\n");
		return;
	}
	emit_add(
		b,
		"\n# Done: systemd now runs ExecStop=, and the service goes down without a restart.\n");
	sh_command_lines(b, p, &p->stop, "ExecStop", NULL, NULL, "");
	emit_add(b, "printf o >supervise/control\nexit 0\n");
}

/* LoadCredential=, SetCredential=, ImportCredential=: a function that fills
 * $CREDENTIALS_DIRECTORY afresh, called before ExecStartPre= and again before
 * ExecStart= (systemd writes them for both). */
static void
run_creds(struct emit_buf *b, const struct run_plan *p)
{
	static const char *const opts[] = { "--load", "--set", "--import" };
	char **const lists[] = { p->creds_load, p->creds_set, p->creds_import };
	const size_t ns[] = { p->n_creds_load, p->n_creds_set, p->n_creds_import };
	emit_add(b, "\n# LoadCredential=/SetCredential=/ImportCredential=: $CREDENTIALS_DIRECTORY, "
		    "filled as root\n# and readable only by User=, afresh before ExecStartPre= "
		    "and ExecStart=\n# (a credential that cannot be loaded: exit 243, "
		    "systemd's 243/CREDENTIALS).\ncredentials() {\n\tklein-svc credentials --dir");
	sh_creds_dir(b, p, "");
	if (p->user && strcmp(p->user, "root") && strcmp(p->user, "0")) {
		/* systemd chowns them to User= (Group=, else its group). */
		struct emit_buf spec = { 0 };
		emit_addf(&spec, "%s%s%s", p->user, p->group ? ":" : "", p->group ? p->group : "");
		emit_add(b, " --user");
		sh_word(b, spec.s ? spec.s : "");
		b->oom |= spec.oom;
		emit_buf_done(&spec);
	}
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < ns[k]; i++) {
			emit_addf(b, " \\\n\t\t%s", opts[k]);
			sh_word(b, lists[k][i]);
		}
	emit_add(b, "\n}\ncredentials || exit \"$?\"\n");
}

char *
emit_run(const struct run_plan *p, const struct emit_options *o)
{
	struct emit_buf b = { 0 };
	sh_header(
		&b, p,
		"run: runsv starts this; it prepares the service as systemd would, then runs it.");
	emit_add(
		&b,
		"exec 2>&1\nrm -f supervise/klein.skip supervise/klein.stopping supervise/klein.ready supervise/klein.pid \\\n\tsupervise/klein.up supervise/klein.failed supervise/klein.timeout\n");
	emit_add(&b,
		 "# systemd's $INVOCATION_ID: a random 128-bit id for this start (and its stop).\n"
		 "od -An -N16 -tx1 /dev/urandom | tr -d ' \\n' >supervise/klein.invocation\n");
	if (sh_has_start_limit(p))
		emit_add(&b,
			 "# When this start began, for the start limit in finish.\n"
			 "read -r up _ </proc/uptime && echo \"$up\" >supervise/klein.starttime\n");
	run_deps(&b, p, o);
	run_conditions(&b, p);
	run_dirs(&b, p);
	emit_add(&b, "\n");
	sh_env_block(&b, p);
	run_stdio(&b, p);
	if (p->exec_condition.n) {
		emit_add(&b, "\n# ExecCondition=: exit 1-254 skips the start, 255 fails it.\n");
		for (size_t i = 0; i < p->exec_condition.n; i++) {
			sh_command(&b, p, &p->exec_condition.v[i], ROLE_AUX, NULL, PID_SUBSHELL);
			emit_add(
				&b,
				"\ncase $? in 0) ;; 255) exit 1 ;; *) skip 'ExecCondition=' 0 ;; esac\n");
		}
	}
	if (sh_has_creds_to_load(p))
		run_creds(&b, p);
	if (p->start_pre.n) {
		emit_add(&b, "\n# ExecStartPre=\n");
		sh_command_lines(&b, p, &p->start_pre, "ExecStartPre", NULL, "exit 1", "");
		if (sh_has_creds_to_load(p))
			emit_add(&b, "credentials || exit \"$?\"  # afresh for ExecStart=\n");
	}
	run_main(&b, p);
	return b.oom ? (free(b.s), NULL) : b.s;
}

/* Accept=yes: systemd's service_fix_stdio(): with StandardInput=socket an
 * unset StandardOutput= inherits it, and StandardError= follows stdout. */
static void
connection_stdio(struct emit_buf *b, const struct run_plan *p)
{
	struct plan_io in = p->in, out = p->out, err = p->err;
	if (in.kind == PLAN_IO_SOCKET && out.kind == PLAN_IO_DEFAULT)
		out.kind = PLAN_IO_SOCKET;
	emit_add(b, "\n# Standard input and output (StandardInput/Output/Error=).\n");
	if (in.kind == PLAN_IO_DEFAULT)
		emit_add(b, "exec </dev/null\n");
	else
		redirect(b, 0, &in);
	redirect(b, 1, &out);
	if (err.kind == PLAN_IO_DEFAULT || err.kind == PLAN_IO_INHERIT) {
		if (out.kind != PLAN_IO_DEFAULT && out.kind != PLAN_IO_LOG)
			emit_add(b, "exec 2>&1\n");
	} else {
		redirect(b, 2, &err);
	}
	/* systemd's exec_spawn(): when a stream is the socket, the connection is
	 * passed there only, not also as fd 3 with LISTEN_FDS= (Debian 13's
	 * sshd -i, built with socket activation, takes a LISTEN_FDS fd 3 for a
	 * listener and fails). */
	if (in.kind == PLAN_IO_SOCKET || out.kind == PLAN_IO_SOCKET || err.kind == PLAN_IO_SOCKET)
		emit_add(b, "exec 3>&-\nunset LISTEN_FDS LISTEN_PID LISTEN_FDNAMES\n");
}

char *
emit_connection(const struct run_plan *p, const struct emit_options *o)
{
	struct emit_buf b = { 0 };
	(void)o;
	sh_header(
		&b, p,
		"connection: klein-svc accept runs this once per connection (on fd 3), as systemd\n"
		"# starts one instance of the template per connection ($KLEIN_INSTANCE: its name).");
	run_conditions(&b, p);
	run_dirs(&b, p);
	emit_add(&b, "\n");
	sh_env_block(&b, p);
	connection_stdio(&b, p);
	if (p->start_pre.n) {
		emit_add(&b, "\n# ExecStartPre=\n");
		sh_command_lines(&b, p, &p->start_pre, "ExecStartPre", NULL, "exit 1", "");
	}
	emit_addf(&b, "\n# ExecStart= (Type=%s): this connection's process.\nexec ", p->type_name);
	sh_command(&b, p, &p->start.v[0], ROLE_MAIN, NULL, PID_SELF);
	emit_add(&b, "\n");
	return b.oom ? (free(b.s), NULL) : b.s;
}
