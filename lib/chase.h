/* SPDX-License-Identifier: MIT */
/* chase: paths resolved component by component inside a root, as systemd's chase(). */
#ifndef KLEIN_LIB_CHASE_H
#define KLEIN_LIB_CHASE_H

#include <stdbool.h>

enum {
	CHASE_MKDIR = 1u << 0, /* create missing components as directories, mode 0755 */
	/* systemd's CHASE_SAFE: -ENOLINK when a step goes from something owned
	 * by a non-root user to something of another owner (a link planted in
	 * a user's directory pointing at root's files). */
	CHASE_SAFE = 1u << 1,
};

/* Opens path with every component resolved inside the directory rootfd, the
 * way systemd's chase() with CHASE_PREFIX_ROOT does: a leading '/' and each
 * absolute symlink restart at rootfd, and ".." never climbs above it, so
 * nothing outside the root is reached. The last component is followed too.
 * Returns an O_PATH descriptor (usable as the dirfd of *at() calls), or
 * -errno: -ENOENT (a component is missing), -ENOTDIR, -ELOOP (over 40
 * links), -ENAMETOOLONG, -ENOMEM, -ENOLINK (CHASE_SAFE). */
int chase(int rootfd, const char *path, unsigned flags);

/* Opens root (a directory; NULL means "/") as an O_PATH descriptor, or
 * returns -errno. */
int chase_root(const char *root);

/* root + path as a host path, with the directory part (all of it with
 * follow_last) resolved inside root as systemd's --root does: absolute
 * symlinks and ".." stay in the root. A part that does not exist gives a path
 * that does not either. root NULL, "" or "/" means none. Returns malloc'd
 * text, NULL only when out of memory. */
char *chase_path(const char *root, const char *path, bool follow_last);

#endif
