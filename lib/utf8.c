/* SPDX-License-Identifier: MIT */
/* UTF-8 checks: one sequence's length, and systemd's utf8_is_valid(). */
#include <stdint.h>

#include "lib/utf8.h"

bool
unichar_valid(uint32_t ch)
{
	if (ch >= 0x110000)
		return false;
	if ((ch & 0xFFFFF800) == 0xD800)
		return false;
	if (ch >= 0xFDD0 && ch <= 0xFDEF)
		return false;
	if ((ch & 0xFFFE) == 0xFFFE)
		return false;
	return true;
}

bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t ch;
		int len;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			len = 2;
			ch = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			len = 3;
			ch = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			len = 4;
			ch = *p & 0x07;
		} else
			return false;
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			ch = (ch << 6) | (p[i] & 0x3F);
		}
		/* Overlong encodings are invalid. */
		if ((len == 2 && ch < 0x80) || (len == 3 && ch < 0x800) ||
		    (len == 4 && ch < 0x10000))
			return false;
		if (!unichar_valid(ch))
			return false;
		p += len;
	}
	return true;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and > U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}
