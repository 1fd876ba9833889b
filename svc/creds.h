/* SPDX-License-Identifier: MIT */
/* klein-svc: a service's credentials directory ($CREDENTIALS_DIRECTORY), filled as systemd's
 * exec-credential.c fills it in a plain directory. */
#ifndef KLEIN_SVC_CREDS_H
#define KLEIN_SVC_CREDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* systemd's EXIT_CREDENTIALS (243): the exit status when they cannot be set up. */
#define CREDS_EXIT 243

struct creds_spec {
	const char *dir;    /* the final directory: /run/credentials/UNIT */
	const char *root;   /* prefix of the credential store directories ("") */
	struct strv load;   /* "ID:PATH" (LoadCredential=) */
	struct strv set;    /* "ID:VALUE", VALUE C-escaped (SetCredential=) */
	struct strv import; /* "GLOB" (ImportCredential=) */
	uid_t uid;	    /* the owner (User=) when chown is set */
	gid_t gid;
	bool chown;
};

/*
 * Builds the directory afresh in a private workspace next to it (mode 0700)
 * and renames it into place: LoadCredential= first (an absolute PATH is a
 * file, a directory read recursively as ID_SUB_PATH, or an AF_UNIX stream
 * socket; a missing file fails unless SetCredential= has the same ID; a
 * credential name is looked up in the store, missing is fine), then
 * ImportCredential= (per glob, the store's directories in order, the first
 * file of a name wins), then SetCredential= for IDs not loaded. Files are
 * 0400, the directory 0500, owned by uid:gid when chown is set. At most
 * CREDS_TOTAL_MAX bytes (IDs and data). An empty result leaves no
 * directory. 0 or -errno after a message.
 */
int creds_setup(const struct creds_spec *c);

/* rm -rf path (no symlink followed); 0 or -errno. */
int creds_remove(const char *path);

#endif
