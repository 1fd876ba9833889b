/* SPDX-License-Identifier: MIT */
/* klein-systemctl: the unit search path and [Install] sections (install.c, links.c). */
#ifndef KLEIN_CTL_INSTALL_H
#define KLEIN_CTL_INSTALL_H

#include "ctl.h"

/* Where a unit name was found on the search path. */
struct install_found {
	const char *dir; /* the search directory, as seen inside the root */
	char path[4200]; /* dir/name, as seen inside the root */
	char dest[4200]; /* the link's target when is_link */
	bool is_link, empty;
};

/* The lists of a unit's [Install] section, specifiers resolved. */
struct install_info {
	struct namelist wanted_by, required_by, alias, also;
	char default_instance[256];
};

/* Reads the symlink path into dest; its target's last component, or NULL. */
const char *install_readlink(const char *path, char *dest, size_t size);
/* PATH inside the root -> the path to open. */
void install_path(const struct ctl_opts *o, const char *path, char *buf, size_t size);
/* The first search directory that has name (lstat); 0 or -ENOENT. */
int install_lookup(const struct ctl_opts *o, const char *name, struct install_found *ret);
/* The same, and for an instance ("t@x.service") with no file of its own its
 * template's ("t@.service"), as systemd's unit file search does. */
int install_lookup_unit(const struct ctl_opts *o, const char *name, struct install_found *ret);
/* 0, -ENOENT (no unit file), -ENOMEDIUM (masked) or another -errno. */
int install_info_load(const struct ctl_opts *o, const char *name, struct install_info *ret);
void install_info_done(struct install_info *i);
/* is-enabled's word for name, or NULL when no unit file is found. */
const char *install_state_of(const struct ctl_opts *o, const char *name);

/* The preset files' verdict for name (no matching line: enable). */
bool install_preset_enables(const struct ctl_opts *o, const char *name);

#endif
