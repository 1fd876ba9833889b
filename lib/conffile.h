/* SPDX-License-Identifier: MIT */
/* What klein-init and klein-porter share to read a libconfuse file with true line numbers. */
#ifndef KLEIN_LIB_CONFFILE_H
#define KLEIN_LIB_CONFFILE_H

#include <stddef.h>

/* Reads the file at path (at most max bytes) into a NUL-terminated malloc'd
 * string. 0, or -errno from open/read, -EFBIG when larger than max. */
int conf_read_file(const char *path, size_t max, char **ret);

/* Blanks out comments (# and // to end of line, and block comments)
 * outside quotes, keeping newlines. libconfuse 3.3 counts a '#' or '//'
 * comment as three lines and a block comment as two, so without this every
 * error's cfg->line after a comment is wrong. Accepts NULL. */
void conf_blank_comments(char *s);

#endif
