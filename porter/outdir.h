/* SPDX-License-Identifier: MIT */
/* outdir: write a generated service directory atomically (temporary directory
 * next to the target, then rename/exchange), with a manifest of file hashes so
 * that hand edits are detected and never silently overwritten. */
#ifndef KLEIN_PORTER_OUTDIR_H
#define KLEIN_PORTER_OUTDIR_H

#include <stdbool.h>

#include "emit.h"

#define OUTDIR_MANIFEST ".klein-porter"

enum outdir_result {
	OUTDIR_WRITTEN,	  /* created or replaced */
	OUTDIR_UNCHANGED, /* already byte-identical: nothing was touched */
	OUTDIR_REFUSED,	  /* not ours or edited by hand; *why says which file */
};

struct outdir_options {
	bool force; /* replace directories/links klein-porter did not write or that were edited */
	const char *root; /* paths are resolved inside this directory (NULL: "/"), as systemd's
			     --root does: its absolute symlinks and ".." never leave it */
	int fail_after;	  /* tests: fail with -EIO after writing this many files; < 0 = never */
};

/* Makes directory dir (a path inside o->root) hold exactly tree t (plus the
 * manifest, which records each file's hash and mode: a changed mode is an
 * edit too). Missing parents are made 0755. Temporaries a killed run left
 * next to dir are removed first. source names the unit for the manifest. Returns 0 with *res set (and *why, malloc'd, for
 * OUTDIR_REFUSED), or -errno for an I/O error (*why names the path). The
 * previous contents stay intact on any failure. */
int outdir_write(const char *dir, const struct emit_tree *t, const char *source,
		 const struct outdir_options *o, enum outdir_result *res, char **why);

/* Makes link (a path inside o->root) a symlink to target (atomically). An existing different entry is
 * refused unless o->force. Same return convention as outdir_write(). */
int outdir_link(const char *link, const char *target, const struct outdir_options *o,
		enum outdir_result *res, char **why);

#endif
