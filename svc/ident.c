/* SPDX-License-Identifier: MIT */
/* klein-svc: systemd 252's User=/Group=/SupplementaryGroups= as a chpst -u spec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"

#include "lib/pwdb.h"

#define NOBODY_ID 65534

/* One group of the list: its gid and name ("" when /etc/group has none). */
struct gid_list {
	struct strv gids, names;
};

static void
gid_list_add(struct gid_list *l, const char *grtext, unsigned long gid)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lu", gid);
	for (size_t i = 0; i < l->gids.n; i++)
		if (strcmp(l->gids.v[i], buf) == 0)
			return;
	char *name = gr_name_by_gid(grtext, (gid_t)gid);
	strv_push(&l->gids, xstrdup(buf));
	strv_push(&l->names, name ? name : xstrdup(""));
}

/* systemd's get_group_creds(): root/0 and nobody/65534 are synthesized,
 * anything else (name or gid) must be in /etc/group. */
static int
resolve_group(const char *grtext, const char *key, unsigned long *ret)
{
	gid_t gid;
	if (strcmp(key, "root") == 0 || strcmp(key, "0") == 0) {
		*ret = 0;
		return 0;
	}
	if (strcmp(key, "nobody") == 0 || strcmp(key, "65534") == 0) {
		*ret = NOBODY_ID;
		return 0;
	}
	if (gr_lookup(grtext, key, &gid) < 0) {
		log_error("group '%s' not found", key);
		return -ENOENT;
	}
	*ret = gid;
	return 0;
}

/* systemd's get_user_creds(): name, uid and primary gid of key; named
 * tells whether chpst can look the name up (it has a passwd entry). */
static int
resolve_user(const char *pwtext, const char *key, char **ret_name, unsigned long *ret_uid,
	     unsigned long *ret_gid, bool *named)
{
	struct pw_entry pw = { 0 };
	const char *synth = NULL;
	unsigned long id = 0;

	if (strcmp(key, "root") == 0 || strcmp(key, "0") == 0)
		synth = "root";
	else if (strcmp(key, "nobody") == 0 || strcmp(key, "65534") == 0)
		synth = "nobody", id = NOBODY_ID;
	if (synth) {
		*named = pw_lookup(pwtext, synth, &pw) == 0 && pw.uid == id;
		pw_entry_done(&pw);
		*ret_name = xstrdup(synth);
		*ret_uid = *ret_gid = id;
		return 0;
	}
	if (pw_lookup(pwtext, key, &pw) < 0) {
		log_error("user '%s' not found", key);
		return -ESRCH;
	}
	*named = true;
	*ret_name = pw.name;
	pw.name = NULL;
	*ret_uid = pw.uid;
	*ret_gid = pw.gid;
	pw_entry_done(&pw);
	return 0;
}

/* Joins "head:v0:v1..." into a heap string. */
static char *
join_spec(const char *head, const struct strv *l)
{
	char *s = xstrdup(head);
	for (size_t i = 0; i < l->n; i++) {
		char *t = xstrjoin3(s, ":", l->v[i]);
		free(s);
		s = t;
	}
	return s;
}

int
ident_chpst_spec(const char *pwtext, const char *grtext, const char *user_group,
		 const struct strv *extra, bool numeric, char **ret)
{
	struct gid_list l = { 0 };
	struct strv members = { 0 };
	char *user = xstrdup(user_group), *name = NULL;
	char *group = strchr(user, ':');
	unsigned long uid, gid;
	bool named;
	int r;

	if (group)
		*group++ = '\0';
	r = resolve_user(pwtext, user, &name, &uid, &gid, &named);
	if (r < 0)
		goto out;
	if (group && *group && (r = resolve_group(grtext, group, &gid)) < 0)
		goto out;
	gid_list_add(&l, grtext, gid);
	/* execute.c: "We avoid NSS lookups for gid=0": no initgroups() then. */
	if (gid != 0) {
		gr_memberships(grtext, name, &members);
		for (size_t i = 0; i < members.n; i++)
			gid_list_add(&l, grtext, strtoul(members.v[i], NULL, 10));
	}
	for (size_t i = 0; extra && i < extra->n; i++) {
		unsigned long g;
		if ((r = resolve_group(grtext, extra->v[i], &g)) < 0)
			goto out;
		gid_list_add(&l, grtext, g);
	}
	if (l.gids.n > CHPST_MAX_GROUPS) {
		log_error("user '%s' has %zu groups, chpst takes at most %d", name, l.gids.n,
			  CHPST_MAX_GROUPS);
		r = -E2BIG;
		goto out;
	}
	for (size_t i = 0; i < l.names.n; i++)
		numeric |= l.names.v[i][0] == '\0';
	numeric |= !named;
	if (numeric) {
		char head[32];
		snprintf(head, sizeof(head), ":%lu", uid);
		*ret = join_spec(head, &l.gids);
	} else
		*ret = join_spec(name, &l.names);
	r = 0;
out:
	strv_done(&l.gids);
	strv_done(&l.names);
	strv_done(&members);
	free(name);
	free(user);
	return r;
}
