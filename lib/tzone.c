/* SPDX-License-Identifier: MIT */
/* tzone: systemd's time zone name check and a scoped $TZ switch. */
#include "lib/tzone.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo/"

static bool
tz_name_ok(const char *name)
{
	bool slash = false;

	if (name[0] == '/')
		return false;
	for (const char *p = name; *p; p++) {
		if (!(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !strchr("-_+/", *p))
			return false;
		if (*p == '/' && slash)
			return false;
		slash = *p == '/';
	}
	return !slash;
}

int
tz_verify(const char *name)
{
	char path[sizeof(ZONEINFO) + PATH_MAX];
	char magic[4];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	if (!name || !*name)
		return -EINVAL;
	/* systemd accepts UTC even where no zone files are installed. */
	if (!strcmp(name, "UTC"))
		return 0;
	if (!tz_name_ok(name))
		return -EINVAL;
	if (strlen(name) >= PATH_MAX)
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s%s", ZONEINFO, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		r = -EBADFD;
	else if ((n = read(fd, magic, sizeof(magic))) < 0)
		r = -errno;
	else if (n != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4))
		r = -EBADMSG;
	close(fd);
	return r;
}

int
tz_enter(const char *zone, struct tz_saved *ret_saved)
{
	const char *old = getenv("TZ");
	char *copy = NULL, *val;

	if (old && !(copy = strdup(old)))
		return -ENOMEM;
	/* tzset(3): a leading ':' names a zone file. */
	if (!(val = malloc(strlen(zone) + 2))) {
		free(copy);
		return -ENOMEM;
	}
	val[0] = ':';
	strcpy(val + 1, zone);
	if (setenv("TZ", val, 1) < 0) {
		free(val);
		free(copy);
		return -ENOMEM;
	}
	free(val);
	tzset();
	ret_saved->old = copy;
	ret_saved->active = true;
	return 0;
}

void
tz_leave(struct tz_saved *saved)
{
	if (!saved->active)
		return;
	if (saved->old)
		setenv("TZ", saved->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved->old);
	saved->old = NULL;
	saved->active = false;
}
