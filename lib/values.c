/* SPDX-License-Identifier: MIT */
/* systemd 252's value grammars (time-util.c, parse-util.c, rlimit-util.c,
 * signal-util.c, exit-status.c behaviour), shared by every program. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "lib/values.h"

#define WS		" \t\n\r"
#define USEC_PER_SEC	1000000ULL
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR	(60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY	(24ULL * USEC_PER_HOUR)
#define USEC_PER_WEEK	(7ULL * USEC_PER_DAY)
#define USEC_PER_MONTH	(2629800ULL * USEC_PER_SEC)
#define USEC_PER_YEAR	(31557600ULL * USEC_PER_SEC)

int
parse_boolean(const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

/* The unit suffix at p: its multiplier, and *end past it (p when none). */
static uint64_t
time_multiplier(const char *p, const char **end)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} t[] = {
		{ "seconds", USEC_PER_SEC },
		{ "second", USEC_PER_SEC },
		{ "sec", USEC_PER_SEC },
		{ "s", USEC_PER_SEC },
		{ "minutes", USEC_PER_MINUTE },
		{ "minute", USEC_PER_MINUTE },
		{ "min", USEC_PER_MINUTE },
		{ "months", USEC_PER_MONTH },
		{ "month", USEC_PER_MONTH },
		{ "M", USEC_PER_MONTH },
		{ "msec", 1000 },
		{ "ms", 1000 },
		{ "m", USEC_PER_MINUTE },
		{ "hours", USEC_PER_HOUR },
		{ "hour", USEC_PER_HOUR },
		{ "hr", USEC_PER_HOUR },
		{ "h", USEC_PER_HOUR },
		{ "days", USEC_PER_DAY },
		{ "day", USEC_PER_DAY },
		{ "d", USEC_PER_DAY },
		{ "weeks", USEC_PER_WEEK },
		{ "week", USEC_PER_WEEK },
		{ "w", USEC_PER_WEEK },
		{ "years", USEC_PER_YEAR },
		{ "year", USEC_PER_YEAR },
		{ "y", USEC_PER_YEAR },
		{ "usec", 1 },
		{ "us", 1 },
		{ "\xce\xbcs", 1 },
		{ "\xc2\xb5s", 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t l = strlen(t[i].suffix);

		if (!strncmp(p, t[i].suffix, l)) {
			*end = p + l;
			return t[i].usec;
		}
	}
	*end = p;
	return 0;
}

int
parse_time_usec(const char *s, uint64_t default_unit, uint64_t *ret)
{
	const char *p = s + strspn(s, WS);
	uint64_t usec = 0;
	bool something = false;

	if (!strncmp(p, "infinity", 8)) {
		const char *e = p + 8;

		e += strspn(e, WS);
		if (*e)
			return -EINVAL;
		*ret = VALUE_INFINITY;
		return 0;
	}
	for (;;) {
		uint64_t mult, k;
		unsigned long long l;
		const char *e, *sfx, *q;
		char *end;

		p += strspn(p, WS);
		if (!*p) {
			if (!something)
				return -EINVAL;
			break;
		}
		if (*p == '-')
			return -ERANGE;
		if (!isdigit((unsigned char)*p) && *p != '.' && *p != '+')
			return -EINVAL;
		errno = 0;
		l = strtoull(p, &end, 10);
		if (errno)
			return -errno;
		e = end;
		if (*e == '.') {
			q = e + 1;
			q += strspn(q, "0123456789");
		} else if (e == p)
			return -EINVAL;
		else
			q = e;
		mult = time_multiplier(q + strspn(q, WS), &sfx);
		if (!mult)
			mult = default_unit;
		if (sfx == q && *sfx)
			return -EINVAL;
		p = sfx;
		if (l >= VALUE_INFINITY / mult)
			return -ERANGE;
		k = l * mult;
		if (k >= VALUE_INFINITY - usec)
			return -ERANGE;
		usec += k;
		something = true;
		if (*e == '.') {
			uint64_t m = mult / 10;
			const char *b;

			for (b = e + 1; *b >= '0' && *b <= '9'; b++, m /= 10) {
				k = (uint64_t)(*b - '0') * m;
				if (k >= VALUE_INFINITY - usec)
					return -ERANGE;
				usec += k;
			}
			if (b == e + 1)
				return -EINVAL;
		}
	}
	*ret = usec;
	return 0;
}

int
parse_sec(const char *s, uint64_t *ret)
{
	return parse_time_usec(s, USEC_PER_SEC, ret);
}

