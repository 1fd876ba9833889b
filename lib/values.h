/* SPDX-License-Identifier: MIT */
/* systemd 252's value grammars, the one copy every program uses: booleans,
 * time spans, sizes, signals, Limit* values, octal modes, Nice, exit status
 * names. All return 0 (or a value >= 0) on success and -errno (-EINVAL,
 * -ERANGE) when systemd would reject the value. */
#ifndef KLEIN_LIB_VALUES_H
#define KLEIN_LIB_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#define VALUE_INFINITY UINT64_MAX /* "infinity" for times and limits */

/* 1 for 1/yes/y/true/t/on, 0 for 0/no/n/false/f/off (any case), else -EINVAL. */
int parse_boolean(const char *s);

/* A time span like "5min 20s", "1.5h", "infinity" into microseconds.
 * default_unit_usec is the unit of a bare number (1000000 for seconds). */
int parse_time_usec(const char *s, uint64_t default_unit_usec, uint64_t *ret);
/* parse_time_usec() with seconds as the default unit (systemd's parse_sec). */
int parse_sec(const char *s, uint64_t *ret);

/* "SIGTERM", "TERM", "15", "RTMIN+3", "SIGRTMAX-1" -> the signal number. */
int parse_signal(const char *s);
/* The canonical name ("SIGTERM") of a signal number, or NULL. */
const char *signal_name(int sig);
/* True when sig's default action ends the process: not for the ignored
 * signals (CHLD, CONT, URG, WINCH), the stop signals, or invalid numbers. */
bool signal_default_terminates(int sig);
/* True when sig's default action dumps core (QUIT ILL TRAP ABRT BUS FPE SEGV
 * XCPU XFSZ SYS). */
bool signal_default_dumps_core(int sig);

/* Limit*= values: "soft[:hard]", each a number, "infinity", a size with
 * K/M/G/T/P/E (base 1024) for the byte limits, a time for LimitCPU (seconds,
 * rounded up) and LimitRTTIME (microseconds). key is the directive name
 * ("LimitNOFILE"). soft > hard is -EILSEQ. Infinity is VALUE_INFINITY. */
int parse_rlimit(const char *key, const char *s, uint64_t *soft, uint64_t *hard);
/* The RLIMIT_* number for a Limit* key ("LimitNOFILE"), or -EINVAL. */
int rlimit_from_key(const char *key);
/* The RLIMIT_* number for a name with or without "Limit", any case
 * ("nofile", "LimitCORE"), or -EINVAL (klein-svc's --rlimit NAME=). */
int rlimit_from_name(const char *name);
/* parse_rlimit() for an RLIMIT_* number. */
int parse_rlimit_resource(int resource, const char *s, uint64_t *soft, uint64_t *hard);
/* parse_rlimit_resource() into a struct rlimit (infinity is RLIM_INFINITY). */
int rlimit_parse(int resource, const char *s, struct rlimit *ret);
/* systemd's setpriority_closest() fallback: the nice level to use when
 * level (below current) is refused, with RLIMIT_NICE soft limit rlim
 * (allowing levels down to 20 - rlim); current when already below that. */
int nice_closest(int level, int current, rlim_t rlim);

/* An octal mode 0..07777 (UMask=, *DirectoryMode=). */
int parse_mode(const char *s, unsigned *ret);

/* Nice=: -20..19 (-ERANGE outside). */
int parse_nice(const char *s, int *ret);

/* OOMScoreAdjust=: -1000..1000. */
int parse_oom_score_adjust(const char *s, int *ret);

/* A byte size with base-1024 suffixes ("1G", "512K", "1.5M", "1G 512M";
 * units in descending order, a bare number is bytes). */
int parse_size(const char *s, uint64_t *ret);

/* An exit status as SuccessExitStatus= takes it (exit_status_from_string()):
 * a number 0..255 (C base prefixes allowed) or a name such as DATAERR or
 * NOTINSTALLED. Returns the code or -EINVAL. */
int exit_status_from_string(const char *s);
/* systemd's name of an exit status ("FAILURE" for 1, "EXEC" for 203), or NULL
 * (systemctl status prints "status=203/EXEC"). */
const char *exit_status_to_string(int code);

#endif
