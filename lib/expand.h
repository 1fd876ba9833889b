/* SPDX-License-Identifier: MIT */
/* systemd 252's exec-time $VAR/${VAR} substitution (src/basic/env-util.c). */
#ifndef KLEIN_LIB_EXPAND_H
#define KLEIN_LIB_EXPAND_H

#include "lib/env.h"

/*
 * replace_env(word, env, 0): "${NAME}" anywhere is replaced by NAME's value
 * (unset: nothing), "$$" becomes "$", "$NAME" is left alone, "${NAME:..."
 * is left literal (inner "${X}" still substituted), an unclosed "${" stays.
 * Returns a heap string; caller frees.
 */
char *expand_word(const char *word, const struct strv *env);

/*
 * Splits value into words like systemd's strv_split_full(WHITESPACE,
 * EXTRACT_RELAX|EXTRACT_UNQUOTE): blanks separate, quotes are removed, a
 * backslash makes the next character literal; unbalanced quotes and a trailing
 * backslash end the word. Appends the words to out.
 */
void expand_split(const char *value, struct strv *out);

/*
 * replace_env_argv(): a word that is "$" followed by anything but '{' or '$'
 * is looked up as a whole ("$FOO" -> FOO's value split into words; unset or
 * not a name -> no word at all); every other word goes through expand_word().
 * Words argv[0..from) are copied verbatim. Appends the result to out.
 */
void expand_argv(const char *const *argv, size_t argc, size_t from, const struct strv *env,
		 struct strv *out);

#endif
