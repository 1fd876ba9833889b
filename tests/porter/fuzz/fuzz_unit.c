/* SPDX-License-Identifier: MIT */
/* fuzz_unit: libFuzzer harness for the unit line parser (unit text -> entries). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"
#include "lib/unitfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sections[] = { "Unit", "Service", "Install", NULL };

/* Entries must be well-formed whatever the input: a key, a value, a section
 * and a line inside the file. Abort so that libFuzzer records the input. */
static void
check(const struct unit_entries *e, size_t size)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct unit_entry *x = &e->v[i];
		if (!x->section || !x->key || !x->value || x->line == 0 || x->line > size + 2)
			abort();
		(void)strlen(x->key);
		(void)strlen(x->value);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Both with the known-section filter and accepting every section. */
	for (int pass = 0; pass < 2; pass++) {
		struct unit_entries e = { 0 };
		struct diag d = { 0 };
		int r = unit_parse("fuzz.service", (const char *)data, size, pass ? NULL : sections,
				   &e, &d);
		(void)r;
		check(&e, size);
		for (size_t i = 0; i < d.n; i++)
			if (!d.v[i].message)
				abort();
		unit_entries_done(&e);
		diag_done(&d);
	}
	return 0;
}
