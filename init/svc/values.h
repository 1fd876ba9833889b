/* SPDX-License-Identifier: MIT */
/* klein-svc: systemd 252's value grammars: time spans, sizes, Limit*=, signals. */
#ifndef KLEIN_SVC_VALUES_H
#define KLEIN_SVC_VALUES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#define USEC_INFINITY UINT64_MAX

/*
 * parse_time(): "<number>[.frac][unit]" repeated, blanks allowed; units us ms s
 * min h d w M y and their long forms (systemd's table); a bare number is in
 * default_unit microseconds; "infinity" gives USEC_INFINITY. 0 or -EINVAL/-ERANGE.
 */
int parse_time(const char *t, uint64_t default_unit, uint64_t *ret_usec);

/* parse_size(t, 1024): B K M G T P E (base 1024), decimals, "1G 512M". */
int parse_size(const char *t, uint64_t *ret);

/* RLIMIT_* for a systemd Limit name without "Limit" ("NOFILE", "CORE", ...);
 * -1 if unknown. */
int rlimit_from_name(const char *name);

/*
 * systemd's rlimit_parse(): "SOFT[:HARD]", a single value sets both, each
 * "infinity" or the resource's grammar (sizes for FSIZE DATA STACK CORE RSS AS
 * MEMLOCK MSGQUEUE; seconds for CPU, rounded up; microseconds for RTTIME;
 * nice levels for NICE; plain counts otherwise). Soft above hard is -EILSEQ.
 */
int rlimit_parse(int resource, const char *val, struct rlimit *ret);

/* systemd's setpriority_closest() fallback: the nice level to use when
 * level (below current) is refused, with RLIMIT_NICE soft limit rlim
 * (allowing levels down to 20 - rlim); current when already below that. */
int nice_closest(int level, int current, rlim_t rlim);

/* Signal number from "TERM", "SIGTERM", "15", "RTMIN+3"; -1 if unknown. */
int signal_from_string(const char *s);
/* True when sig's default action ends the process: not for the ignored
 * signals (CHLD, CONT, URG, WINCH), the stop signals, or invalid numbers. */
bool signal_default_terminates(int sig);
/* True when sig's default action dumps core (QUIT ILL TRAP ABRT BUS FPE SEGV
 * XCPU XFSZ SYS). */
bool signal_default_dumps_core(int sig);
/* "TERM" for 15 etc.; NULL if the number has no name. */
const char *signal_to_string(int sig);

#endif
