/* SPDX-License-Identifier: MIT */
/* SuccessExitStatus= lists: lib/values.c's grammars over the porter's word lexer. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "values.h"
#include "words.h"

int
parse_exit_status_list(const char *s, unsigned char status[256], unsigned char signals[65])
{
	const char *p = s;
	int bad = 0;

	for (;;) {
		char *w;
		long v;
		int r = word_extract(&p, &w, NULL, 0);

		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return bad + 1;
		if (r == 0)
			break;
		if ((v = exit_status_from_string(w)) >= 0)
			status[v] = 1;
		else if ((r = parse_signal(w)) > 0 && !isdigit((unsigned char)w[0]))
			signals[r] = 1;
		else
			bad++;
		free(w);
	}
	return bad;
}