static const char *const signames[65] = {
	[SIGHUP] = "SIGHUP",	   [SIGINT] = "SIGINT",	      [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",	   [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",	   [SIGFPE] = "SIGFPE",	      [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",	   [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",	   [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP",	   [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU",	   [SIGURG] = "SIGURG",	      [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ",	   [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",	      [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

const char *
signal_name(int sig)
{
	if (sig > 0 && sig < 65 && signames[sig])
		return signames[sig];
	return NULL;
}

static int
parse_int_strict(const char *s, long lo, long hi, long *ret)
{
	char *e;
	long v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &e, 10);
	if (errno || *e || e == s)
		return -EINVAL;
	if (v < lo || v > hi)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
parse_signal(const char *s)
{
	const char *p = s;
	long v;

	if (!parse_int_strict(s, 1, 64, &v))
		return (int)v;
	if (!strncmp(p, "SIG", 3))
		p += 3;
	for (int i = 1; i < 65; i++)
		if (signames[i] && !strcmp(p, signames[i] + 3))
			return i;
	if (!strcmp(p, "IOT"))
		return SIGABRT;
	if (!strcmp(p, "POLL"))
		return SIGIO;
	if (!strncmp(p, "RTMIN", 5)) {
		if (!p[5])
			return SIGRTMIN;
		if (p[5] == '+' && !parse_int_strict(p + 6, 0, SIGRTMAX - SIGRTMIN, &v))
			return SIGRTMIN + (int)v;
	}
	if (!strncmp(p, "RTMAX", 5)) {
		if (!p[5])
			return SIGRTMAX;
		if (p[5] == '-' && !parse_int_strict(p + 6, 0, SIGRTMAX - SIGRTMIN, &v))
			return SIGRTMAX - (int)v;
	}
	return -EINVAL;
}

/* systemd's parse_size(): units in descending order only ("1G 512M", not
 * "512M 1G"), a bare number is bytes, a fraction keeps its integer part. */
int
parse_size(const char *t, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		unsigned long long factor;
	} iec[] = {
		{ "E", 1ULL << 60 }, { "P", 1ULL << 50 }, { "T", 1ULL << 40 }, { "G", 1ULL << 30 },
		{ "M", 1ULL << 20 }, { "K", 1ULL << 10 }, { "B", 1ULL },       { "", 1ULL },
	};
	const size_t n_entries = sizeof(iec) / sizeof(iec[0]);
	unsigned long long r = 0;
	size_t start_pos = 0;
	const char *p = t;

	do {
		char *e;
		double frac = 0;
		size_t i;
		errno = 0;
		unsigned long long l = strtoull(p, &e, 10);
		if (errno > 0)
			return -errno;
		if (e == p)
			return -EINVAL;
		if (*(p + strspn(p, WS)) == '-')
			return -ERANGE;
		if (*e == '.') {
			e++;
			if (*e >= '0' && *e <= '9') {
				char *e2;
				unsigned long long l2 = strtoull(e, &e2, 10);
				if (errno > 0)
					return -errno;
				frac = (double)l2;
				for (; e < e2; e++)
					frac /= 10;
			}
		}
		e += strspn(e, WS);
		for (i = start_pos; i < n_entries; i++)
			if (strncmp(e, iec[i].suffix, strlen(iec[i].suffix)) == 0)
				break;
		if (i >= n_entries)
			return -EINVAL;
		if (l + (frac > 0) > ULLONG_MAX / iec[i].factor)
			return -ERANGE;
		unsigned long long tmp =
			l * iec[i].factor + (unsigned long long)(frac * (double)iec[i].factor);
		if (tmp > ULLONG_MAX - r)
			return -ERANGE;
		r += tmp;
		p = e + strlen(iec[i].suffix);
		start_pos = i + 1;
	} while (*p);
	*ret = r;
	return 0;
}

static const struct {
	const char *name; /* the directive without "Limit" */
	int resource;
} rlimits[] = {
	{ "CPU", RLIMIT_CPU },		 { "FSIZE", RLIMIT_FSIZE },
	{ "DATA", RLIMIT_DATA },	 { "STACK", RLIMIT_STACK },
	{ "CORE", RLIMIT_CORE },	 { "RSS", RLIMIT_RSS },
	{ "NOFILE", RLIMIT_NOFILE },	 { "AS", RLIMIT_AS },
	{ "NPROC", RLIMIT_NPROC },	 { "MEMLOCK", RLIMIT_MEMLOCK },
	{ "LOCKS", RLIMIT_LOCKS },	 { "SIGPENDING", RLIMIT_SIGPENDING },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "RTPRIO", RLIMIT_RTPRIO },	 { "RTTIME", RLIMIT_RTTIME },
};

int
rlimit_from_key(const char *key)
{
	if (strncmp(key, "Limit", 5) != 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (!strcmp(key + 5, rlimits[i].name))
			return rlimits[i].resource;
	return -EINVAL;
}

static bool
rlimit_known(int res)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (rlimits[i].resource == res)
			return true;
	return false;
}

int
rlimit_from_name(const char *name)
{
	if (strncmp(name, "Limit", 5) == 0)
		name += 5;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (strcasecmp(name, rlimits[i].name) == 0)
			return rlimits[i].resource;
	return -EINVAL;
}

/* safe_atou64(): base 10 unless "0x"/"0o"/"0b"; no sign, no trailing text. */
static int
parse_u64(const char *s, uint64_t *ret)
{
	int base = 10;
	s += strspn(s, WS);
	if (*s == '-' || *s == '+')
		return *s == '-' ? -ERANGE : -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	char *e;
	errno = 0;
	unsigned long long v = strtoull(s, &e, base);
	if (errno > 0)
		return -errno;
	if (e == s || *e)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int
rlimit_parse_one(int res, const char *s, uint64_t *ret)
{
	uint64_t u;
	int r;

	/* systemd's rlimit_parse_nice() has no "infinity". */
	if (res != RLIMIT_NICE && !strcmp(s, "infinity")) {
		*ret = VALUE_INFINITY;
		return 0;
	}
	switch (res) {
	case RLIMIT_CPU:
		r = parse_sec(s, &u);
		if (r < 0)
			return r;
		*ret = u == VALUE_INFINITY ? u : (u + USEC_PER_SEC - 1) / USEC_PER_SEC;
		return 0;
	case RLIMIT_RTTIME:
		r = parse_time_usec(s, 1, &u);
		if (r < 0)
			return r;
		*ret = u;
		return 0;
	case RLIMIT_FSIZE:
	case RLIMIT_DATA:
	case RLIMIT_STACK:
	case RLIMIT_CORE:
	case RLIMIT_RSS:
	case RLIMIT_AS:
	case RLIMIT_MEMLOCK:
	case RLIMIT_MSGQUEUE:
		return parse_size(s, ret);
	case RLIMIT_NICE: {
		long v;

		/* "+N"/"-N" are nice levels; a bare number is the raw limit. */
		if (s[0] == '+' || s[0] == '-') {
			r = parse_int_strict(s, -20, 19, &v);
			if (r < 0)
				return r;
			*ret = (uint64_t)(20 - v);
			return 0;
		}
		/* A raw RLIMIT_NICE value is 0..40 (20 - nice). */
		r = parse_int_strict(s, 0, 40, &v);
		if (r < 0)
			return r;
		*ret = (uint64_t)v;
		return 0;
	}
	default:
		return parse_u64(s, ret);
	}
}

int
parse_rlimit(const char *key, const char *s, uint64_t *soft, uint64_t *hard)
{
	int res = rlimit_from_key(key);

	return res < 0 ? res : parse_rlimit_resource(res, s, soft, hard);
}

int
rlimit_parse(int resource, const char *s, struct rlimit *ret)
{
	uint64_t soft, hard;
	int r = parse_rlimit_resource(resource, s, &soft, &hard);

	if (r < 0)
		return r;
	/* VALUE_INFINITY is RLIM_INFINITY on Linux; larger values saturate. */
	ret->rlim_cur = soft >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)soft;
	ret->rlim_max = hard >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)hard;
	return 0;
}

int
parse_rlimit_resource(int res, const char *s, uint64_t *soft, uint64_t *hard)
{
	const char *colon = strchr(s, ':');
	uint64_t sl, hl;
	int r;

	if (!rlimit_known(res))
		return -EINVAL;
	if (colon) {
		char *a = strndup(s, (size_t)(colon - s));

		if (!a)
			return -ENOMEM;
		if (strchr(colon + 1, ':')) {
			free(a);
			return -EINVAL;
		}
		r = rlimit_parse_one(res, a, &sl);
		free(a);
		if (r < 0)
			return r;
		r = rlimit_parse_one(res, colon + 1, &hl);
		if (r < 0)
			return r;
	} else {
		r = rlimit_parse_one(res, s, &sl);
		if (r < 0)
			return r;
		hl = sl;
	}
	if (sl > hl)
		return -EILSEQ;
	*soft = sl;
	*hard = hl;
	return 0;
}

int
parse_mode(const char *s, unsigned *ret)
{
	char *e;
	long v;

	s += strspn(s, WS);
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &e, 8);
	if (errno || e == s || *e)
		return -EINVAL;
	if (v < 0 || v > 07777)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int
parse_nice(const char *s, int *ret)
{
	long v;
	int r = parse_int_strict(s, LONG_MIN, LONG_MAX, &v);

	if (r < 0)
		return r;
	if (v < -20 || v > 19)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

int
parse_oom_score_adjust(const char *s, int *ret)
{
	long v;
	int r = parse_int_strict(s, LONG_MIN, LONG_MAX, &v);

	if (r < 0)
		return r;
	if (v < -1000 || v > 1000)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

/* systemd 252's exit_status_mappings names (exit-status.c): the LSB, BSD
 * (sysexits.h) and systemd's own (200..245) exit codes. */
static const struct {
	int code;
	const char *name;
} exit_names[] = {
	{ 0, "SUCCESS" },
	{ 1, "FAILURE" },
	{ 2, "INVALIDARGUMENT" },
	{ 3, "NOTIMPLEMENTED" },
	{ 4, "NOPERMISSION" },
	{ 5, "NOTINSTALLED" },
	{ 6, "NOTCONFIGURED" },
	{ 7, "NOTRUNNING" },
	{ 64, "USAGE" },
	{ 65, "DATAERR" },
	{ 66, "NOINPUT" },
	{ 67, "NOUSER" },
	{ 68, "NOHOST" },
	{ 69, "UNAVAILABLE" },
	{ 70, "SOFTWARE" },
	{ 71, "OSERR" },
	{ 72, "OSFILE" },
	{ 73, "CANTCREAT" },
	{ 74, "IOERR" },
	{ 75, "TEMPFAIL" },
	{ 76, "PROTOCOL" },
	{ 77, "NOPERM" },
	{ 78, "CONFIG" },
	{ 200, "CHDIR" },
	{ 201, "NICE" },
	{ 202, "FDS" },
	{ 203, "EXEC" },
	{ 204, "MEMORY" },
	{ 205, "LIMITS" },
	{ 206, "OOM_ADJUST" },
	{ 207, "SIGNAL_MASK" },
	{ 208, "STDIN" },
	{ 209, "STDOUT" },
	{ 210, "CHROOT" },
	{ 211, "IOPRIO" },
	{ 212, "TIMERSLACK" },
	{ 213, "SECUREBITS" },
	{ 214, "SETSCHEDULER" },
	{ 215, "CPUAFFINITY" },
	{ 216, "GROUP" },
	{ 217, "USER" },
	{ 218, "CAPABILITIES" },
	{ 219, "CGROUP" },
	{ 220, "SETSID" },
	{ 221, "CONFIRM" },
	{ 222, "STDERR" },
	{ 224, "PAM" },
	{ 225, "NETWORK" },
	{ 226, "NAMESPACE" },
	{ 227, "NO_NEW_PRIVILEGES" },
	{ 228, "SECCOMP" },
	{ 229, "SELINUX_CONTEXT" },
	{ 230, "PERSONALITY" },
	{ 231, "APPARMOR" },
	{ 232, "ADDRESS_FAMILIES" },
	{ 233, "RUNTIME_DIRECTORY" },
	{ 235, "CHOWN" },
	{ 236, "SMACK_PROCESS_LABEL" },
	{ 237, "KEYRING" },
	{ 238, "STATE_DIRECTORY" },
	{ 239, "CACHE_DIRECTORY" },
	{ 240, "LOGS_DIRECTORY" },
	{ 241, "CONFIGURATION_DIRECTORY" },
	{ 242, "NUMA_POLICY" },
	{ 243, "CREDENTIALS" },
	{ 245, "BPF" },
	{ 255, "EXCEPTION" },
};

const char *
exit_status_to_string(int code)
{
	for (size_t i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if (exit_names[i].code == code)
			return exit_names[i].name;
	return NULL;
}

int
exit_status_from_string(const char *s)
{
	char *e;
	unsigned long v;

	/* safe_atou8(): strtoul base 0 ("0x10", "010"), no sign. */
	if (isdigit((unsigned char)s[0]) || s[0] == '+') {
		errno = 0;
		v = strtoul(s, &e, 0);
		if (!errno && e != s && !*e && v <= 255)
			return (int)v;
	}
	for (size_t i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if (!strcmp(s, exit_names[i].name))
			return exit_names[i].code;
	return -EINVAL;
}

bool
signal_default_terminates(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return sig > 0 && sig <= SIGRTMAX;
	}
}

bool
signal_default_dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return true;
	default:
		return false;
	}
}

int
nice_closest(int level, int current, rlim_t rlim)
{
	/* systemd's rlimit_to_nice() */
	int limit = rlim <= 1 ? 19 : rlim >= 40 ? -20 : 20 - (int)rlim;
	if (level >= limit)
		return level;
	return current < limit ? current : limit;
}
