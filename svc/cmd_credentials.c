/* SPDX-License-Identifier: MIT */
/* klein-svc credentials: fill a service's $CREDENTIALS_DIRECTORY before it starts. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "creds.h"

#include "lib/creds.h"
#include "lib/pwdb.h"

/* systemd's EXIT_USER: User=/Group= cannot be resolved. */
#define EXIT_USER 217

enum { OPT_DIR = 256, OPT_USER, OPT_LOAD, OPT_SET, OPT_IMPORT, OPT_REMOVE };

static const struct option options[] = {
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "user", required_argument, NULL, OPT_USER },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "set", required_argument, NULL, OPT_SET },
	{ "import", required_argument, NULL, OPT_IMPORT },
	{ "remove", no_argument, NULL, OPT_REMOVE },
	{ NULL, 0, NULL, 0 },
};

/* "ID:REST" with a valid ID; REST (load) an absolute path or a credential name. */
static bool
item_valid(const char *arg, bool load)
{
	const char *colon = strchr(arg, ':');
	char *id = xstrndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	bool ok = credential_name_valid(id) && (load || colon);
	if (ok && load && colon)
		ok = colon[1] == '/' || credential_name_valid(colon + 1);
	free(id);
	return ok;
}

/* GLOB[:RENAME] */
static bool
import_valid(const char *arg)
{
	const char *colon = strchr(arg, ':');
	char *glob = xstrndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	bool ok = credential_glob_valid(glob) && (!colon || credential_name_valid(colon + 1));
	free(glob);
	return ok;
}

/* The uid and gid systemd gives User=NAME (Group=GROUP): "root"/"0" and
 * "nobody"/"65534" are known without an entry. 0 or -ENOENT after a message. */
static int
resolve_owner(const char *spec, struct creds_spec *c)
{
	const char *root = getenv("KLEIN_SVC_ROOT");
	char *user = xstrdup(spec), *group = strchr(user, ':'), *text = NULL;
	char *pwpath = xstrjoin3(root ? root : "", "/etc/passwd", NULL);
	char *grpath = xstrjoin3(root ? root : "", "/etc/group", NULL);
	struct pw_entry pw = { 0 };
	int r = 0;
	if (group)
		*group++ = '\0';
	(void)read_file(pwpath, &text, NULL);
	if (text && pw_lookup(text, user, &pw) == 0)
		c->uid = pw.uid, c->gid = pw.gid;
	else if (!strcmp(user, "root") || !strcmp(user, "0"))
		c->uid = 0, c->gid = 0;
	else if (!strcmp(user, "nobody") || !strcmp(user, "65534"))
		c->uid = 65534, c->gid = 65534;
	else
		r = -ENOENT, log_error("user '%s' not found in '%s'", user, pwpath);
	free(text), text = NULL;
	if (r == 0 && group) {
		gid_t g;
		(void)read_file(grpath, &text, NULL);
		if (text && gr_lookup(text, group, &g) == 0)
			c->gid = g;
		else if (!strcmp(group, "root") || !strcmp(group, "0"))
			c->gid = 0;
		else if (!strcmp(group, "nobody") || !strcmp(group, "65534"))
			c->gid = 65534;
		else
			r = -ENOENT, log_error("group '%s' not found in '%s'", group, grpath);
	}
	c->chown = r == 0 && c->uid != getuid();
	pw_entry_done(&pw);
	free(text), free(user), free(pwpath), free(grpath);
	return r;
}

static int
parse(struct creds_spec *c, int c_, const char *arg, const char **user, bool *remove)
{
	switch (c_) {
	case OPT_DIR:
		c->dir = arg;
		return arg[0] == '/' ? 0 : -EINVAL;
	case OPT_USER:
		*user = arg;
		return 0;
	case OPT_LOAD:
	case OPT_SET:
		if (!item_valid(arg, c_ == OPT_LOAD))
			return -EINVAL;
		strv_push(c_ == OPT_LOAD ? &c->load : &c->set, xstrdup(arg));
		return 0;
	case OPT_IMPORT:
		if (!import_valid(arg))
			return -EINVAL;
		strv_push(&c->import, xstrdup(arg));
		return 0;
	case OPT_REMOVE:
		*remove = true;
		return 0;
	default:
		return -EINVAL;
	}
}

int
cmd_credentials(int argc, char **argv)
{
	struct creds_spec c = { 0 };
	const char *user = NULL;
	bool remove = false;
	int opt, ret = SVC_EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1)
		if (opt == '?' || parse(&c, opt, optarg, &user, &remove) < 0) {
			if (opt != '?')
				log_error("credentials: invalid '%s'", argv[optind - 1]);
			goto out;
		}
	if (!c.dir || optind < argc) {
		log_error("usage: klein-svc credentials --dir /ABSOLUTE/DIR [--user USER[:GROUP]] "
			  "[--load ID:PATH] [--set ID:VALUE] [--import GLOB] | --remove");
		goto out;
	}
	if (remove) {
		ret = creds_remove(c.dir) < 0 ? 1 : 0;
		goto out;
	}
	const char *root = getenv("KLEIN_SVC_ROOT");
	c.root = root ? root : "";
	ret = EXIT_USER;
	if (user && resolve_owner(user, &c) < 0)
		goto out;
	ret = creds_setup(&c) < 0 ? CREDS_EXIT : 0;
	if (ret)
		log_error("failed to set up the credentials in '%s' (exit status 243/CREDENTIALS)",
			  c.dir);
out:
	strv_done(&c.load);
	strv_done(&c.set);
	strv_done(&c.import);
	return ret;
}
