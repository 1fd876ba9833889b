/* SPDX-License-Identifier: MIT */
/* convert: the pieces of `klein-porter convert` that the unit types share
 * (cmd_convert.c: services and the CLI; convert_units.c: dispatch by type and
 * sockets; discover.c: what --enabled converts). */
#ifndef KLEIN_PORTER_CONVERT_H
#define KLEIN_PORTER_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "emit.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

struct convert_args {
	const char *root, *sv_dir, *service_dir, *instance, *config, *systemd_opt;
	unsigned systemd; /* the version units are read as (sdversion.h) */
	bool no_enable, strict, force, dry_run, enabled;
};

/* Converts one .service; its main command fetches the listening sockets of
 * the holders whose control paths are sockets[0..n_sockets). Returns its exit code. */
int convert_one(const struct convert_args *a, const struct porter_conf *conf, const char *name,
		char *const *sockets, size_t n_sockets, bool timer_target);

/* Converts a .timer: its own service directory running `klein-svc timer`, and
 * the service it starts (timer_target: a down file). Returns its exit code. */
int convert_timer(const struct convert_args *a, const struct porter_conf *conf, const char *name);

/* Converts names (any unit type, in order): sockets with the services they
 * activate, services, and one "skipped" line per unit of another type.
 * Returns the worst exit code. */
int convert_units(const struct convert_args *a, const struct porter_conf *conf, char *const *names,
		  size_t n);

/* Writes tree t to ROOT/in_image_dir and links SERVICE_DIR/name to it
 * (unless --no-enable); source names the unit file in messages. Returns an exit code. */
int convert_write(const struct convert_args *a, const char *name, const char *source,
		  const struct emit_tree *t, const char *in_image_dir);
void convert_print_tree(const char *dir, const struct emit_tree *t);
/* ROOT/lib/x.service -> /lib/x.service, in place. */
void convert_strip_root(const char *root, char **path);
int convert_worse(int a, int b);

/* --enabled: runs the generators, then lists the units the root enables
 * (sorted, deduplicated). Returns 0 or -errno. */
int discover_enabled(const char *root, char ***ret, size_t *ret_n);

#endif
