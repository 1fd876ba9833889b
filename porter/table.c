/* SPDX-License-Identifier: MIT */
/* table: the unit types the porter reads, each a list of section tables,
 * and the lookup of a directive's row. */
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "table.h"

/* .service: [Unit], [Service], [Install]. A new type (.socket: [Unit],
 * [Socket], [Install]; .timer: [Unit], [Timer], [Install]) is a list like
 * this one plus an entry in unit_types[]. */
static const struct section_table *const service_sections[] = {
	&table_unit,
	&table_service,
	&table_install,
	NULL,
};

static const struct section_table *const socket_sections[] = {
	&table_unit,
	&table_socket,
	&table_install,
	NULL,
};

static const struct section_table *const timer_sections[] = {
	&table_unit,
	&table_timer,
	&table_install,
	NULL,
};

/* .target: only what all units have. Read for what it pulls in (Wants=,
 * Requires=, with drop-ins and specifiers, as systemd reads it), never
 * converted. */
static const struct section_table *const target_sections[] = {
	&table_unit,
	&table_install,
	NULL,
};

static const struct unit_type unit_types[] = {
	{ ".service", service_sections, service_verify },
	{ ".socket", socket_sections, socket_verify },
	{ ".timer", timer_sections, timer_verify },
	{ ".target", target_sections, NULL },
};

const struct unit_type *
unit_type_for(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;

	for (size_t i = 0; dot && i < sizeof(unit_types) / sizeof(unit_types[0]); i++)
		if (!strcmp(unit_types[i].suffix, dot))
			return &unit_types[i];
	return NULL;
}

const struct section_table *
section_find(const struct unit_type *t, const char *name)
{
	for (size_t i = 0; t && t->sections[i]; i++)
		if (!strcmp(t->sections[i]->name, name))
			return t->sections[i];
	return NULL;
}

static int
row_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct directive *)row)->key);
}

static bool
row_in_version(const struct directive *dr, unsigned version)
{
	return (!dr->since || version >= dr->since) && (!dr->until || version <= dr->until);
}

const struct directive *
directive_find(const struct unit_type *t, const char *section, const char *key, unsigned version)
{
	const struct section_table *s = section_find(t, section);
	const struct directive *dr =
		s ? bsearch(key, s->rows, s->n, sizeof(s->rows[0]), row_cmp) : NULL;

	if (!dr)
		return NULL;
	/* Rows of one key sit together: take the one for this version. */
	while (dr > s->rows && !strcmp(dr[-1].key, key))
		dr--;
	for (; dr < s->rows + s->n && !strcmp(dr->key, key); dr++)
		if (row_in_version(dr, version ? version : TABLE_SYSTEMD_VERSION))
			return dr;
	return NULL;
}
