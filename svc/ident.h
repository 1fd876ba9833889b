/* SPDX-License-Identifier: MIT */
/* klein-svc: systemd 252's User=/Group=/SupplementaryGroups= as a chpst -u spec. */
#ifndef KLEIN_SVC_IDENT_H
#define KLEIN_SVC_IDENT_H

#include <stdbool.h>

#include "util.h"

/* chpst(8) takes at most 60 groups after the user. */
#define CHPST_MAX_GROUPS 60

/*
 * The identity systemd 252 gives a service with User=USER (Group=GROUP when
 * user_group is "USER:GROUP") and SupplementaryGroups=extra, resolved from
 * the text of /etc/passwd and /etc/group, as chpst's -u argument:
 * "USER:GROUP:SUPP..." by name, or ":UID:GID:GID..." when numeric is set or
 * some id has no name. The group list is initgroups(USER, GID) (GID, then
 * every group listing USER as a member, in file order) unless GID is 0, then
 * extra; duplicates dropped. Like systemd, "root"/"0" and "nobody"/"65534"
 * are known even without an entry, numeric ids must exist otherwise.
 * 0 and *ret (heap); -ESRCH unknown user, -ENOENT unknown group, -E2BIG more
 * than CHPST_MAX_GROUPS; a message is logged.
 */
int ident_chpst_spec(const char *pwtext, const char *grtext, const char *user_group,
		     const struct strv *extra, bool numeric, char **ret);

#endif
