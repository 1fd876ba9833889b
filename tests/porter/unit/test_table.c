/* SPDX-License-Identifier: MIT */
/* table.c and the section tables: every row is complete and findable, the
 * rows are sorted (directive_find bisects), and the version bounds select
 * rows. Behaviour of the rows themselves is covered by test_load/test_translate
 * and the corpus snapshot. */
#include <string.h>

#include "check.h"
#include "table.h"

static void
test_rows_complete_and_sorted(void)
{
	const struct unit_type *t = unit_type_for("demo.service");

	CHECK(t != NULL);
	for (size_t i = 0; t && t->sections[i]; i++) {
		const struct section_table *s = t->sections[i];

		CHECK(s->n > 0);
		for (size_t j = 0; j < s->n; j++) {
			const struct directive *dr = &s->rows[j];

			CHECK(dr->key && dr->store && dr->translate);
			/* A grammar is only read by store_checked, which needs one. */
			CHECK((dr->store == store_checked) == (dr->check != NULL));
			/* tr_drop prints the reason: a dropped row has one. */
			CHECK(dr->translate != tr_drop || dr->why != NULL);
			/* Sorted; one key twice only with disjoint version ranges. */
			int c = j > 0 ? strcmp(s->rows[j - 1].key, dr->key) : -1;
			if (c > 0 || (c == 0 && (!s->rows[j - 1].until ||
						 s->rows[j - 1].until >= dr->since))) {
				fprintf(stderr, "[%s] %s is not after %s\n", s->name, dr->key,
					s->rows[j - 1].key);
				check_failed++;
			}
			unsigned v = dr->since ? dr->since : dr->until;
			CHECK(directive_find(t, s->name, dr->key, v) == dr);
		}
	}
}

static void
test_lookup(void)
{
	const struct unit_type *t = unit_type_for("a@b.service");
	const struct directive *dr = directive_find(t, "Service", "ExecStart", 0);

	CHECK(t && !strcmp(t->suffix, ".service"));
	CHECK(dr && dr->store == store_exec);
	CHECK(directive_find(t, "Service", "NoSuchKey", 0) == NULL);
	CHECK(directive_find(t, "Unit", "ExecStart", 0) == NULL); /* wrong section */
	CHECK(directive_find(t, "Socket", "ListenStream", 0) == NULL);
	CHECK(section_find(t, "Install") == &table_install);
	CHECK(unit_type_for("foo.device") == NULL);
	CHECK(unit_type_for("noext") == NULL);
	dr = directive_find(t, "Service", "CPUShares", 0);
	CHECK(dr && dr->use_instead && !strcmp(dr->use_instead, "CPUWeight"));
	dr = directive_find(t, "Service", "PrivateTmp", 0);
	CHECK(dr && dr->translate == tr_drop && dr->check == check_bool);
}

/* A section table with one key known to two version ranges and one key of
 * a later version only: the reader's version picks the row. */
static const struct directive versioned_rows[] = {
	ROW_V("Both", store_scalar, NULL, tr_ignore, NULL, 0, 251),
	ROW_V("Both", store_words, NULL, tr_ignore, NULL, 252, 0),
	ROW_V("Earlier", store_scalar, NULL, tr_ignore, NULL, 0, TABLE_SYSTEMD_VERSION - 1),
	ROW_V("Later", store_scalar, NULL, tr_ignore, NULL, TABLE_SYSTEMD_VERSION + 1, 0),
};
static const struct section_table versioned = { "Versioned", versioned_rows, 4 };
static const struct section_table *const versioned_sections[] = { &versioned, NULL };
static const struct unit_type versioned_type = { ".test", versioned_sections, NULL };

static void
test_versions(void)
{
	const struct directive *dr = directive_find(&versioned_type, "Versioned", "Both", 0);

	CHECK(dr == &versioned_rows[1]);
	CHECK(directive_find(&versioned_type, "Versioned", "Later", 0) == NULL);
	CHECK(directive_find(&versioned_type, "Versioned", "Earlier", 0) == NULL);
}

int
main(void)
{
	RUN(test_rows_complete_and_sorted);
	RUN(test_lookup);
	RUN(test_versions);
	return check_done();
}
