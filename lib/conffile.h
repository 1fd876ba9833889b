/* SPDX-License-Identifier: MIT */
/* What klein-init and klein-porter share to read a libconfuse file with true line numbers. */
#ifndef KLEIN_LIB_CONFFILE_H
#define KLEIN_LIB_CONFFILE_H

#include <stddef.h>

#define CONF_FILE_MAX (1u << 20) /* bytes: a config file is a few lines */

/* Reads the file at path (at most max bytes) into a NUL-terminated malloc'd
 * string. Only a regular file (or /dev/null, read as empty): a FIFO or
 * another device (/dev/zero) is refused at once (-EBADFD) instead of
 * hanging or reading forever. 0, or -errno from
 * open/read, -EFBIG when larger than max. */
int conf_read_file(const char *path, size_t max, char **ret);

/* The message for an error of conf_read_file(): "not a regular file",
 * "larger than 1 MiB", or the errno's text (a static string). */
const char *conf_read_error(int r);

/* Blanks out comments (# and // to end of line, and block comments)
 * outside quotes, keeping newlines. libconfuse 3.3 counts a '#' or '//'
 * comment as three lines and a block comment as two, so without this every
 * error's cfg->line after a comment is wrong. Accepts NULL. */
void conf_blank_comments(char *s);

#endif
