/* SPDX-License-Identifier: MIT */
/* config: porter.conf via libconfuse, with file:line errors. */
#include <confuse.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "sdversion.h"

#include "lib/conffile.h"

/* libconfuse reports through a callback without user data; one parse at a time. */
static struct diag *current_diag;
static const char *current_path;

static void __attribute__((format(printf, 2, 0))) on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	diag_add(current_diag, current_path, cfg ? (unsigned)cfg->line : 0, DIAG_ERROR, "%s", msg);
	free(msg);
}

static int
one_of(cfg_t *cfg, cfg_opt_t *opt, const char *const *allowed)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	for (size_t i = 0; allowed[i]; i++)
		if (v && !strcmp(v, allowed[i]))
			return 0;
	cfg_error(cfg, "%s = \"%s\": not one of the accepted values", cfg_opt_name(opt),
		  v ? v : "");
	return -1;
}

static int
check_log(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const v[] = { "prefix", "svlogd", "inherit", NULL };
	return one_of(cfg, opt, v);
}

static int
check_log_dir(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	if (v && v[0] == '/' && v[1] && !strchr(v, '\n'))
		return 0;
	cfg_error(cfg, "log_dir = \"%s\": not an absolute directory path", v ? v : "");
	return -1;
}

/* "4096", "512K", "1M", "1G" (1024-based), within what klein-svc log takes. */
static int
size_parse(const char *v, unsigned long long *ret)
{
	char *end;
	if (!v || v[0] < '0' || v[0] > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	const char *units = "KMG";
	const char *u = *end ? strchr(units, *end) : NULL;
	if (errno || (*end && (!u || end[1])) || n > (1ULL << 30))
		return -EINVAL;
	for (const char *k = units; u && k <= u; k++)
		n <<= 10;
	if (n < 1024 || n > (1ULL << 30))
		return -ERANGE;
	*ret = n;
	return 0;
}

static int
check_log_max_size(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	unsigned long long n;
	if (size_parse(v, &n) == 0)
		return 0;
	cfg_error(cfg, "log_max_size = \"%s\": not a size from 1K to 1G (bytes, or with K, M or G)",
		  v ? v : "");
	return -1;
}

static int
check_systemd(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	unsigned ver;

	if (sdversion_parse(v, &ver) == 0)
		return 0;
	cfg_error(cfg, "systemd = \"%s\": not a systemd version klein-porter reads (%s)",
		  v ? v : "", sdversion_known());
	return -1;
}

static int
check_restart(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const v[] = { "unit", "always", NULL };
	return one_of(cfg, opt, v);
}

static int
check_type(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const v[] = { "simple", "exec", "forking", "oneshot",
					 "notify", "idle", "dbus",    NULL };
	return one_of(cfg, opt, v);
}

static int
check_env(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	if (!v || !strchr(v, '=') || v[0] == '=') {
		cfg_error(cfg, "env \"%s\": not NAME=VALUE", v ? v : "");
		return -1;
	}
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
copy_unit(cfg_t *sec, struct porter_unit_conf *u)
{
	memset(u, 0, sizeof(*u));
	u->name = strdup(cfg_title(sec));
	u->type = dup_or_null(cfg_getstr(sec, "type"));
	u->exec_start = dup_or_null(cfg_getstr(sec, "exec_start"));
	u->restart = dup_or_null(cfg_getstr(sec, "restart"));
	u->log = dup_or_null(cfg_getstr(sec, "log"));
	u->skip = cfg_getbool(sec, "skip");
	u->n_env = cfg_size(sec, "env");
	u->env = calloc(u->n_env + 1, sizeof(char *));
	if (!u->name || !u->env)
		return -ENOMEM;
	for (size_t i = 0; i < u->n_env; i++)
		if (!(u->env[i] = strdup(cfg_getnstr(sec, "env", (unsigned)i))))
			return -ENOMEM;
	return 0;
}

int
config_load(const char *path, bool must_exist, struct porter_conf *ret, struct diag *d)
{
	cfg_opt_t unit_opts[] = {
		CFG_STR("type", NULL, CFGF_NODEFAULT),
		CFG_STR("exec_start", NULL, CFGF_NODEFAULT),
		CFG_STR("restart", NULL, CFGF_NODEFAULT),
		CFG_STR("log", NULL, CFGF_NODEFAULT),
		CFG_STR_LIST("env", NULL, CFGF_NONE),
		CFG_BOOL("skip", cfg_false, CFGF_NONE),
		CFG_END(),
	};
	cfg_opt_t opts[] = {
		CFG_STR("systemd", NULL, CFGF_NODEFAULT),
		CFG_STR("log", "prefix", CFGF_NONE),
		CFG_STR("restart", "unit", CFGF_NONE),
		CFG_STR("log_dir", NULL, CFGF_NODEFAULT),
		CFG_STR("log_max_size", NULL, CFGF_NODEFAULT),
		CFG_SEC("unit", unit_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_END(),
	};
	struct porter_conf c = { 0 };
	int r = 0;
	if (!must_exist && access(path, F_OK) < 0 && errno == ENOENT) {
		c.log = strdup("prefix");
		c.restart = strdup("unit");
		if (!c.log || !c.restart) {
			config_done(&c);
			return -ENOMEM;
		}
		*ret = c;
		return 0;
	}
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	if (!cfg)
		return -ENOMEM;
	current_diag = d;
	cfg_set_error_function(cfg, on_error);
	cfg_set_validate_func(cfg, "systemd", check_systemd);
	cfg_set_validate_func(cfg, "log", check_log);
	cfg_set_validate_func(cfg, "restart", check_restart);
	cfg_set_validate_func(cfg, "log_dir", check_log_dir);
	cfg_set_validate_func(cfg, "log_max_size", check_log_max_size);
	cfg_set_validate_func(cfg, "unit|type", check_type);
	cfg_set_validate_func(cfg, "unit|restart", check_restart);
	cfg_set_validate_func(cfg, "unit|log", check_log);
	cfg_set_validate_func(cfg, "unit|env", check_env);
	char *text = NULL;
	int pr = CFG_FILE_ERROR;
	/* A FIFO or a device is refused at once: reading it would hang. */
	int rr = conf_read_file(path, CONF_FILE_MAX, &text);
	if (rr == 0) {
		conf_blank_comments(text);
		current_path = path;
		pr = cfg_parse_buf(cfg, text);
		free(text);
	}
	if (rr == -ENOMEM) {
		r = rr;
	} else if (pr == CFG_FILE_ERROR) {
		diag_add(d, path, 0, DIAG_ERROR, "%s", conf_read_error(rr));
		r = -EIO;
	} else if (pr != CFG_SUCCESS) {
		r = -EINVAL;
	} else {
		if (cfg_size(cfg, "systemd"))
			(void)sdversion_parse(cfg_getstr(cfg, "systemd"), &c.systemd);
		c.log = strdup(cfg_getstr(cfg, "log"));
		c.restart = strdup(cfg_getstr(cfg, "restart"));
		if (cfg_size(cfg, "log_max_size"))
			(void)size_parse(cfg_getstr(cfg, "log_max_size"), &c.log_max_size);
		if (cfg_size(cfg, "log_dir") && !(c.log_dir = strdup(cfg_getstr(cfg, "log_dir"))))
			r = -ENOMEM;
		c.n_units = cfg_size(cfg, "unit");
		c.units = calloc(c.n_units + 1, sizeof(*c.units));
		r = r == 0 && c.log && c.restart && c.units ? 0 : -ENOMEM;
		for (size_t i = 0; r == 0 && i < c.n_units; i++)
			r = copy_unit(cfg_getnsec(cfg, "unit", (unsigned)i), &c.units[i]);
	}
	cfg_free(cfg);
	current_diag = NULL;
	current_path = NULL;
	if (r < 0) {
		config_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

const struct porter_unit_conf *
config_unit(const struct porter_conf *c, const char *unit)
{
	size_t n = strlen(unit);
	for (size_t i = 0; i < c->n_units; i++) {
		const char *name = c->units[i].name;
		size_t k = strlen(name);
		if (!strcmp(name, unit) ||
		    (n == k + 8 && !strncmp(unit, name, k) && !strcmp(unit + k, ".service")))
			return &c->units[i];
	}
	return NULL;
}

void
config_done(struct porter_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_units; i++) {
		struct porter_unit_conf *u = &c->units[i];
		free(u->name), free(u->type), free(u->exec_start), free(u->restart), free(u->log);
		for (size_t j = 0; u->env && j < u->n_env; j++)
			free(u->env[j]);
		free(u->env);
	}
	free(c->units), free(c->log), free(c->restart), free(c->log_dir);
	memset(c, 0, sizeof(*c));
}
