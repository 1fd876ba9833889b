/* SPDX-License-Identifier: MIT */
/* Static builds only: user lookups that never load NSS modules. */
#include <errno.h>
#include <pwd.h>
#include <stddef.h>

/* libconfuse's '~' expansion is the only caller. glibc's versions would
 * dlopen NSS libraries at run time, which a static PID 1 in an arbitrary
 * image must never do; klein-init's paths are absolute anyway. */
struct passwd *
getpwnam(const char *name)
{
	(void)name;
	errno = ENOENT;
	return NULL;
}

struct passwd *
getpwuid(uid_t uid)
{
	(void)uid;
	errno = ENOENT;
	return NULL;
}
