/* SPDX-License-Identifier: MIT */
/* klein-systemctl (and klein-journalctl, by its name): see ctl.h and docs/systemctl.md. */
#include "ctl.h"

int
main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
