/* SPDX-License-Identifier: MIT */
/* sdversion: which systemd version units are read as: --systemd, porter.conf's
 * `systemd =`, or the image root's os-release (Debian 12 -> 252, Ubuntu
 * 24.04 -> 255, Debian 13 -> 257, anything else -> the newest known). */
#ifndef KLEIN_PORTER_SDVERSION_H
#define KLEIN_PORTER_SDVERSION_H

#include "lib/osrelease.h"

/* The versions klein-porter reads units as, oldest first; the newest is the
 * default for an unknown OS. */
#define SDVERSION_OLDEST 252
#define SDVERSION_NEWEST SYSTEMD_NEWEST_KNOWN

/* Parses "252", "255" or "257" into *ret. -EINVAL for anything else. */
int sdversion_parse(const char *s, unsigned *ret);

/* The version to read as: opt (--systemd; -EINVAL when not a known
 * version), else conf (porter.conf's `systemd =`, 0 when unset), else
 * os_release_systemd(). *why names the source. Returns 0 or -EINVAL. */
int sdversion_choose(const char *opt, unsigned conf, const char *root, char *buf,
		     unsigned long size, unsigned *ret, const char **why);

/* A comma-separated list of the known versions, for messages. */
const char *sdversion_known(void);

#endif
