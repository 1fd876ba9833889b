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
	int fail_after; /* tests: fail with -EIO after writing this many files; < 0 = never */
};

/* Makes directory dir hold exactly tree t (plus the manifest). source names
 * the unit for the manifest. Returns 0 with *res set (and *why, malloc'd, for
 * OUTDIR_REFUSED), or -errno for an I/O error (*why names the path). The
 * previous contents stay intact on any failure. */
int outdir_write(const char *dir, const struct emit_tree *t, const char *source,
		 const struct outdir_options *o, enum outdir_result *res, char **why);

/* Makes link a symlink to target (atomically). An existing different entry is
 * refused unless o->force. Same return convention as outdir_write(). */
int outdir_link(const char *link, const char *target, const struct outdir_options *o,
		enum outdir_result *res, char **why);

/* mkdir -p; returns 0 or -errno. */
int outdir_mkdirs(const char *path, unsigned mode);

#endif
