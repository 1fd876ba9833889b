/* SPDX-License-Identifier: MIT */
/* merge: how assignments accumulate into a struct unit while files are read
 * (systemd's last-wins scalars, lists with empty-assignment resets, Exec*
 * lists, Environment=), and the loader state the store functions share.
 * Private to the loader (load.c, store*.c, check.c, verify.c). */
#ifndef KLEIN_PORTER_MERGE_H
#define KLEIN_PORTER_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"
#include "load.h"
#include "lib/specifier.h"
#include "table.h"

/* Private storage behind struct unit. */
struct store {
	char **files; /* every file name a loc points at */
	size_t n_files;
	char **aliases; /* other names the unit was found under */
	size_t n_aliases;
};

struct loader {
	struct unit *u;
	struct store *st;
	struct diag *d;
	struct spec_ctx spec;
	const struct unit_type *type;
	const char *section; /* of the assignment being applied: the section table's name */
	const char *file;    /* current file, owned by st */
	const char *root;
	unsigned systemd; /* the systemd version the unit is read as (sdversion.h) */
	bool bus_name;
};

/* Diagnostics at the current file and `line` (a local of the caller). */
#define WARN(...) diag_add(L->d, L->file, line, DIAG_WARNING, __VA_ARGS__)
#define ERR(...)  diag_add(L->d, L->file, line, DIAG_ERROR, __VA_ARGS__)

/* Records file in st; *ret points at st's copy. Returns 0 or -ENOMEM. */
int merge_file(struct store *st, const char *file, const char **ret);

/* Appends s (taken over; NULL means out of memory) to a NULL-terminated vector. */
int merge_strv_push(char ***v, size_t *n, char *s);
void merge_strv_clear(char ***v, size_t *n);

/* The setting for L->section/dr->key, created on first use; its location
 * becomes (L->file, line). NULL when out of memory. */
struct setting *merge_setting(struct loader *L, const struct directive *dr, bool is_list,
			      unsigned line);

/* Sets a scalar (value taken over; NULL unsets). */
int merge_scalar(struct loader *L, const struct directive *dr, char *value, unsigned line);

/* Empties a list (an empty assignment). */
int merge_list_reset(struct loader *L, const struct directive *dr, unsigned line);

/* Appends value (taken over) to a list; with dedup, an item already there is dropped. */
int merge_list_add(struct loader *L, const struct directive *dr, char *value, unsigned line,
		   bool dedup);

/* Resolves specifiers in in (a words_resolve_fn; ctx is the loader). */
int merge_resolve(void *ctx, const char *in, char **out);

/* The same, for a path (the result may be at most PATH_MAX long). */
/* Resolves the specifiers of a whole value: 1 with *res set, 0 when systemd
 * warns and ignores the assignment (warned at line), or -ENOMEM. */
int merge_resolve_value(struct loader *L, const char *value, unsigned line, char **res);
int merge_resolve_path(struct loader *L, const char *in, char **out);

/* systemd's path_simplify_and_warn(); path is simplified in place. Returns
 * 0 or -EINVAL (warned). PATH_FATAL_MSG: systemd's PATH_CHECK_FATAL message
 * (no ", ignoring") for a value that is nonetheless only dropped
 * (StandardOutput=file:rel). */
enum { PATH_ABSOLUTE = 1, PATH_RELATIVE = 2, PATH_FATAL = 4, PATH_FATAL_MSG = 8 };
int merge_path_check(struct loader *L, unsigned line, const char *key, char *path, unsigned flags);

/* Environment=: assign ("NAME=VALUE", taken over) replaces an earlier NAME. */
int merge_env(struct unit *u, char *assign);

/* The Exec* list for key (a row's key), created on first use; NULL when out of memory. */
struct exec_list *merge_exec_list(struct unit *u, const char *key);
void merge_exec_clear(struct exec_list *e);

/* systemd sorts *Directory= lists so that parents are created first
 * (store_exec.c; once every file is applied). */
void store_exec_dirs_sort(struct loader *L);

/* The checks of a .service once every file is applied (verify.c). */
int service_verify(struct loader *L);
/* The checks of a .timer (store_timer.c). */
int timer_verify(struct loader *L);
/* The checks of a .socket (verify.c). */
int socket_verify(struct loader *L);

#endif
