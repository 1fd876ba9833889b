/* SPDX-License-Identifier: MIT */
/* The subcommands of klein-porter. Each takes argv starting at its own name
 * and returns the process exit code (0 ok, 1 input refused, 2 usage, 3 I/O). */
#ifndef KLEIN_PORTER_CLI_H
#define KLEIN_PORTER_CLI_H

int cmd_inspect(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_calendar(int argc, char **argv);

#endif
