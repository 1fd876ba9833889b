/* SPDX-License-Identifier: MIT */
/* table_install: [Install]: read and shown (inspect), never translated: the manager does not use it.
 * Every directive systemd 252 knows in this section of a .service file; one
 * row each: ROW(key, store, check, translate, why), see table.h.
 * Keep the rows sorted by key. */
#include "table.h"

static const struct directive rows[] = {
	ROW("Alias", store_install, NULL, tr_ignore, NULL),
	ROW("Also", store_install, NULL, tr_ignore, NULL),
	ROW("DefaultInstance", store_scalar, NULL, tr_ignore, NULL),
	ROW("RequiredBy", store_install, NULL, tr_ignore, NULL),
	ROW_V("UpheldBy", store_install, NULL, tr_ignore, NULL, 254, 0),
	ROW("WantedBy", store_install, NULL, tr_ignore, NULL),
};

const struct section_table table_install = { "Install", rows, sizeof(rows) / sizeof(rows[0]) };
