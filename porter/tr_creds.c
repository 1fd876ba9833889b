/* SPDX-License-Identifier: MIT */
/* tr_creds: LoadCredential=, SetCredential=, ImportCredential= become the
 * options of `klein-svc credentials` (the run script fills
 * /run/credentials/UNIT before ExecStartPre= and ExecStart=); the Encrypted
 * forms are dropped with a warning; OpenFile= becomes `klein-svc exec
 * --open-file` on the main command. The items are stored canonical
 * (store_creds.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tr.h"

/* Replaces *v with a copy of the setting's final items. */
static int
copy_items(const struct setting *s, char ***v, size_t *n)
{
	tr_strv_free(*v, *n);
	*v = NULL, *n = 0;
	for (size_t i = 0; i < s->n_values; i++)
		if (tr_strv_push(v, n, s->values[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* The kernel's MAX_ARG_STRLEN (32 pages): the longest word of a command line. */
#define ARG_WORD_MAX (32 * 4096 - 1)

int
tr_creds(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	p->has_creds |= s->n_values > 0;
	if (!strcmp(s->key, "LoadCredential"))
		return copy_items(s, &p->creds_load, &p->n_creds_load);
	if (strcmp(s->key, "SetCredential"))
		return copy_items(s, &p->creds_import, &p->n_creds_import);
	int r = copy_items(s, &p->creds_set, &p->n_creds_set);
	/* klein-svc gets each value as one argument: a longer one could not be
	 * passed at all (systemd takes up to 1 MiB). */
	for (size_t i = 0; r == 0 && i < p->n_creds_set;)
		if (strlen(p->creds_set[i]) > ARG_WORD_MAX) {
			int id = (int)strcspn(p->creds_set[i], ":");
			diag_add(
				d, s->loc.file, s->loc.line, DIAG_WARNING,
				"SetCredential=%.*s:...: dropped: the value is longer than a command-line "
				"word may be (128 KiB, escaped); put it in a file for LoadCredential=",
				id, p->creds_set[i]);
			free(p->creds_set[i]);
			memmove(&p->creds_set[i], &p->creds_set[i + 1],
				(p->n_creds_set - i) * sizeof(char *));
			p->n_creds_set--;
		} else
			i++;
	return r;
}

int
tr_creds_encrypted(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why;
	p->has_creds |= s->n_values > 0;
	for (size_t i = 0; i < s->n_values; i++) {
		const char *item = s->values[i];
		int id = (int)strcspn(item, ":");
		diag_add(
			d, s->loc.file, s->loc.line, DIAG_WARNING,
			"%s=%.*s:...: dropped: an encrypted credential cannot be decrypted without "
			"systemd-creds and the host key or TPM it was sealed with; the service "
			"starts without '%.*s' in $CREDENTIALS_DIRECTORY (a SetCredential= of "
			"that ID still applies)",
			s->key, id, item, id, item);
	}
	return 0;
}

int
tr_open_file(struct run_plan *p, const struct setting *s, const char *why, struct diag *d)
{
	(void)why, (void)d;
	return copy_items(s, &p->open_files, &p->n_open_files);
}

void
translate_drop_creds(struct run_plan *p, struct diag *d)
{
	if (!p->has_creds)
		return;
	diag_add(d, p->fragment, 0, DIAG_WARNING,
		 "LoadCredential=/SetCredential=/ImportCredential= dropped for the "
		 "per-connection instances of an Accept=yes socket: no finish script runs per "
		 "connection to remove their $CREDENTIALS_DIRECTORY, so it stays unset");
	p->has_creds = false;
	tr_strv_free(p->creds_load, p->n_creds_load);
	tr_strv_free(p->creds_set, p->n_creds_set);
	tr_strv_free(p->creds_import, p->n_creds_import);
	p->creds_load = p->creds_set = p->creds_import = NULL;
	p->n_creds_load = p->n_creds_set = p->n_creds_import = 0;
}
