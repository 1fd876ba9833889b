/* SPDX-License-Identifier: MIT */
/* klein-svc: systemd 252's value grammars: time spans, sizes, Limit*=, signals. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "values.h"

#define WHITESPACE	" \t\n\r"
#define USEC_PER_SEC	1000000ULL
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR	(60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY	(24ULL * USEC_PER_HOUR)
#define USEC_PER_WEEK	(7ULL * USEC_PER_DAY)
#define USEC_PER_MONTH	(2629800ULL * USEC_PER_SEC)
#define USEC_PER_YEAR	(31557600ULL * USEC_PER_SEC)

static const struct {
	const char *suffix;
	uint64_t usec;
} time_units[] = {
	/* Order matters: systemd's extract_multiplier() takes the first prefix match. */
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
	{ "msec", 1000ULL },
	{ "ms", 1000ULL },
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
	{ "usec", 1ULL },
	{ "us", 1ULL },
	{ "\xce\xbcs", 1ULL }, /* U+03BC GREEK SMALL LETTER MU */
	{ "\xc2\xb5s", 1ULL }, /* U+00B5 MICRO SIGN */
};

static const char *
extract_multiplier(const char *p, uint64_t *multiplier)
{
	for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		size_t n = strlen(time_units[i].suffix);
		if (strncmp(p, time_units[i].suffix, n) == 0) {
			*multiplier = time_units[i].usec;
			return p + n;
		}
	}
	return p;
}

int
parse_time(const char *t, uint64_t default_unit, uint64_t *ret_usec)
{
	const char *p = t + strspn(t, WHITESPACE);
	uint64_t usec = 0;
	bool something = false;

	if (strncmp(p, "infinity", 8) == 0) {
		const char *s = p + 8;
		s += strspn(s, WHITESPACE);
		if (*s)
			return -EINVAL;
		*ret_usec = USEC_INFINITY;
		return 0;
	}
	for (;;) {
		uint64_t multiplier = default_unit, k;
		char *e;
		p += strspn(p, WHITESPACE);
		if (!*p) {
			if (!something)
				return -EINVAL;
			break;
		}
		if (*p == '-')
			return -ERANGE;
		errno = 0;
		long long l = strtoll(p, &e, 10);
		if (errno > 0)
			return -errno;
		if (l < 0)
			return -ERANGE;
		if (*e == '.') {
			p = e + 1;
			p += strspn(p, "0123456789");
		} else if (e == p)
			return -EINVAL;
		else
			p = e;
		const char *s = extract_multiplier(p + strspn(p, WHITESPACE), &multiplier);
		if (s == p && *s != '\0')
			return -EINVAL;
		p = s;
		if ((uint64_t)l >= USEC_INFINITY / multiplier)
			return -ERANGE;
		k = (uint64_t)l * multiplier;
		if (k >= USEC_INFINITY - usec)
			return -ERANGE;
		usec += k;
		something = true;
		if (*e == '.') {
			uint64_t m = multiplier / 10;
			const char *b;
			for (b = e + 1; *b >= '0' && *b <= '9'; b++, m /= 10) {
				k = (uint64_t)(*b - '0') * m;
				if (k >= USEC_INFINITY - usec)
					return -ERANGE;
				usec += k;
			}
			if (b == e + 1)
				return -EINVAL;
		}
	}
	*ret_usec = usec;
	return 0;
}

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
		if (*(p + strspn(p, WHITESPACE)) == '-')
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
		e += strspn(e, WHITESPACE);
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

enum rl_kind { RL_COUNT, RL_SIZE, RL_SEC, RL_USEC, RL_NICE };

static const struct {
	const char *name;
	int resource;
	enum rl_kind kind;
} rlimits[] = {
	{ "CPU", RLIMIT_CPU, RL_SEC },
	{ "FSIZE", RLIMIT_FSIZE, RL_SIZE },
	{ "DATA", RLIMIT_DATA, RL_SIZE },
	{ "STACK", RLIMIT_STACK, RL_SIZE },
	{ "CORE", RLIMIT_CORE, RL_SIZE },
	{ "RSS", RLIMIT_RSS, RL_SIZE },
	{ "NOFILE", RLIMIT_NOFILE, RL_COUNT },
	{ "AS", RLIMIT_AS, RL_SIZE },
	{ "NPROC", RLIMIT_NPROC, RL_COUNT },
	{ "MEMLOCK", RLIMIT_MEMLOCK, RL_SIZE },
	{ "LOCKS", RLIMIT_LOCKS, RL_COUNT },
	{ "SIGPENDING", RLIMIT_SIGPENDING, RL_COUNT },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE, RL_SIZE },
	{ "NICE", RLIMIT_NICE, RL_NICE },
	{ "RTPRIO", RLIMIT_RTPRIO, RL_COUNT },
	{ "RTTIME", RLIMIT_RTTIME, RL_USEC },
};
#define N_RLIMITS (sizeof(rlimits) / sizeof(rlimits[0]))

