/* SPDX-License-Identifier: MIT */
/* chase: paths resolved inside an image root, as systemd's --root does. */
#ifndef KLEIN_PORTER_CHASE_H
#define KLEIN_PORTER_CHASE_H

enum {
	CHASE_MKDIR = 1u << 0, /* create missing components as directories, mode 0755 */
};

/* Opens path with every component resolved inside the directory rootfd, the
 * way systemd's chase() with CHASE_PREFIX_ROOT does: a leading '/' and each
 * absolute symlink restart at rootfd, and ".." never climbs above it, so
 * nothing outside the root is reached. The last component is followed too.
 * Returns an O_PATH descriptor (usable as the dirfd of *at() calls), or
 * -errno: -ENOENT (a component is missing), -ENOTDIR, -ELOOP (over 40
 * links), -ENAMETOOLONG, -ENOMEM. */
int chase(int rootfd, const char *path, unsigned flags);

/* Opens root (a directory; NULL means "/") as an O_PATH descriptor, or
 * returns -errno. */
int chase_root(const char *root);

#endif
