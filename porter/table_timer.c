/* SPDX-License-Identifier: MIT */
/* table_timer: [Timer] of a .timer unit (systemd 252's load-fragment-gperf
 * Timer.* keys). Read and shown by inspect; convert_timer.c turns the values
 * into `klein-svc timer` options. One row each: ROW(key, store, check,
 * translate, why), see table.h. Keep the rows sorted by key. */
#include "table.h"

static const struct directive rows[] = {
	ROW("AccuracySec", store_checked, check_sec, tr_ignore, NULL),
	ROW("FixedRandomDelay", store_checked, check_bool, tr_ignore, NULL),
	ROW("OnActiveSec", store_timer, NULL, tr_ignore, NULL),
	ROW("OnBootSec", store_timer, NULL, tr_ignore, NULL),
	ROW("OnCalendar", store_timer, NULL, tr_ignore, NULL),
	ROW("OnClockChange", store_checked, check_bool, tr_ignore, NULL),
	ROW("OnStartupSec", store_timer, NULL, tr_ignore, NULL),
	ROW("OnTimezoneChange", store_checked, check_bool, tr_ignore, NULL),
	ROW("OnUnitActiveSec", store_timer, NULL, tr_ignore, NULL),
	ROW("OnUnitInactiveSec", store_timer, NULL, tr_ignore, NULL),
	ROW("Persistent", store_checked, check_bool, tr_ignore, NULL),
	ROW("RandomizedDelaySec", store_checked, check_sec, tr_ignore, NULL),
	ROW("RemainAfterElapse", store_checked, check_bool, tr_ignore, NULL),
	ROW("Unit", store_timer_unit, NULL, tr_ignore, NULL),
	ROW("WakeSystem", store_checked, check_bool, tr_ignore, NULL),
};

const struct section_table table_timer = { "Timer", rows, sizeof(rows) / sizeof(rows[0]) };
