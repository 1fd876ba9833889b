/* SPDX-License-Identifier: MIT */
/* Pure mappings from wait statuses, exec errors and signals to exit codes and text. */
#ifndef KLEIN_LIB_STATUS_H
#define KLEIN_LIB_STATUS_H

#include <stddef.h>

/* Exit code for a wait(2) status: the code, or 128+N for signal N. */
int status_exit_code(int wstatus);
/* Exit code for a failed exec with errno err: 127 not found, else 126. */
int status_exec_code(int err);
/* Writes "exit status N" or "killed by SIGX" into buf (always terminated). */
void status_describe(int wstatus, char *buf, size_t cap);
/* "SIGTERM" etc., or "signal N" in buf for unnamed ones. */
const char *status_signal_name(int sig, char *buf, size_t cap);
/* "TERM", "RTMIN" etc. (the name kill -l prints), or the decimal number, in buf. */
const char *signal_abbrev(int sig, char *buf, size_t cap);

#endif
