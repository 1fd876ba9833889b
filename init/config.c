/* SPDX-License-Identifier: MIT */
/* klein-init settings: built-in defaults, the libconfuse file, KLEIN_* env. */
#include <confuse.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

#include "lib/conffile.h"

int
config_set_str(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

int
config_defaults(struct init_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stop_timeout_ms = INIT_DEFAULT_STOP_TIMEOUT_MS;
	o->log_level = LOGLVL_INFO;
	if (config_set_str(&o->init_dir, INIT_DEFAULT_INIT_DIR) ||
	    config_set_str(&o->service_dir, INIT_DEFAULT_SERVICE_DIR) ||
	    config_set_str(&o->env_dir, INIT_DEFAULT_ENV_DIR))
		return -ENOMEM;
	return 0;
}

void
init_opts_done(struct init_opts *o)
{
	if (!o)
		return;
	free(o->init_dir);
	free(o->service_dir);
	free(o->env_dir);
	o->init_dir = o->service_dir = o->env_dir = NULL;
}

int
config_parse_seconds(const char *s, unsigned *ret_ms)
{
	unsigned long whole = 0, frac = 0, scale = 1000;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	/* Digits only, by hand: strtod would take "inf", "1e3" and locales. */
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned long)(*p - '0');
		if (whole > INIT_MAX_STOP_TIMEOUT_MS / 1000)
			return -EINVAL;
	}
	if (p == s && *p != '.')
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			if (scale == 0)
				return -EINVAL; /* finer than a millisecond */
			frac += (unsigned long)(*p - '0') * scale;
		}
	}
	if (*p)
		return -EINVAL;
	whole = whole * 1000 + frac;
	if (whole == 0 || whole > INIT_MAX_STOP_TIMEOUT_MS)
		return -EINVAL;
	*ret_ms = (unsigned)whole;
	return 0;
}

int
config_parse_log_level(const char *s, enum log_level *ret_level)
{
	static const char *const names[] = {
		[LOGLVL_ERROR] = "error",
		[LOGLVL_WARN] = "warn",
		[LOGLVL_INFO] = "info",
		[LOGLVL_DEBUG] = "debug",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (s && strcmp(s, names[i]) == 0) {
			*ret_level = (enum log_level)i;
			return 0;
		}
	return -EINVAL;
}

int
config_parse_failure(const char *s, bool *ret_warn)
{
	if (s && strcmp(s, "abort") == 0)
		*ret_warn = false;
	else if (s && strcmp(s, "warn") == 0)
		*ret_warn = true;
	else
		return -EINVAL;
	return 0;
}

int
config_parse_forward(const char *s, bool *ret_group)
{
	if (s && strcmp(s, "command") == 0)
		*ret_group = false;
	else if (s && strcmp(s, "group") == 0)
		*ret_group = true;
	else
		return -EINVAL;
	return 0;
}

/* The file being parsed, for conf_error (parsing is single-threaded). */
static const char *conf_path;

/* libconfuse reports through this; give it the compiler-style location. */
static void conf_error(cfg_t *cfg, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
conf_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg && conf_path && cfg->line > 0)
		fprintf(stderr, "%s:%d: error: %s\n", conf_path, cfg->line, msg);
	else if (conf_path)
		fprintf(stderr, "%s: error: %s\n", conf_path, msg);
	else
		fprintf(stderr, "klein-init: error: %s\n", msg);
}

static int
validate_seconds(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	unsigned ms;

	if (config_parse_seconds(v, &ms)) {
		cfg_error(cfg,
			  "invalid value '%s' for '%s': expected seconds "
			  "(e.g. 7 or 2.5), at most %u",
			  v ? v : "", cfg_opt_name(opt), INIT_MAX_STOP_TIMEOUT_MS / 1000);
		return -1;
	}
	return 0;
}

static int
validate_level(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	enum log_level l;

	if (config_parse_log_level(v, &l)) {
		cfg_error(cfg,
			  "invalid value '%s' for 'log_level': expected "
			  "error, warn, info or debug",
			  v ? v : "");
		return -1;
	}
	return 0;
}

static int
validate_failure(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	bool w;

	if (config_parse_failure(v, &w)) {
		cfg_error(cfg,
			  "invalid value '%s' for 'script_failure': "
			  "expected abort or warn",
			  v ? v : "");
		return -1;
	}
	return 0;
}

static int
validate_forward(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	bool g;

	if (config_parse_forward(v, &g)) {
		cfg_error(cfg,
			  "invalid value '%s' for 'forward_signals': expected command or group",
			  v ? v : "");
		return -1;
	}
	return 0;
}

static int
validate_dir(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!v || v[0] != '/') {
		cfg_error(cfg, "'%s' must be an absolute path, got '%s'", cfg_opt_name(opt),
			  v ? v : "");
		return -1;
	}
	return 0;
}

static int
copy_settings(cfg_t *cfg, struct init_opts *o)
{
	static const char *const dirs[] = { "init_dir", "service_dir", "env_dir" };
	char **slots[] = { &o->init_dir, &o->service_dir, &o->env_dir };

	for (size_t i = 0; i < 3; i++)
		if (cfg_size(cfg, dirs[i]) && config_set_str(slots[i], cfg_getstr(cfg, dirs[i])))
			return -ENOMEM;
	/* Validated above, so these cannot fail. */
	if (cfg_size(cfg, "stop_timeout"))
		(void)config_parse_seconds(cfg_getstr(cfg, "stop_timeout"), &o->stop_timeout_ms);
	if (cfg_size(cfg, "log_level"))
		(void)config_parse_log_level(cfg_getstr(cfg, "log_level"), &o->log_level);
	if (cfg_size(cfg, "script_failure"))
		(void)config_parse_failure(cfg_getstr(cfg, "script_failure"),
					   &o->script_failure_warn);
	if (cfg_size(cfg, "forward_signals"))
		(void)config_parse_forward(cfg_getstr(cfg, "forward_signals"), &o->forward_group);
	return 0;
}

