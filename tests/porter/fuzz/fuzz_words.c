/* SPDX-License-Identifier: MIT */
/* fuzz_words: libFuzzer harness for the word splitter and the Exec
 * command-line parser (an Exec value -> argv). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"
#include "load.h"
#include "lib/words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A stand-in for specifier resolution: copies the word, and refuses "%z" the
 * way systemd refuses an unknown specifier, so the error path runs too. */
static int
resolve(void *ctx, const char *in, char **out)
{
	(void)ctx;
	if (strstr(in, "%z"))
		return -EBADSLT;
	*out = strdup(in);
	return *out ? 0 : -ENOMEM;
}

static void
split_all(const char *s, unsigned flags)
{
	char **v = NULL;
	size_t n = 0;
	if (words_split(s, flags, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!v[i])
				abort();
		if (v[n])
			abort(); /* must be NULL-terminated */
		words_free(v);
	}
	const char *p = s;
	for (int guard = 0; p && guard < 100000; guard++) {
		char *w = NULL;
		int r = word_extract(&p, &w, NULL, flags);
		if (r <= 0)
			break;
		free(w);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0'; /* the parsers take C strings: stop at the first NUL */

	split_all(s, WORD_UNQUOTE | WORD_CUNESCAPE);
	split_all(s, WORD_UNQUOTE | WORD_CUNESCAPE | WORD_UNESCAPE_RELAX | WORD_RELAX);
	split_all(s, WORD_KEEP_QUOTE | WORD_RETAIN_ESCAPE | WORD_DONT_COALESCE);
	split_all(s, WORD_UNQUOTE | WORD_UNESCAPE_SEPARATORS);

	if (*s) {
		struct exec_command *v = NULL;
		size_t n = 0;
		struct diag d = { 0 };
		int r = exec_parse(s, resolve, NULL, &v, &n, &d, "fuzz.service", 1);
		(void)r;
		for (size_t i = 0; i < n; i++) {
			if (!v[i].path || !v[i].argv || v[i].argv[v[i].argc])
				abort();
			for (size_t j = 0; j < v[i].argc; j++)
				if (!v[i].argv[j])
					abort();
			exec_command_done(&v[i]);
		}
		free(v);
		diag_done(&d);
	}
	free(s);
	return 0;
}
