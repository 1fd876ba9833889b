/* SPDX-License-Identifier: MIT */
/* UTF-8 checks: one sequence's length, and systemd's utf8_is_valid(). */
#ifndef KLEIN_LIB_UTF8_H
#define KLEIN_LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * overlong forms, surrogates and code points above U+10FFFF are invalid. */
size_t utf8_len(const unsigned char *s, size_t n);
/* systemd's unichar_is_valid(): at most U+10FFFF, no surrogates, no noncharacters. */
bool unichar_valid(uint32_t ch);
/* True when s is valid UTF-8 per systemd (no surrogates, no noncharacters). */
bool utf8_valid(const char *s);

#endif
