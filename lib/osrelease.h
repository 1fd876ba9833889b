/* SPDX-License-Identifier: MIT */
/* osrelease: the systemd version of the distribution installed under a root
 * (Debian 12 -> 252, Ubuntu 24.04 -> 255, Debian 13 -> 257). */
#ifndef KLEIN_LIB_OSRELEASE_H
#define KLEIN_LIB_OSRELEASE_H

#include <stddef.h>

/* The newest systemd Klein reads units as: the answer for an unknown OS. */
#define SYSTEMD_NEWEST_KNOWN 257

/* The version for the OS installed under root (NULL or "/": this machine):
 * ROOT/etc/os-release, else ROOT/usr/lib/os-release, as systemd reads them,
 * resolved inside the root and only as regular files. *why says how it was
 * chosen ("Debian 13 (os-release)", "no os-release: the newest known"), a
 * static or buf-backed string. Returns the version; never fails. */
unsigned os_release_systemd(const char *root, char *buf, size_t size, const char **why);

#endif
