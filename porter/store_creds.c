/* SPDX-License-Identifier: MIT */
/* store_creds: LoadCredential=, SetCredential= (and their Encrypted forms),
 * ImportCredential= and OpenFile=, checked as systemd's config_parse_*()
 * check them. Each list holds canonical items klein-svc takes as written:
 * "ID:PATH", "ID:VALUE" (VALUE still C-escaped), "GLOB", and
 * "PATH:FDNAME:OPTIONS" (':' and '\' in PATH and FDNAME escaped). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "lib/creds.h"
#include "lib/words.h"

/* The setting called key in the unit's current section, or NULL. */
static struct setting *
sibling(struct loader *L, const char *key)
{
	for (size_t i = 0; i < L->u->n_settings; i++)
		if (!strcmp(L->u->settings[i].section, L->section) &&
		    !strcmp(L->u->settings[i].key, key))
			return &L->u->settings[i];
	return NULL;
}

/* Removes the item for id ("ID:..." items) from the list key: systemd keeps
 * one entry per ID (a later assignment replaces it), and the plain and
 * Encrypted forms share one table. */
static void
forget_id(struct loader *L, const char *key, const char *id)
{
	struct setting *s = sibling(L, key);
	size_t n = strlen(id);
	if (!s)
		return;
	for (size_t i = 0; i < s->n_values; i++)
		if (!strncmp(s->values[i], id, n) && s->values[i][n] == ':') {
			free(s->values[i]);
			memmove(&s->values[i], &s->values[i + 1],
				(s->n_values - i) * sizeof(s->values[0])); /* with the NULL */
			s->n_values--;
			strindex_reset(&s->index);
			return;
		}
}

/* An empty assignment empties both forms (one table in systemd). */
static int
reset_both(struct loader *L, const struct directive *dr, const char *other, unsigned line)
{
	struct setting *s = sibling(L, other);
	if (s) {
		merge_strv_clear(&s->values, &s->n_values);
		strindex_reset(&s->index);
	}
	return merge_list_reset(L, dr, line);
}

/* systemd's unit_cred_printf(): specifiers resolved into at most NAME_MAX
 * bytes. 1 with *ret, 0 after systemd's warning, -ENOMEM. */
static int
resolve_name(struct loader *L, const char *word, unsigned line, char **ret)
{
	int r = merge_resolve(L, word, ret);
	if (r == 0 && strlen(*ret) > 255) {
		free(*ret);
		*ret = NULL;
		r = -ENAMETOOLONG;
	}
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		WARN("Failed to resolve unit specifiers in \"%s\", ignoring: %s", word,
		     strerror(-r));
		return 0;
	}
	return 1;
}

/* The credential ID before the first ':', specifiers resolved and checked.
 * 1 with *ret, 0 after systemd's warning, -ENOMEM. */
static int
cred_id(struct loader *L, const char *word, unsigned line, char **ret)
{
	int r = resolve_name(L, word, line, ret);
	if (r <= 0)
		return r;
	if (!credential_name_valid(*ret)) {
		WARN("Credential name \"%s\" not valid, ignoring.", *ret);
		free(*ret);
		*ret = NULL;
		return 0;
	}
	return 1;
}

static int
add_item(struct loader *L, const struct directive *dr, const char *other, char *id,
	 const char *rest, unsigned line)
{
	char *item = NULL;
	forget_id(L, dr->key, id);
	forget_id(L, other, id);
	int r = asprintf(&item, "%s:%s", id, rest) < 0 ? -ENOMEM : 0;
	free(id);
	return r < 0 ? r : merge_list_add(L, dr, item, line, false);
}

