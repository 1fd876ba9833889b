/* SPDX-License-Identifier: MIT */
/* emit: struct run_plan -> the text of a runit service directory (run, finish,
 * check, control/t and control/h, log/run, symlinks). Pure text; shell quoting lives here. */
#ifndef KLEIN_PORTER_EMIT_H
#define KLEIN_PORTER_EMIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "translate.h"

/* A growable text buffer; on allocation failure it sets oom and stops growing. */
struct emit_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void emit_add(struct emit_buf *b, const char *s);
void emit_addn(struct emit_buf *b, const char *s, size_t n);
void emit_addf(struct emit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as one single-quoted POSIX sh word: the shell reads back exactly
 * the bytes of s, whatever they are ('\'' for each quote). */
void emit_quote(struct emit_buf *b, const char *s);
void emit_buf_done(struct emit_buf *b);

/* One entry of a generated service directory. */
struct emit_file {
	char *path;    /* relative: "run", "control/t", "log/run", "supervise" */
	char *text;    /* contents; for a symlink, its target */
	unsigned mode; /* 0755, 0644; 0 for a symlink */
	bool symlink;
};

struct emit_tree {
	struct emit_file *v;
	size_t n;
};

struct emit_options {
	const char *supervise_dir; /* "/run/runit/supervise" */
	const char *service_dir;   /* in-image scan dir, "/etc/service", for dependencies */
};

/* Builds the whole service directory for p. Returns 0 or -ENOMEM. */
int emit_tree(const struct run_plan *p, const struct emit_options *o, struct emit_tree *ret);

void emit_tree_done(struct emit_tree *t);

#endif