int
rlimit_from_name(const char *name)
{
	if (strncmp(name, "Limit", 5) == 0)
		name += 5;
	for (size_t i = 0; i < N_RLIMITS; i++)
		if (strcasecmp(name, rlimits[i].name) == 0)
			return rlimits[i].resource;
	return -1;
}

/* safe_atou64(): base 10 unless "0x"/"0o"/"0b"; no sign, no trailing text. */
static int
parse_u64(const char *s, uint64_t *ret)
{
	int base = 10;
	s += strspn(s, WHITESPACE);
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
parse_nice_limit(const char *val, uint64_t *ret)
{
	uint64_t rl;
	int r;
	/* systemd's rlimit_parse_nice(): "+N" and "-N" are nice levels, a bare
	 * number is the raw 0..40 value. */
	if (val[0] == '+' || val[0] == '-') {
		r = parse_u64(val + 1, &rl);
		if (r < 0)
			return r;
		if (val[0] == '+') {
			if (rl >= 20)
				return -ERANGE;
			rl = 20 - rl;
		} else {
			if (rl > 20)
				return -ERANGE;
			rl = 20 + rl;
		}
	} else {
		r = parse_u64(val, &rl);
		if (r < 0)
			return r;
		if (rl > 40)
			return -ERANGE;
	}
	*ret = rl;
	return 0;
}

static int
rlimit_parse_one(enum rl_kind kind, const char *val, rlim_t *ret)
{
	uint64_t u = 0;
	int r;
	if (strcmp(val, "infinity") == 0) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	switch (kind) {
	case RL_COUNT:
		r = parse_u64(val, &u);
		break;
	case RL_SIZE:
		r = parse_size(val, &u);
		break;
	case RL_SEC:
		r = parse_time(val, USEC_PER_SEC, &u);
		if (r == 0 && u != USEC_INFINITY)
			u = (u + USEC_PER_SEC - 1) / USEC_PER_SEC;
		break;
	case RL_USEC:
		r = parse_time(val, 1, &u);
		break;
	case RL_NICE:
		r = parse_nice_limit(val, &u);
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0)
		return r;
	*ret = u == USEC_INFINITY || u >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)u;
	return 0;
}

int
rlimit_parse(int resource, const char *val, struct rlimit *ret)
{
	enum rl_kind kind = RL_COUNT;
	bool found = false;
	rlim_t sl, hl;
	int r;

	for (size_t i = 0; i < N_RLIMITS; i++)
		if (rlimits[i].resource == resource) {
			kind = rlimits[i].kind;
			found = true;
		}
	if (!found)
		return -EINVAL;
	const char *colon = strchr(val, ':');
	char *soft = colon ? xstrndup(val, (size_t)(colon - val)) : xstrdup(val);
	r = rlimit_parse_one(kind, soft, &sl);
	free(soft);
	if (r < 0)
		return r;
	if (!colon)
		hl = sl;
	else {
		if (strchr(colon + 1, ':'))
			return -EINVAL;
		r = rlimit_parse_one(kind, colon + 1, &hl);
		if (r < 0)
			return r;
		if (sl > hl)
			return -EILSEQ;
	}
	ret->rlim_cur = sl;
	ret->rlim_max = hl;
	return 0;
}

static const char *const signal_names[] = {
	[SIGHUP] = "HUP",   [SIGINT] = "INT",	    [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",	    [SIGBUS] = "BUS",	[SIGFPE] = "FPE",
	[SIGKILL] = "KILL", [SIGUSR1] = "USR1",	    [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",	    [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD", [SIGCONT] = "CONT",	    [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",	    [SIGURG] = "URG",	[SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
	[SIGIO] = "IO",	    [SIGPWR] = "PWR",	    [SIGSYS] = "SYS",
};
#define N_SIGNAL_NAMES (int)(sizeof(signal_names) / sizeof(signal_names[0]))

const char *
signal_to_string(int sig)
{
	if (sig > 0 && sig < N_SIGNAL_NAMES)
		return signal_names[sig];
	return NULL;
}

int
signal_from_string(const char *s)
{
	long n;
	if (!s || !*s)
		return -1;
	if (*s >= '0' && *s <= '9')
		return parse_int(s, 1, SIGRTMAX, &n) == 0 ? (int)n : -1;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < N_SIGNAL_NAMES; i++)
		if (signal_names[i] && strcmp(s, signal_names[i]) == 0)
			return i;
	if (strncmp(s, "RTMIN", 5) == 0) {
		if (!s[5])
			return SIGRTMIN;
		if (s[5] == '+' && parse_int(s + 6, 0, SIGRTMAX - SIGRTMIN, &n) == 0)
			return SIGRTMIN + (int)n;
	}
	if (strncmp(s, "RTMAX", 5) == 0) {
		if (!s[5])
			return SIGRTMAX;
		if (s[5] == '-' && parse_int(s + 6, 0, SIGRTMAX - SIGRTMIN, &n) == 0)
			return SIGRTMAX - (int)n;
	}
	return -1;
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
	/* rlimit_to_nice() */
	int limit = rlim <= 1 ? 19 : rlim >= 40 ? -20 : 20 - (int)rlim;
	if (level >= limit)
		return level;
	return current < limit ? current : limit;
}