/* LoadCredential=ID[:PATH], LoadCredentialEncrypted=ID[:PATH]. */
int
store_load_credential(struct loader *L, const struct directive *dr, const char *value,
		      unsigned line)
{
	bool enc = !strcmp(dr->key, "LoadCredentialEncrypted");
	const char *other = enc ? "LoadCredential" : "LoadCredentialEncrypted";
	char *word = NULL, *id = NULL, *path = NULL;
	const char *p = value;

	if (!*value)
		return reset_both(L, dr, other, line);
	int r = word_extract(&p, &word, ":", WORD_DONT_COALESCE);
	if (r == -ENOMEM)
		return r;
	if (r <= 0) {
		WARN("Invalid syntax, ignoring: %s", value);
		return 0;
	}
	r = cred_id(L, word, line, &id);
	free(word);
	if (r <= 0)
		return r;
	if (!p || !*p) /* ID alone: the credential of that name from the store */
		return add_item(L, dr, other, id, id, line);
	r = merge_resolve_path(L, p, &path);
	if (r == -ENOMEM || r < 0) {
		if (r != -ENOMEM)
			WARN("Failed to resolve unit specifiers in \"%s\", ignoring: %s", p,
			     strerror(-r));
		free(id);
		return r == -ENOMEM ? r : 0;
	}
	if (path[0] == '/' ? !(path_is_valid(path) && path_is_normalized(path))
			   : !credential_name_valid(path)) {
		WARN("Credential source \"%s\" not valid, ignoring.", path);
		free(id), free(path);
		return 0;
	}
	r = add_item(L, dr, other, id, path, line);
	free(path);
	return r;
}

/* SetCredential=ID:VALUE (C escapes), SetCredentialEncrypted=ID:BASE64. */
int
store_set_credential(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	bool enc = !strcmp(dr->key, "SetCredentialEncrypted");
	const char *other = enc ? "SetCredential" : "SetCredentialEncrypted";
	char *word = NULL, *id = NULL;
	const char *p = value;

	if (!*value)
		return reset_both(L, dr, other, line);
	int r = word_extract(&p, &word, ":", WORD_DONT_COALESCE);
	if (r == -ENOMEM)
		return r;
	if (r <= 0 || !p || !*p) {
		free(word);
		WARN("Invalid syntax, ignoring: %s", value);
		return 0;
	}
	r = cred_id(L, word, line, &id);
	free(word);
	if (r <= 0)
		return r;
	if (enc && (r = base64_check(p)) < 0) {
		/* 257's message ends with the errno (its own row), 252's does not. */
		if (dr->since >= 257)
			WARN("Encrypted credential data not valid Base64 data, ignoring: %s",
			     strerror(-r));
		else
			WARN("Encrypted credential data not valid Base64 data, ignoring.");
		free(id);
		return 0;
	}
	if (!enc) {
		char *data;
		size_t len;
		r = credential_unescape(p, &data, &len);
		if (r == -ENOMEM) {
			free(id);
			return r;
		}
		if (r < 0) {
			WARN("Can't unescape \"%s\", ignoring: %s", p, strerror(-r));
			free(id);
			return 0;
		}
		free(data);
	}
	return add_item(L, dr, other, id, p, line);
}

/* The glob (and rename) of ImportCredential=, specifiers resolved and
 * checked: 1 with *ret, 0 after systemd's warning, -ENOMEM. */
static int
import_word(struct loader *L, const char *word, bool glob, unsigned line, char **ret)
{
	int r = resolve_name(L, word, line, ret);
	if (r <= 0)
		return r;
	if (glob ? credential_glob_valid(*ret) : credential_name_valid(*ret))
		return 1;
	if (glob)
		WARN("Credential name or glob \"%s\" not valid, ignoring.", *ret);
	else
		WARN("Credential name \"%s\" not valid, ignoring.", *ret);
	free(*ret);
	*ret = NULL;
	return 0;
}

/* ImportCredential=GLOB (systemd 254). */
int
store_import_credential(struct loader *L, const struct directive *dr, const char *value,
			unsigned line)
{
	char *glob = NULL;

	if (!*value)
		return merge_list_reset(L, dr, line);
	int r = import_word(L, value, true, line, &glob);
	return r <= 0 ? r : merge_list_add(L, dr, glob, line, true);
}

