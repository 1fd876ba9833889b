/* SPDX-License-Identifier: MIT */
/* klein-svc: file helpers, number parsing, the clock and error messages
 * (allocation, string vectors and env lists come from lib/). */
#ifndef KLEIN_SVC_UTIL_H
#define KLEIN_SVC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/alloc.h"
#include "lib/env.h"
#include "lib/utf8.h"

/* Reads a whole file into a NUL-terminated heap buffer; 0 or -errno. */
int read_file(const char *path, char **ret_buf, size_t *ret_len);
/* Writes text to path atomically (temp file + rename); 0 or -errno. */
int write_file_atomic(const char *path, const char *text);

/* Parses a decimal pid (> 0); 0 or -EINVAL. */
int parse_pid(const char *s, int *ret);
/* Parses an int in [min, max], decimal, optional sign; 0 or -EINVAL/-ERANGE. */
int parse_int(const char *s, long min, long max, long *ret);

/* Blocks the signals of a 0-terminated list and returns a close-on-exec,
 * non-blocking signalfd that reads them; the fd or -errno. */
int signalfd_block(const int *signals);

/* Monotonic clock in microseconds. */
uint64_t now_usec(void);

/* Prints "klein-svc: " fmt "\n" to stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
