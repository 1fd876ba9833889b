/* SPDX-License-Identifier: MIT */
/* config: porter.conf (libconfuse): conversion defaults and per-unit overrides. */
#ifndef KLEIN_PORTER_CONFIG_H
#define KLEIN_PORTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"

struct porter_unit_conf {
	char *name;	  /* "nginx" or "nginx.service" as written */
	char *type;	  /* NULL: the unit's Type= */
	char *exec_start; /* NULL: the unit's ExecStart= */
	char *restart;	  /* NULL: the global restart */
	char *log;	  /* NULL: the global log */
	char **env;
	size_t n_env;
	bool skip;
};

struct porter_conf {
	unsigned systemd; /* `systemd = 257`: read units as that version; 0: unset */
	char *log;	  /* "prefix" (default), "svlogd", "inherit" */
	char *restart;	  /* "unit" (default), "always" */
	/* `log_dir = "/var/log/klein"`: where log/run keeps the bounded history
	 * (svlogd: DIR/NAME); NULL: klein-svc log's own default ($KLEIN_LOG_DIR,
	 * else /run/klein/log), svlogd's /var/log/NAME. */
	char *log_dir;
	/* `log_max_size = "1M"`: the cap in bytes (1K..1G); 0: the default (1 MiB). */
	unsigned long long log_max_size;
	struct porter_unit_conf *units;
	size_t n_units;
};

/* Reads path into *ret. A missing file gives the defaults (0) unless
 * must_exist. Errors go to d as "path:line: error: ..." and return -EINVAL;
 * -ENOMEM. On success free *ret with config_done(). */
int config_load(const char *path, bool must_exist, struct porter_conf *ret, struct diag *d);

/* The overrides for a unit ("nginx.service" matches `unit "nginx"` and
 * `unit "nginx.service"`), or NULL. */
const struct porter_unit_conf *config_unit(const struct porter_conf *c, const char *unit);

void config_done(struct porter_conf *c);

#endif
