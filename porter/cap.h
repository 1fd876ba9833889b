/* SPDX-License-Identifier: MIT */
/* cap: Linux capability names, as systemd's capability_from_name() reads them. */
#ifndef KLEIN_PORTER_CAP_H
#define KLEIN_PORTER_CAP_H

/* The number of capability s: a name ("CAP_SYS_TIME", any case) or a
 * number below 64 (C base prefixes: "0x19", "031"). -EINVAL otherwise. */
int cap_from_name(const char *s);

#endif
