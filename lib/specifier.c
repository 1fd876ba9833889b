/* SPDX-License-Identifier: MIT */
/* specifier: resolve %-specifiers like systemd 252's unit_full_printf() in
 * the system manager (PID 1, root, system scope). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/chase.h"
#include "lib/specifier.h"
#include "lib/words.h"

/* systemd's slice_build_subslice() chain: "a-b.slice" -> "a.slice/a-b.slice",
 * "-.slice" (the root slice) -> "". Returns malloc'd or NULL. */
static char *
slice_path(const char *slice)
{
	const char *dot = strrchr(slice, '.');
	size_t stem = dot ? (size_t)(dot - slice) : strlen(slice);
	char *out, *o;

	if (!strcmp(slice, "-.slice"))
		return strdup("");
	out = malloc(stem * (stem + 8) + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < stem; i++)
		if (slice[i] == '-' && i > 0) {
			o += sprintf(o, "%s%.*s.slice", o == out ? "" : "/", (int)i, slice);
		}
	o += sprintf(o, "%s%s", o == out ? "" : "/", slice);
	return out;
}

#define UNIT_NAME_MAX 256

static bool
valid_unit_char(char c)
{
	return isalnum((unsigned char)c) || strchr(":-_.\\", c);
}

int
unit_name_is_valid(const char *name)
{
	const char *dot, *at;
	size_t len = strlen(name);

	if (!len || len >= UNIT_NAME_MAX)
		return 0;
	dot = strrchr(name, '.');
	if (!dot || dot == name || !dot[1])
		return 0;
	for (const char *s = dot + 1; *s; s++)
		if (!islower((unsigned char)*s) && *s != '-' && !isdigit((unsigned char)*s))
			return 0;
	/* The first '@' ends the prefix; an instance may contain more. */
	at = strchr(name, '@');
	if (at && (at == name || at > dot))
		return 0;
	for (const char *s = name; s < dot; s++)
		if (!valid_unit_char(*s) && !(at && s >= at && *s == '@'))
			return 0;
	return 1;
}

int
unit_name_split(const char *name, char **prefix, char **instance, char **suffix)
{
	const char *dot, *at;

	if (!unit_name_is_valid(name))
		return -EINVAL;
	dot = strrchr(name, '.');
	at = strchr(name, '@');
	*prefix = strndup(name, (size_t)((at ? at : dot) - name));
	*instance = at ? strndup(at + 1, (size_t)(dot - at - 1)) : NULL;
	*suffix = strdup(dot);
	if (!*prefix || (at && !*instance) || !*suffix) {
		free(*prefix);
		free(*instance);
		free(*suffix);
		return -ENOMEM;
	}
	return 0;
}

char *
unit_name_unescape(const char *s, int dash_to_slash)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '-' && dash_to_slash)
			*o++ = '/';
		else if (s[0] == '\\' && s[1] == 'x' && unhex(s[2]) >= 0 && unhex(s[3]) >= 0) {
			*o++ = (char)(unhex(s[2]) << 4 | unhex(s[3]));
			s += 3;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

static char *
read_small_file(const char *root, const char *path)
{
	/* Resolved inside the root, as systemd's --root reads it. */
	char *full = chase_path(root, path, true);
	FILE *f = full ? fopen(full, "re") : NULL;
	char *buf;
	size_t n;

	free(full);
	if (!f)
		return NULL;
	buf = malloc(65537);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, 65536, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The value of KEY in an os-release style KEY=VALUE file (quotes removed). */
static char *
env_file_get(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *v, *e;

		while (*l == ' ' || *l == '\t')
			l++;
		if (strncmp(l, key, kl) || l[kl] != '=')
			continue;
		v = l + kl + 1;
		e = strchr(v, '\n');
		if (!e)
			e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e - v >= 2 && (*v == '"' || *v == '\'') && e[-1] == *v) {
			v++;
			e--;
		}
		return strndup(v, (size_t)(e - v));
	}
	return strdup("");
}

static const char *
os_release(struct spec_ctx *c)
{
	if (!c->os_release) {
		c->os_release = read_small_file(c->root, "/etc/os-release");
		if (!c->os_release)
			c->os_release = read_small_file(c->root, "/usr/lib/os-release");
		if (!c->os_release)
			c->os_release = strdup("");
	}
	return c->os_release;
}

static char *
first_line(char *s)
{
	if (s)
		s[strcspn(s, "\r\n")] = '\0';
	return s;
}

static const char *
hostname(struct spec_ctx *c)
{
	if (!c->hostname) {
		char h[256] = "";

		if (gethostname(h, sizeof(h) - 1) < 0)
			h[0] = '\0';
		c->hostname = strdup(h);
	}
	return c->hostname;
}

