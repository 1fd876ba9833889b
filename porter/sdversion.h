/* SPDX-License-Identifier: MIT */
/* sdversion: which systemd version units are read as: --systemd, porter.conf's
 * `systemd =`, or the image root's os-release (Debian 12 -> 252, Ubuntu
 * 24.04 -> 255, Debian 13 -> 257, anything else -> the newest known). */
#ifndef KLEIN_PORTER_SDVERSION_H
#define KLEIN_PORTER_SDVERSION_H

/* The versions klein-porter reads units as, oldest first; the newest is the
 * default for an unknown OS. */
#define SDVERSION_OLDEST 252
#define SDVERSION_NEWEST 257

/* Parses "252", "255" or "257" into *ret. -EINVAL for anything else. */
int sdversion_parse(const char *s, unsigned *ret);

/* The version for the OS installed under root (ROOT/etc/os-release, else
 * ROOT/usr/lib/os-release, as systemd reads them). *why says how it was
 * chosen ("Debian 13 (os-release)", "unknown OS: the newest"), a static or
 * buf-backed string. Returns the version; never fails. */
unsigned sdversion_for_root(const char *root, char *buf, unsigned long size, const char **why);

/* The version to read as: opt (--systemd; -EINVAL when not a known
 * version), else conf (porter.conf's `systemd =`, 0 when unset), else
 * sdversion_for_root(). *why names the source. Returns 0 or -EINVAL. */
int sdversion_choose(const char *opt, unsigned conf, const char *root, char *buf,
		     unsigned long size, unsigned *ret, const char **why);

/* A comma-separated list of the known versions, for messages. */
const char *sdversion_known(void);

#endif
