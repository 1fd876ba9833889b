/* SPDX-License-Identifier: MIT */
/* klein-svc: allocation, string vectors, environment lists and file helpers. */
#ifndef KLEIN_SVC_UTIL_H
#define KLEIN_SVC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A NULL-terminated, growable vector of heap strings; it owns every string. */
struct strv {
	char **v;
	size_t n, cap;
};

/* Allocation that cannot fail: on OOM print "klein-svc: out of memory" and exit 1. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a heap string "a" "b" "c" joined; NULL arguments count as "". */
char *xstrjoin3(const char *a, const char *b, const char *c);

/* Appends s (taking ownership). */
void strv_push(struct strv *l, char *s);
/* Frees every string and the array; l is empty afterwards. */
void strv_done(struct strv *l);

/* True when name[0..len) is a valid environment name: [A-Za-z_][A-Za-z0-9_]*. */
bool env_name_valid(const char *name, size_t len);
/* True when s is valid UTF-8 per systemd (no surrogates, no noncharacters). */
bool utf8_valid(const char *s);
/* True when a is NAME=VALUE with a valid name and valid UTF-8 value. */
bool env_assignment_valid(const char *a);
/* Value of NAME in env or NULL (name[0..len)). */
const char *env_get(const struct strv *env, const char *name, size_t len);
/* Sets assignment a ("NAME=VALUE", taken) replacing NAME in place, or appends. */
void env_set(struct strv *env, char *a);
/* Removes NAME (pattern without '=') or exactly NAME=VALUE (pattern with '='). */
void env_unset(struct strv *env, const char *pattern);

/* Reads a whole file into a NUL-terminated heap buffer; 0 or -errno. */
int read_file(const char *path, char **ret_buf, size_t *ret_len);
/* Writes text to path atomically (temp file + rename); 0 or -errno. */
int write_file_atomic(const char *path, const char *text);

/* Parses a decimal pid (> 0); 0 or -EINVAL. */
int parse_pid(const char *s, int *ret);
/* Parses an int in [min, max], decimal, optional sign; 0 or -EINVAL/-ERANGE. */
int parse_int(const char *s, long min, long max, long *ret);

/* Monotonic clock in microseconds. */
uint64_t now_usec(void);

/* Prints "klein-svc: " fmt "\n" to stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