/* Parses text (comments already blanked) with libconfuse into o. */
static int
parse_text(struct init_opts *o, const char *path, const char *text)
{
	/* No defaults here: only keys present in the file override. */
	cfg_opt_t opts[] = {
		CFG_STR("init_dir", NULL, CFGF_NODEFAULT),
		CFG_STR("service_dir", NULL, CFGF_NODEFAULT),
		CFG_STR("env_dir", NULL, CFGF_NODEFAULT),
		CFG_STR("stop_timeout", NULL, CFGF_NODEFAULT),
		CFG_STR("log_level", NULL, CFGF_NODEFAULT),
		CFG_STR("script_failure", NULL, CFGF_NODEFAULT),
		CFG_STR("forward_signals", NULL, CFGF_NODEFAULT),
		CFG_END(),
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	int r;

	if (!cfg)
		return -ENOMEM;
	conf_path = path;
	cfg_set_error_function(cfg, conf_error);
	cfg_set_validate_func(cfg, "init_dir", validate_dir);
	cfg_set_validate_func(cfg, "service_dir", validate_dir);
	cfg_set_validate_func(cfg, "env_dir", validate_dir);
	cfg_set_validate_func(cfg, "stop_timeout", validate_seconds);
	cfg_set_validate_func(cfg, "log_level", validate_level);
	cfg_set_validate_func(cfg, "script_failure", validate_failure);
	cfg_set_validate_func(cfg, "forward_signals", validate_forward);
	r = cfg_parse_buf(cfg, text);
	if (r == CFG_PARSE_ERROR)
		r = -EINVAL; /* conf_error printed path:line */
	else if (r != CFG_SUCCESS)
		r = -EIO;
	else
		r = copy_settings(cfg, o);
	conf_path = NULL;
	cfg_free(cfg);
	return r;
}

int
config_load_file(struct init_opts *o, const char *path, bool must_exist)
{
	char *text = NULL;
	int r;

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		if (!must_exist)
			return 0;
		log_msg(LOGLVL_ERROR, "%s: cannot read config file: %s", path, strerror(ENOENT));
		return -ENOENT;
	}
	r = conf_read_file(path, 1u << 20, &text);
	if (r < 0) {
		log_msg(LOGLVL_ERROR, "%s: cannot read config file: %s", path, strerror(-r));
		return r;
	}
	conf_blank_comments(text);
	r = parse_text(o, path, text);
	free(text);
	return r;
}

static int
env_value(const char *name, const char **ret)
{
	const char *v = getenv(name);

	*ret = v;
	return v != NULL;
}

/* KLEIN_INIT_DIR, KLEIN_SERVICE_DIR, KLEIN_ENV_DIR: absolute paths. */
static int
apply_env_dirs(struct init_opts *o)
{
	static const char *const dirs[] = {
		"KLEIN_INIT_DIR",
		"KLEIN_SERVICE_DIR",
		"KLEIN_ENV_DIR",
	};
	char **slots[] = { &o->init_dir, &o->service_dir, &o->env_dir };
	const char *v;

	for (size_t i = 0; i < 3; i++) {
		if (!env_value(dirs[i], &v))
			continue;
		if (v[0] != '/') {
			log_msg(LOGLVL_ERROR, "%s: must be an absolute path, got '%s'", dirs[i], v);
			return -EINVAL;
		}
		if (config_set_str(slots[i], v))
			return -ENOMEM;
	}
	return 0;
}

int
config_apply_env(struct init_opts *o)
{
	const char *v;
	int r = apply_env_dirs(o);

	if (r < 0)
		return r;
	if (env_value("KLEIN_STOP_TIMEOUT", &v) && config_parse_seconds(v, &o->stop_timeout_ms)) {
		log_msg(LOGLVL_ERROR,
			"KLEIN_STOP_TIMEOUT: invalid value '%s': "
			"expected seconds (e.g. 7 or 2.5)",
			v);
		return -EINVAL;
	}
	if (env_value("KLEIN_LOG_LEVEL", &v) && config_parse_log_level(v, &o->log_level)) {
		log_msg(LOGLVL_ERROR,
			"KLEIN_LOG_LEVEL: invalid value '%s': "
			"expected error, warn, info or debug",
			v);
		return -EINVAL;
	}
	if (env_value("KLEIN_SCRIPT_FAILURE", &v) &&
	    config_parse_failure(v, &o->script_failure_warn)) {
		log_msg(LOGLVL_ERROR,
			"KLEIN_SCRIPT_FAILURE: invalid value '%s': "
			"expected abort or warn",
			v);
		return -EINVAL;
	}
	if (env_value("KLEIN_FORWARD_SIGNALS", &v) && config_parse_forward(v, &o->forward_group)) {
		log_msg(LOGLVL_ERROR,
			"KLEIN_FORWARD_SIGNALS: invalid value '%s': "
			"expected command or group",
			v);
		return -EINVAL;
	}
	return 0;
}
