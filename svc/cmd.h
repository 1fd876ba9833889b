/* SPDX-License-Identifier: MIT */
/* klein-svc: the subcommands main.c dispatches to. */
#ifndef KLEIN_SVC_CMD_H
#define KLEIN_SVC_CMD_H

/* Exit code for a usage error of any subcommand. */
#define SVC_EXIT_USAGE 2

/* Each takes the subcommand's own argv (argv[0] is the subcommand name) and
 * returns the process exit code (cmd_exec only returns on failure). */
int cmd_exec(int argc, char **argv);
int cmd_supervise(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_timer(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_accept(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_reload(int argc, char **argv);

#endif
