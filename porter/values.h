/* SPDX-License-Identifier: MIT */
/* The porter's value grammars: lib/values.h plus the one list grammar that
 * needs the porter's word lexer (words.c). */
#ifndef KLEIN_PORTER_VALUES_H
#define KLEIN_PORTER_VALUES_H

#include "lib/values.h"

/* SuccessExitStatus=/RestartPreventExitStatus=: words that are exit codes
 * 0..255 or signal names. Fills status[256] / signals[65] with 1 for each
 * listed value. Returns the number of words that were invalid (skipped, as
 * systemd skips them with a warning) or -ENOMEM. */
int parse_exit_status_list(const char *s, unsigned char status[256], unsigned char signals[65]);

#endif
