/* SPDX-License-Identifier: MIT */
/* Pure mappings from wait statuses, exec errors and signals to exit codes and text
 * (no heap: klein-init calls these in its loop). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/status.h"

int
status_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus); /* never 0: my_init #583 */
	return 1; /* stopped/continued are never reaped without WUNTRACED */
}

int
status_exec_code(int err)
{
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

const char *
signal_abbrev(int sig, char *buf, size_t cap)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, cap, "%s", abbrev);
	else
		snprintf(buf, cap, "%d", sig);
	return buf;
}

const char *
status_signal_name(int sig, char *buf, size_t cap)
{
	char abbrev[16];

	if (sigabbrev_np(sig))
		snprintf(buf, cap, "SIG%s", signal_abbrev(sig, abbrev, sizeof(abbrev)));
	else
		snprintf(buf, cap, "signal %d", sig);
	return buf;
}

void
status_describe(int wstatus, char *buf, size_t cap)
{
	char name[32];

	if (WIFEXITED(wstatus))
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, cap, "killed by %s%s",
			 status_signal_name(WTERMSIG(wstatus), name, sizeof(name)),
			 WCOREDUMP(wstatus) ? " (core dumped)" : "");
	else
		snprintf(buf, cap, "wait status 0x%x", (unsigned)wstatus);
}
