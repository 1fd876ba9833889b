/* SPDX-License-Identifier: MIT */
/* emit: struct run_plan -> the text of a runit service directory (run, finish,
 * check, control/t and control/h, log/run, symlinks). Pure text; shell quoting lives here. */
#ifndef KLEIN_PORTER_EMIT_H
#define KLEIN_PORTER_EMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "emit_buf.h"
#include "translate.h"

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

/* Appends one entry, taking text (NULL means out of memory: -ENOMEM); 0 or
 * -ENOMEM. Used by every emitter of a service directory. */
int emit_tree_add(struct emit_tree *t, const char *path, char *text, unsigned mode, bool symlink);

void emit_tree_done(struct emit_tree *t);

#endif
