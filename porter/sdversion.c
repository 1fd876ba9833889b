/* SPDX-License-Identifier: MIT */
/* sdversion: the systemd version units are read as, from an option or from
 * the image's os-release. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/osrelease.h"

#include "sdversion.h"

int
sdversion_parse(const char *s, unsigned *ret)
{
	static const unsigned known[] = { 252, 255, 257 };
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (v == known[i]) {
			*ret = known[i];
			return 0;
		}
	return -EINVAL;
}

const char *
sdversion_known(void)
{
	return "252, 255, 257";
}

int
sdversion_choose(const char *opt, unsigned conf, const char *root, char *buf, unsigned long size,
		 unsigned *ret, const char **why)
{
	if (opt) {
		*why = "--systemd";
		return sdversion_parse(opt, ret);
	}
	if (conf) {
		*ret = conf;
		*why = "porter.conf";
		return 0;
	}
	*ret = os_release_systemd(root, buf, size, why);
	return 0;
}
