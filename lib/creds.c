/* SPDX-License-Identifier: MIT */
/* creds: credential names, globs and SetCredential= unescaping (systemd's
 * creds-util.c, fd-util.c, escape.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/creds.h"
#include "lib/words.h"

bool
fdname_valid(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if (*p == ':' || *p < ' ' || *p >= 127)
			return false;
	return n <= 255;
}

bool
credential_name_valid(const char *s)
{
	return filename_is_valid(s) && fdname_valid(s);
}

bool
credential_glob_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255)
		return false;
	if (s[n - 1] != '*')
		return !strpbrk(s, "*?[") && credential_name_valid(s);
	if (n == 1)
		return true;
	char *prefix = strndup(s, n - 1);
	if (!prefix)
		return false;
	bool ok = !strpbrk(prefix, "*?[") && credential_name_valid(prefix);
	free(prefix);
	return ok;
}

/* A NUL written as an escape (\x00, \000, \u0000, \U00000000): the length of
 * the escape after the backslash, or 0. cunescape_one() refuses these (no
 * NUL in command lines); SetCredential= accepts them. */
static size_t
nul_escape(const char *p)
{
	static const char *const forms[] = { "x00", "000", "u0000", "U00000000" };
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!strncmp(p, forms[i], strlen(forms[i])))
			return strlen(forms[i]);
	return 0;
}

int
credential_unescape(const char *s, char **ret, size_t *ret_len)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1), *t = out;
	if (!out)
		return -ENOMEM;
	for (const char *f = s; *f; f++) {
		if (*f != '\\') {
			*t++ = *f;
			continue;
		}
		size_t z = nul_escape(f + 1);
		if (z) {
			*t++ = '\0';
			f += z;
			continue;
		}
		uint32_t u;
		bool eight_bit = false;
		int k = f[1] ? cunescape_one(f + 1, &u, &eight_bit) : -EINVAL;
		if (k < 0) {
			free(out);
			return -EINVAL;
		}
		f += k;
		/* An escape is never shorter than its UTF-8 encoding (\uXXXX: at
		 * most 3 bytes, \UXXXXXXXX: at most 4), so out never overflows. */
		if (eight_bit)
			*t++ = (char)u;
		else
			t += utf8_encode(t, u);
	}
	*t = '\0';
	*ret = out;
	*ret_len = (size_t)(t - out);
	return 0;
}

int
base64_check(const char *s)
{
	size_t n = 0, pad = 0;
	for (const char *p = s; *p; p++) {
		if (strchr(" \t\n\r", *p))
			continue;
		if (*p == '=') {
			pad++;
			n++;
			continue;
		}
		bool alpha = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || *p == '+' || *p == '/';
		if (!alpha || pad) /* nothing after the padding */
			return -EINVAL;
		n++;
	}
	/* The input ends inside a group of four: systemd's unbase64mem() says EPIPE. */
	return pad > 2 ? -EINVAL : n % 4 ? -EPIPE : 0;
}