/* ImportCredential=GLOB[:RENAME] (systemd 256): the matches are renamed to
 * RENAME followed by what the '*' matched. */
int
store_import_credential_rename(struct loader *L, const struct directive *dr, const char *value,
			       unsigned line)
{
	char *word = NULL, *glob = NULL, *rename = NULL, *item = NULL;
	const char *p = value;

	if (!*value)
		return merge_list_reset(L, dr, line);
	int r = word_extract(&p, &word, ":", WORD_DONT_COALESCE);
	if (r == -ENOMEM)
		return r;
	if (r <= 0) {
		WARN("Invalid syntax, ignoring: %s", value);
		return 0;
	}
	r = import_word(L, word, true, line, &glob);
	free(word);
	if (r > 0 && p && *p)
		r = import_word(L, p, false, line, &rename);
	if (r > 0 && asprintf(&item, "%s%s%s", glob, rename ? ":" : "", rename ? rename : "") < 0)
		r = -ENOMEM;
	free(rename);
	free(glob);
	return r <= 0 ? r : merge_list_add(L, dr, item, line, true);
}

/* Appends s with ':' and '\' escaped (\x3a, \\), for a ':'-separated item. */
static void
put_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == ':')
			fputs("\\x3a", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
}

/* systemd 253's open_file_parse(): PATH[:FDNAME[:OPTIONS]], C escapes, at
 * most three fields; options read-only, append, truncate (one of them) and
 * graceful, each once; FDNAME defaults to PATH's file name. 0 or -EINVAL. */
static int
open_file_item(const char *v, char **ret)
{
	char *f[3] = { NULL, NULL, NULL };
	const char *p = v;
	int r = 0;
	for (int i = 0; i < 3 && p && r >= 0; i++)
		r = word_extract(&p, &f[i], ":", WORD_DONT_COALESCE | WORD_CUNESCAPE);
	if (r == -ENOMEM)
		goto out;
	r = -EINVAL;
	if (!f[0] || (p && *p) || f[0][0] != '/' || !path_is_valid(f[0]))
		goto out;
	if (!f[1] || !*f[1]) {
		const char *slash = strrchr(f[0], '/');
		free(f[1]);
		if (!(f[1] = strdup(slash + 1))) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (!*f[1] || !fdname_valid(f[1]))
		goto out;
	unsigned seen = 0;
	static const char *const opts[] = { "read-only", "append", "truncate", "graceful" };
	for (const char *o = f[2] ? f[2] : ""; *o;) {
		size_t n = strcspn(o, ","), k = 0;
		while (k < 4 && (strlen(opts[k]) != n || strncmp(o, opts[k], n)))
			k++;
		if (n && (k == 4 || (seen & (1u << k))))
			goto out;
		seen |= n ? 1u << k : 0;
		o += n + (o[n] == ',');
	}
	if (__builtin_popcount(seen & 7u) > 1)
		goto out;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	put_escaped(m, f[0]);
	fputc(':', m);
	put_escaped(m, f[1]);
	fputc(':', m);
	for (int k = 0, first = 1; k < 4; k++)
		if (seen & (1u << k))
			fprintf(m, "%s%s", first ? "" : ",", opts[k]), first = 0;
	r = fclose(m) ? -ENOMEM : 0;
	if (r == 0)
		*ret = buf;
	else
		free(buf);
out:
	free(f[0]), free(f[1]), free(f[2]);
	return r;
}

/* OpenFile=PATH[:FDNAME][:OPTIONS] (systemd 253). */
int
store_open_file(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	char *item = NULL;

	if (!*value)
		return merge_list_reset(L, dr, line);
	/* No specifiers: systemd 257 keeps "%n" in OpenFile= as written. */
	int r = open_file_item(value, &item);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		WARN("Failed to parse OpenFile= setting, ignoring: %s", value);
	return r < 0 ? 0 : merge_list_add(L, dr, item, line, false);
}
