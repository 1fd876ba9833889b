/* SPDX-License-Identifier: MIT */
/* What klein-init and klein-porter share to read a libconfuse file with true line numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/conffile.h"

int
conf_read_file(const char *path, size_t max, char **ret)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, ncap);

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (len > max) {
			r = -EFBIG;
			break;
		}
		if (n == 0) {
			if (ferror(f))
				r = -EIO;
			break;
		}
	}
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

void
conf_blank_comments(char *s)
{
	char quote = 0;

	if (!s)
		return;
	for (; *s; s++) {
		if (quote) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '#' || (*s == '/' && s[1] == '/')) {
			for (; *s && *s != '\n'; s++)
				*s = ' ';
			if (!*s)
				return;
		} else if (*s == '/' && s[1] == '*') {
			for (; *s && !(*s == '*' && s[1] == '/'); s++)
				if (*s != '\n')
					*s = ' ';
			if (!*s)
				return;
			s[0] = s[1] = ' ';
			s++;
		}
	}
}
