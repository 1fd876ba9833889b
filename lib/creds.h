/* SPDX-License-Identifier: MIT */
/* creds: systemd's credential grammar (LoadCredential=, SetCredential=,
 * ImportCredential=) and OpenFile='s fd names, shared by the porter (which
 * checks the unit) and klein-svc (which fills $CREDENTIALS_DIRECTORY). */
#ifndef KLEIN_LIB_CREDS_H
#define KLEIN_LIB_CREDS_H

#include <stdbool.h>
#include <stddef.h>

/* systemd's CREDENTIALS_TOTAL_SIZE_MAX: the sum of every credential's ID
 * length and data size of one unit; also the largest single credential. */
#define CREDS_TOTAL_MAX (1024u * 1024u)

/* systemd's fdname_is_valid(): printable ASCII without ':', at most 255
 * bytes (the empty name is valid). */
bool fdname_valid(const char *s);

/* systemd's credential_name_valid(): a valid file name and fd name. */
bool credential_name_valid(const char *s);

/* systemd's credential_glob_valid(): a credential name without glob
 * characters, or a prefix of one (maybe empty) followed by a single '*' as
 * the only glob character. */
bool credential_glob_valid(const char *s);

/* SetCredential='s C unescaping (systemd's cunescape() with
 * UNESCAPE_ACCEPT_NUL): "\x00" and "\000" give NUL bytes. *ret is malloc'd
 * and NUL-terminated, *ret_len its length. 0, -EINVAL (a bad escape or a
 * trailing '\') or -ENOMEM. */
int credential_unescape(const char *s, char **ret, size_t *ret_len);

/* Whether s is Base64 as systemd's unbase64mem() takes it (whitespace
 * ignored, '=' padding only at the end): 0, -EINVAL (a character outside
 * the alphabet) or -EPIPE (the input ends inside a group of four). */
int base64_check(const char *s);

#endif