/* systemd's architecture names for the uname machines we may meet. */
static const char *
arch_name(const char *m)
{
	static const struct {
		const char *uname, *name;
	} t[] = {
		{ "x86_64", "x86-64" },
		{ "i386", "x86" },
		{ "i486", "x86" },
		{ "i586", "x86" },
		{ "i686", "x86" },
		{ "aarch64", "arm64" },
		{ "aarch64_be", "arm64-be" },
		{ "armv7l", "arm" },
		{ "armv8l", "arm" },
		{ "ppc64le", "ppc64-le" },
		{ "ppc64", "ppc64" },
		{ "s390x", "s390x" },
		{ "riscv64", "riscv64" },
		{ "mips64", "mips64" },
		{ "loongarch64", "loongarch64" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].uname, m))
			return t[i].name;
	return m;
}

/* A relative path with no empty, "." or ".." components. */
static bool
path_normalized_rel(const char *p)
{
	while (*p) {
		size_t len = strcspn(p, "/");

		if (!len || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
		if (*p == '/')
			p++;
	}
	return true;
}

/* The specifiers of the unit name (%n %N %p %P %i %I %j %J %f): 1 with *v
 * (malloc'd; NULL when out of memory), 0 for another letter, <0 error. */
static int
spec_name_value(struct spec_ctx *c, char k, char **ret)
{
	char *prefix = NULL, *inst = NULL, *suffix = NULL, *v = NULL;
	int r;

	if (!k || !strchr("nNpPiIjJf", k))
		return 0;
	r = unit_name_split(c->name, &prefix, &inst, &suffix);
	if (r < 0) {
		/* Should not happen: names are validated when loading. */
		prefix = strdup(c->name);
		inst = NULL;
		suffix = strdup("");
		if (!prefix || !suffix) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 1;
	switch (k) {
	case 'n':
		v = strdup(c->name);
		break;
	case 'N':
		v = strndup(c->name, strlen(c->name) - strlen(suffix));
		break;
	case 'p':
		v = strdup(prefix);
		break;
	case 'P':
		v = unit_name_unescape(prefix, 1);
		break;
	case 'i':
		v = strdup(inst ? inst : "");
		break;
	case 'I':
		v = unit_name_unescape(inst ? inst : "", 1);
		break;
	case 'j':
	case 'J': {
		const char *d = strrchr(prefix, '-');

		d = d ? d + 1 : prefix;
		v = k == 'j' ? strdup(d) : unit_name_unescape(d, 1);
		break;
	}
	case 'f': {
		/* unit_name_path_unescape(): "-" is "/"; otherwise the
		 * unescaped name must be a normalized relative path. */
		const char *src = inst ? inst : prefix;
		char *un;

		if (!strcmp(src, "-")) {
			v = strdup("/");
			break;
		}
		un = unit_name_unescape(src, 1);
		if (!un) {
			r = -ENOMEM;
			goto out;
		}
		if (!*un || un[0] == '/' || un[strlen(un) - 1] == '/' || !path_normalized_rel(un)) {
			free(un);
			r = -EINVAL;
			goto out;
		}
		if (asprintf(&v, "/%s", un) < 0)
			v = NULL;
		free(un);
		break;
	}
	}
out:
	free(prefix);
	free(inst);
	free(suffix);
	*ret = v;
	return r;
}

/* The path and identity specifiers that need no file: 1 with *v (malloc'd;
 * NULL when out of memory), 0 for another letter. */
static int
spec_path_value(struct spec_ctx *c, char k, char **ret)
{
	char *v = NULL;

	switch (k) {
	case 'y':
		v = strdup(c->fragment ? c->fragment : "");
		break;
	case 'Y': {
		const char *s = c->fragment ? strrchr(c->fragment, '/') : NULL;

		v = s ? strndup(c->fragment, s == c->fragment ? 1 : (size_t)(s - c->fragment))
		      : strdup("");
		break;
	}
	case 'c': {
		char *sp = c->slice ? slice_path(c->slice) : strdup("");

		if (!sp || asprintf(&v, "%s%s/%s", *sp ? "/" : "", sp, c->name) < 0)
			v = NULL;
		free(sp);
		break;
	}
	case 'r':
		/* The slice's own default cgroup path: its parent slice is not
		 * loaded yet either, so it is just "/SLICE". */
		if (!c->slice || !strcmp(c->slice, "-.slice"))
			v = strdup("");
		else if (asprintf(&v, "/%s", c->slice) < 0)
			v = NULL;
		break;
	case 'R':
		v = strdup("/");
		break;
	case 'C':
		v = strdup("/var/cache");
		break;
	case 'd':
		if (asprintf(&v, "/run/credentials/%s", c->name) < 0)
			v = NULL;
		break;
	case 'E':
		v = strdup("/etc");
		break;
	case 'L':
		v = strdup("/var/log");
		break;
	case 'S':
		v = strdup("/var/lib");
		break;
	case 't':
		v = strdup("/run");
		break;
	case 'T':
		v = strdup("/tmp");
		break;
	case 'V':
		v = strdup("/var/tmp");
		break;
	/* The system manager runs as root with HOME and SHELL unset. */
	case 'h':
		v = strdup("/root");
		break;
	case 's':
		v = strdup("/bin/sh");
		break;
	case 'u':
	case 'g':
		v = strdup("root");
		break;
	case 'U':
	case 'G':
		v = strdup("0");
		break;
	default:
		return 0;
	}
	*ret = v;
	return 1;
}

/* The host specifiers (uname, os-release, hostname, machine and boot id):
 * 1 with *v (malloc'd; NULL when out of memory), 0 for another letter, <0 error. */
static int
spec_host_value(struct spec_ctx *c, char k, char **ret)
{
	struct utsname u;
	char *v = NULL;

	switch (k) {
	case 'a':
		v = strdup(uname(&u) < 0 ? "" : arch_name(u.machine));
		break;
	case 'v':
		v = strdup(uname(&u) < 0 ? "" : u.release);
		break;
	case 'A':
		v = env_file_get(os_release(c), "IMAGE_VERSION");
		break;
	case 'B':
		v = env_file_get(os_release(c), "BUILD_ID");
		break;
	case 'M':
		v = env_file_get(os_release(c), "IMAGE_ID");
		break;
	case 'o':
		v = env_file_get(os_release(c), "ID");
		break;
	case 'w':
		v = env_file_get(os_release(c), "VERSION_ID");
		break;
	case 'W':
		v = env_file_get(os_release(c), "VARIANT_ID");
		break;
	case 'H':
		v = strdup(hostname(c));
		break;
	case 'l':
		v = strndup(hostname(c), strcspn(hostname(c), "."));
		break;
	case 'q':
		if (!c->pretty_hostname) {
			char *mi = read_small_file(c->root, "/etc/machine-info");

			c->pretty_hostname = mi ? env_file_get(mi, "PRETTY_HOSTNAME") : strdup("");
			free(mi);
		}
		v = strdup(c->pretty_hostname && *c->pretty_hostname ? c->pretty_hostname
								     : hostname(c));
		break;
	case 'm':
		if (!c->machine_id) {
			c->machine_id = first_line(read_small_file(c->root, "/etc/machine-id"));
			if (!c->machine_id || !*c->machine_id) {
				free(c->machine_id);
				c->machine_id = NULL;
				return -ENOENT;
			}
		}
		v = strdup(c->machine_id);
		break;
	case 'b':
		if (!c->boot_id) {
			char *b = first_line(
				read_small_file(NULL, "/proc/sys/kernel/random/boot_id"));
			char *o;

			if (!b) {
				return -ENOENT;
			}
			o = b;
			for (char *s = b; *s; s++)
				if (*s != '-')
					*o++ = *s;
			*o = '\0';
			c->boot_id = b;
		}
		v = strdup(c->boot_id);
		break;
	default:
		return 0;
	}
	*ret = v;
	return 1;
}

/* Value of one specifier letter: 1 with *ret (malloc'd), 0 unknown, <0 err. */
static int
spec_value(struct spec_ctx *c, char k, char **ret)
{
	char *v = NULL;
	int r = spec_name_value(c, k, &v);

	if (!r)
		r = spec_path_value(c, k, &v);
	if (!r)
		r = spec_host_value(c, k, &v);
	if (r == 1 && !v)
		r = -ENOMEM;
	if (r == 1)
		*ret = v;
	else
		free(v);
	return r;
}

int
spec_expand(struct spec_ctx *c, const char *in, size_t max, char **out)
{
	size_t cap = strlen(in) + 1, n = 0;
	char *s = malloc(cap);

	if (!s)
		return -ENOMEM;
	for (const char *p = in; *p; p++) {
		const char *add = p;
		size_t alen = 1;
		char *v = NULL;

		if (p[0] == '%' && p[1]) {
			if (p[1] == '%') {
				alen = 1;
				p++;
			} else if (isalnum((unsigned char)p[1])) {
				int r = spec_value(c, p[1], &v);

				if (r <= 0) {
					free(s);
					return r == 0 ? -EBADSLT : r;
				}
				add = v;
				alen = strlen(v);
				p++;
			} else {
				/* '%' + punctuation: both kept. */
				alen = 2;
				p++;
			}
		}
		if (n + alen + 1 > cap) {
			char *ns;

			while (n + alen + 1 > cap)
				cap *= 2;
			ns = realloc(s, cap);
			if (!ns) {
				free(s);
				free(v);
				return -ENOMEM;
			}
			s = ns;
		}
		memcpy(s + n, add, alen);
		n += alen;
		free(v);
		if (max && n > max) {
			free(s);
			return -ENAMETOOLONG;
		}
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

void
spec_ctx_done(struct spec_ctx *c)
{
	if (!c)
		return;
	free(c->os_release);
	free(c->machine_id);
	free(c->boot_id);
	free(c->hostname);
	free(c->pretty_hostname);
	c->os_release = c->machine_id = c->boot_id = c->hostname = c->pretty_hostname = NULL;
}
