/* SPDX-License-Identifier: MIT */
/* klein-svc unit tests: env files, expansion, value grammars, passwd/group, protocols. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "lib/envfile.h"
#include "lib/expand.h"
#include "health.h"
#include "ident.h"
#include "notify.h"
#include "reload.h"
#include "proc.h"
#include "lib/pwdb.h"
#include "util.h"
#include "lib/values.h"

/* The list joined with '|', for one-line comparisons; caller frees. */
static char *
joined(const struct strv *l)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < l->n; i++) {
		char *t = xstrjoin3(s, i ? "|" : "", l->v[i]);
		free(s);
		s = t;
	}
	return s;
}

static void
envfile_case(const char *text, const char *expected)
{
	struct strv env = { 0 };
	CHECK_INT_EQ(envfile_parse(text, &env, NULL), 0);
	char *got = joined(&env);
	CHECK_STR_EQ(got, expected);
	free(got);
	strv_done(&env);
}

/* porter-reference.md §3.E (systemd's test-env-file.c), systemd 252 semantics. */
static void
test_envfile(void)
{
	envfile_case(
		"a=a\na=b\na=b\na=a\nb=b\\\nc\nd= d\\\ne  \\\nf  \ng=g\\ \n"
		"h= \xc4\x85\xc4\x99\xc3\xb3\xc5\x82\\ \xc5\x9b\xc4\x87\xc5\x84\xc5\xba\xc5\xbc\xce\xbc \ni=i\\",
		"a=a|b=bc|d=de  f|g=g |h=\xc4\x85\xc4\x99\xc3\xb3\xc5\x82 \xc5\x9b\xc4\x87\xc5\x84\xc5\xba\xc5\xbc\xce\xbc|i=i"); /* E01 */
	envfile_case("a=a\\\n", "a=a"); /* E02 */
	/* E03: in systemd 252 a comment ending in '\' continues (changed in
	 * v254), so nothing here is an assignment; checked against 252's
	 * parser with `systemd-analyze condition ConditionOSRelease=`. */
	envfile_case(
		"#SPAMD_ARGS=\"-d --socketpath=/var/lib/bulwark/spamd \\\n#--nouser-config    \\\n"
		"normal1=line\\\n111\n;normal=ignored    \\\nnormal2=line222\nnormal ignored    \\\n",
		"");
	envfile_case("#c \\\na=1\nb=2\n", "b=2");
	envfile_case(
		"# Generated\n\nHWMON_MODULES=\"coretemp f71882fg\"\n\n# For compatibility reasons\n\n"
		"MODULE_0=coretemp\nMODULE_1=f71882fg",
		"HWMON_MODULES=coretemp f71882fg|MODULE_0=coretemp|MODULE_1=f71882fg"); /* E04 */
	envfile_case("a=\nb=", "a=|b=");						/* E05 */
	envfile_case("a=\\ \\n \\t \\x \\y \\' \n", "a= n t x y '");			/* E06 */
	envfile_case("b= \\$'                  \n", "b=$'");				/* E07 */
	envfile_case("c= ' \\n\\t\\$\\`\\\\\n'   \n", "c= \\n\\t\\$\\`\\\\\n");		/* E08 */
	envfile_case("d= \" \\n\\t\\$\\`\\\\\n\"   \n", "d= \\n\\t$`\\\n");		/* E09 */
	envfile_case("CONF1=a1\nCONF2=\"b2\"\nCONF3='c3'\n#CONF4=b4\n",
		     "CONF1=a1|CONF2=b2|CONF3=c3");		      /* E11 */
	envfile_case("DEF4=\"$DEF1 ${DEF2}\"", "DEF4=$DEF1 ${DEF2}"); /* E12 */
	envfile_case("A=x\"y\" 'z'\n", "A=x\"y\" 'z'"); /* quotes inside a value stay */
	envfile_case("  K  =  v v  \n", "K=v v");	/* blanks around key and value */
	envfile_case("A=\"q\"rest\n", "A=qrest");
	envfile_case("BAD NAME=1\n2BAD=x\nGOOD=1\nnoequals\n",
		     "GOOD=1");		   /* invalid names dropped */
	envfile_case("A=1\0B=2\n", "A=1"); /* text ends at NUL */

	/* E10: noncharacters make the whole file invalid, env untouched. */
	struct strv env = { 0 };
	env_set(&env, xstrdup("KEEP=1"));
	CHECK_INT_EQ(envfile_parse("ok=1\nfo\xef\xbf\xbeo=bar\n", &env, NULL), -EINVAL);
	CHECK_INT_EQ(envfile_parse("foo=b\xef\xbf\xbf"
				   "ar\n",
				   &env, NULL),
		     -EINVAL);
	CHECK_INT_EQ(envfile_parse("baz=hello world\xef\xbf\xbe", &env, NULL), -EINVAL);
	CHECK_INT_EQ(envfile_parse("x=\xc0\xaf\n", &env, NULL), -EINVAL); /* overlong */
	CHECK_INT_EQ(env.n, 1);
	/* A later file replaces in place. */
	CHECK_INT_EQ(envfile_parse("NEW=2\nKEEP=3\n", &env, NULL), 0);
	char *got = joined(&env);
	CHECK_STR_EQ(got, "KEEP=3|NEW=2");
	free(got);
	strv_done(&env);
}

static void
expand_case(const char *const *words, size_t n, size_t from, const char *expected)
{
	struct strv env = { 0 }, out = { 0 };
	env_set(&env, xstrdup("FOO=BAR BAR"));
	env_set(&env, xstrdup("BAR=waldo"));
	expand_argv(words, n, from, &env, &out);
	char *got = joined(&out);
	CHECK_STR_EQ(got, expected);
	free(got);
	strv_done(&out);
	strv_done(&env);
}

/* porter-reference.md §3.C (systemd's test-env-util.c replace_env_argv). */
static void
test_expand(void)
{
	static const char *const c01_17[] = {
		"FOO$FOO",
		"FOO$FOOFOO",
		"FOO${FOO}$FOO",
		"FOO${FOO}",
		"${FOO}",
		"$FOO",
		"$FOO$FOO",
		"${FOO}${BAR}",
		"${FOO",
		"FOO$$${FOO}",
		"$$FOO${FOO}",
		"${FOO:-${BAR}}",
		"${QUUX:-${FOO}}",
		"${FOO:+${BAR}}",
		"${QUUX:+${BAR}}",
		"${FOO:+|${BAR}|}}",
		"${FOO:+|${BAR}{|}",
	};
	expand_case(
		c01_17, 17, 0,
		"FOO$FOO|FOO$FOOFOO|FOOBAR BAR$FOO|FOOBAR BAR|BAR BAR|BAR|BAR|BAR BARwaldo|${FOO|"
		"FOO$BAR BAR|$FOOBAR BAR|${FOO:-waldo}|${QUUX:-BAR BAR}|${FOO:+waldo}|"
		"${QUUX:+waldo}|${FOO:+|waldo|}}|${FOO:+|waldo{|}");
	static const char *const c18[] = { "$FOO",
					   "A${FOO}B",
					   "a${~}${%}b",
					   "x${}y",
					   "$UNSET2",
					   "z${UNSET3}z${UNSET1}z",
					   "piff${UNSET2}piff" };
	expand_case(c18, 7, 0, "BAR|BAR|ABAR BARB|ab|xy|zzz|piffpiff");
	static const char *const from[] = { "$FOO", "${BAR}", "$FOO", "$", "$1" };
	expand_case(from, 5, 2, "$FOO|${BAR}|BAR|BAR");

	/* C19: the string form. */
	struct strv env = { 0 };
	env_set(&env, xstrdup("FOO=BAR BAR"));
	env_set(&env, xstrdup("BAR=waldo"));
	static const char *const c19[][2] = {
		{ "FOO=$FOO=${FOO}", "FOO=$FOO=BAR BAR" },
		{ "BAR=$BAR=${BAR}", "BAR=$BAR=waldo" },
		{ "BARBAR=$BARBAR=${BARBAR}", "BARBAR=$BARBAR=" },
		{ "BAR=$BAR$BAR${BAR}${BAR}", "BAR=$BAR$BARwaldowaldo" },
		{ "${BAR}$BAR$BAR", "waldo$BAR$BAR" },
		{ "FOO=${FOO}between${BAR:-baz}", "FOO=BAR BARbetween${BAR:-baz}" },
		{ "$", "$" },
		{ "a$", "a$" },
		{ "$$$", "$$" },
	};
	for (size_t i = 0; i < sizeof(c19) / sizeof(c19[0]); i++) {
		char *got = expand_word(c19[i][0], &env);
		CHECK_STR_EQ(got, c19[i][1]);
		free(got);
	}
	strv_done(&env);

	/* $FOO splitting unquotes like extract_first_word(RELAX|UNQUOTE). */
	struct strv out = { 0 };
	expand_split("  a \"b c\" 'd\\'e' f\\ g \"unbal", &out);
	char *got = joined(&out);
	CHECK_STR_EQ(got, "a|b c|d'e|f g|unbal");
	free(got);
	strv_done(&out);
	expand_split(" \t ", &out);
	CHECK_INT_EQ(out.n, 0);
	expand_split("''", &out);
	CHECK_INT_EQ(out.n, 1);
	strv_done(&out);
}

static void
rl_case(const char *name, const char *val, long long soft, long long hard)
{
	struct rlimit rl = { 0 };
	int res = rlimit_from_name(name);
	CHECK(res >= 0);
	int r = rlimit_parse(res, val, &rl);
	if (soft < 0) {
		CHECK(r < 0);
		return;
	}
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(rl.rlim_cur, soft == 0x7fffffffffffffffLL ? (long long)RLIM_INFINITY : soft);
	CHECK_INT_EQ(rl.rlim_max, hard == 0x7fffffffffffffffLL ? (long long)RLIM_INFINITY : hard);
}

#define INF 0x7fffffffffffffffLL

/* porter-reference.md §3.H (systemd's test-load-fragment config_parse_rlimit). */
static void
test_rlimit(void)
{
	rl_case("NOFILE", "55", 55, 55);
	rl_case("NOFILE", "55:66", 55, 66);
	rl_case("NOFILE", "infinity", INF, INF);
	rl_case("NOFILE", "infinity:infinity", INF, INF);
	rl_case("LimitNOFILE", "1024:4096", 1024, 4096);
	rl_case("NOFILE", "10:20:30", -1, 0);
	rl_case("NOFILE", "wat:wat", -1, 0);
	rl_case("NOFILE", "66:wat", -1, 0);
	rl_case("NOFILE", "200:100", -1, 0);
	rl_case("NOFILE", "10:", -1, 0);
	rl_case("NOFILE", "", -1, 0);
	rl_case("NOFILE", "-1", -1, 0);
	rl_case("NOFILE", "0x10", 16, 16);
	rl_case("CPU", "56", 56, 56);
	rl_case("CPU", "57s", 57, 57);
	rl_case("CPU", "40s:1m", 40, 60);
	rl_case("CPU", "1234ms", 2, 2);
	rl_case("CPU", "1min:2min", 60, 120);
	rl_case("RTTIME", "58", 58, 58);
	rl_case("RTTIME", "58:60", 58, 60);
	rl_case("RTTIME", "59s", 59000000, 59000000);
	rl_case("NPROC", "100:200", 100, 200);
	rl_case("AS", "1G", 1073741824LL, 1073741824LL);
	rl_case("CORE", "infinity", INF, INF);
	rl_case("MEMLOCK", "64M", 67108864LL, 67108864LL);
	rl_case("MEMLOCK", "1.5K", 1536, 1536);
	rl_case("FSIZE", "1G 512M", 1610612736LL, 1610612736LL);
	rl_case("FSIZE", "512M 1G", -1, 0);
	rl_case("FSIZE", "12Q", -1, 0);
	rl_case("NICE", "+10", 10, 10);
	rl_case("NICE", "-5", 25, 25);
	rl_case("NICE", "40", 40, 40);
	rl_case("NICE", "41", -1, 0);
	CHECK(rlimit_from_name("BOGUS") < 0);
}

static void
time_case(const char *t, uint64_t def, long long usec)
{
	uint64_t u = 0;
	int r = parse_time_usec(t, def, &u);
	if (usec < 0)
		CHECK(r < 0);
	else {
		CHECK_INT_EQ(r, 0);
		CHECK_INT_EQ(u, usec);
	}
}

static void
test_time_and_signals(void)
{
	const uint64_t S = 1000000ULL;
	time_case("111 m", S, 6660 * 1000000LL);
	time_case("111m", S, 6660 * 1000000LL);
	time_case("1min 30s", S, 90 * 1000000LL);
	time_case("2 h 3 min", S, 7380 * 1000000LL);
	time_case("999ms", S, 999000);
	time_case("0.5", S, 500000);
	time_case("2.25min", S, 135 * 1000000LL);
	time_case("1y", S, 31557600LL * 1000000LL);
	time_case("5", 1, 5);
	time_case("xxs", S, -1);
	time_case("", S, -1);
	time_case("-1", S, -1);
	time_case("3.", S, -1);
	uint64_t u;
	CHECK_INT_EQ(parse_time_usec(" infinity ", S, &u), 0);
	CHECK(u == VALUE_INFINITY);

	CHECK_INT_EQ(parse_signal("TERM"), SIGTERM);
	CHECK_INT_EQ(parse_signal("SIGINT"), SIGINT);
	CHECK_INT_EQ(parse_signal("9"), SIGKILL);
	CHECK_INT_EQ(parse_signal("WINCH"), SIGWINCH);
	CHECK_INT_EQ(parse_signal("RTMIN+3"), SIGRTMIN + 3);
	CHECK_INT_EQ(parse_signal("SIGRTMAX-1"), SIGRTMAX - 1);
	CHECK(parse_signal("term") < 0);
	CHECK(parse_signal("0") < 0);
	CHECK(parse_signal("BOGUS") < 0);
	CHECK_INT_EQ(parse_signal("INT"), SIGINT);
	CHECK_INT_EQ(parse_signal("KILL"), SIGKILL);
	CHECK_INT_EQ(parse_signal("40"), 40); /* a real-time signal by number */
	CHECK_INT_EQ(parse_signal("64"), SIGRTMAX);
	CHECK(parse_signal("65") < 0);
	CHECK_STR_EQ(signal_name(SIGHUP), "SIGHUP");

	/* Nice= without CAP_SYS_NICE: the closest level RLIMIT_NICE allows. */
	CHECK_INT_EQ(nice_closest(-15, 5, 22), -2);
	CHECK_INT_EQ(nice_closest(-15, 5, 0), 5);
	CHECK_INT_EQ(nice_closest(-15, -5, 22), -5); /* already below the limit */
	CHECK_INT_EQ(nice_closest(-15, 5, 40), -15);
	CHECK_INT_EQ(nice_closest(3, 5, 1), 5);

	/* What supervise may re-raise on itself (default action terminates). */
	CHECK(signal_default_terminates(SIGTERM));
	CHECK(signal_default_terminates(SIGKILL));
	CHECK(signal_default_terminates(SIGRTMIN + 2));
	CHECK(signal_default_terminates(SIGSEGV));
	CHECK(!signal_default_terminates(SIGCHLD));
	CHECK(!signal_default_terminates(SIGWINCH));
	CHECK(!signal_default_terminates(SIGURG));
	CHECK(!signal_default_terminates(SIGCONT));
	CHECK(!signal_default_terminates(SIGTSTP));
	CHECK(!signal_default_terminates(SIGSTOP));
	CHECK(!signal_default_terminates(0));
	CHECK(!signal_default_terminates(SIGRTMAX + 1));
	CHECK(signal_default_dumps_core(SIGQUIT));
	CHECK(signal_default_dumps_core(SIGABRT));
	CHECK(signal_default_dumps_core(SIGSEGV));
	CHECK(!signal_default_dumps_core(SIGTERM));
	CHECK(!signal_default_dumps_core(SIGUSR1));
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "broken line\n"
			     "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
			     "42:x:4242:4242::/home/n:/bin/sh\n"
			     "app:x:1000:1000:App,,,:/home/app:/bin/sh";
static const char group[] = "root:x:0:\n"
			    "adm:x:4:syslog,app\n"
			    "www-data:x:33:\n"
			    "bad:x:notanumber:app\n"
			    "app:x:1000:\n"
			    "docker:x:999:other,app,more\n"
			    "appx:x:1001:appx";

static void
test_pwdb(void)
{
	struct pw_entry e;
	CHECK_INT_EQ(pw_lookup(passwd, "www-data", &e), 0);
	CHECK_STR_EQ(e.dir, "/var/www");
	CHECK_STR_EQ(e.shell, "/usr/sbin/nologin");
	CHECK_INT_EQ(e.uid, 33);
	pw_entry_done(&e);
	CHECK_INT_EQ(pw_lookup(passwd, "1000", &e), 0); /* by uid */
	CHECK_STR_EQ(e.name, "app");
	pw_entry_done(&e);
	/* systemd's get_user_creds(): digits are a uid, never a name. */
	CHECK_INT_EQ(pw_lookup(passwd, "42", &e), -ENOENT);
	CHECK_INT_EQ(pw_lookup(passwd, "4242", &e), 0);
	CHECK_STR_EQ(e.name, "42");
	pw_entry_done(&e);
	CHECK_INT_EQ(pw_lookup(passwd, "0033", &e), 0);
	CHECK_STR_EQ(e.name, "www-data");
	pw_entry_done(&e);
	CHECK_INT_EQ(pw_lookup(passwd, "nobody", &e), -ENOENT);
	CHECK_INT_EQ(pw_lookup(passwd, "broken line", &e), -ENOENT);

	struct strv l = { 0 };
	gr_memberships(group, "app", &l);
	char *got = joined(&l);
	CHECK_STR_EQ(got, "4|999");
	free(got);
	strv_done(&l);
	gid_t g;
	CHECK_INT_EQ(gr_lookup(group, "docker", &g), 0);
	CHECK_INT_EQ(g, 999);
	CHECK_INT_EQ(gr_lookup(group, "33", &g), 0);
	CHECK_INT_EQ(g, 33);
	CHECK_INT_EQ(gr_lookup(group, "555", &g), -ENOENT); /* a gid must exist, as for systemd */
	CHECK_INT_EQ(gr_lookup(group, "nogroup", &g), -ENOENT);
	char *n = gr_name_by_gid(group, 4);
	CHECK_STR_EQ(n, "adm");
	free(n);
	CHECK(gr_name_by_gid(group, 12345) == NULL);
}

static void
spec_case(const char *user_group, const char *groups, bool numeric, int want_r, const char *want)
{
	struct strv extra = { 0 };
	char *spec = NULL;
	for (const char *p = groups; p && *p;) {
		size_t l = strcspn(p, ",");
		strv_push(&extra, xstrndup(p, l));
		p += l + (p[l] == ',');
	}
	CHECK_INT_EQ(ident_chpst_spec(passwd, group, user_group, &extra, numeric, &spec), want_r);
	if (want_r == 0)
		CHECK_STR_EQ(spec, want);
	free(spec);
	strv_done(&extra);
}

/* systemd 252's initgroups(User=, Group= or the passwd gid) + SupplementaryGroups=. */
static void
test_ident(void)
{
	spec_case("app", NULL, false, 0, "app:app:adm:docker");
	spec_case("1000", NULL, false, 0, "app:app:adm:docker"); /* a uid: the passwd name */
	spec_case("app", NULL, true, 0, ":1000:1000:4:999");
	/* Group= replaces the passwd group, which is then not in the list. */
	spec_case("app:www-data", NULL, false, 0, "app:www-data:adm:docker");
	spec_case("app:33", "docker,root", false, 0, "app:www-data:adm:docker:root");
	/* No initgroups() for gid 0 (execute.c avoids NSS for it). */
	spec_case("app:root", NULL, false, 0, "app:root");
	spec_case("app:0", "adm", false, 0, "app:root:adm");
	spec_case("root", NULL, false, 0, "root:root");
	spec_case("0", "www-data", false, 0, "root:root:www-data");
	/* nobody/65534 is synthesized; with no passwd entry the numeric form. */
	spec_case("nobody", NULL, false, 0, ":65534:65534");
	spec_case("www-data", NULL, false, 0, "www-data:www-data");
	spec_case("4242", NULL, false, 0, ":4242:4242"); /* gid 4242 has no name */
	spec_case("ghost", NULL, false, -ESRCH, NULL);
	spec_case("4243", NULL, false, -ESRCH, NULL); /* a uid without entry: refused */
	spec_case("app:nogroup", NULL, false, -ENOENT, NULL);
	spec_case("app", "777", false, -ENOENT, NULL);
	spec_case("app", "1000,adm,4", false, 0, "app:app:adm:docker");
}

/* Type=notify-reload: what counts as a finished reload (systemd's
 * service_notify_message()). */
static void
test_reload_state(void)
{
	struct reload_state st = { 0 }, back;
	struct notify_msg m;
	char buf[128];

	notify_parse("READY=1", strlen("READY=1"), &m); /* the start's READY=1 is no reload */
	CHECK(!reload_state_apply(&st, &m));
	notify_parse("RELOADING=1\nMONOTONIC_USEC=5", strlen("RELOADING=1\nMONOTONIC_USEC=5"), &m);
	CHECK_INT_EQ((int)m.monotonic_usec, 5);
	CHECK(reload_state_apply(&st, &m) && st.reloading && st.generation == 0);
	notify_parse("READY=1", strlen("READY=1"), &m);
	CHECK(reload_state_apply(&st, &m) && !st.reloading && st.generation == 1);
	/* Both at once count only with a timestamp, which the waiter compares. */
	notify_parse("RELOADING=1\nREADY=1", strlen("RELOADING=1\nREADY=1"), &m);
	CHECK(!reload_state_apply(&st, &m));
	notify_parse("RELOADING=1\nREADY=1\nMONOTONIC_USEC=99",
		     strlen("RELOADING=1\nREADY=1\nMONOTONIC_USEC=99"), &m);
	CHECK(reload_state_apply(&st, &m) && st.generation == 2 && st.stamp_usec == 99);
	notify_parse("RELOADING=1\nSTOPPING=1", strlen("RELOADING=1\nSTOPPING=1"),
		     &m); /* STOPPING=1 wins */
	CHECK(!reload_state_apply(&st, &m) && !st.reloading);
	notify_parse("MONOTONIC_USEC=12x", strlen("MONOTONIC_USEC=12x"), &m);
	CHECK(m.monotonic_usec == 0);
	reload_state_format(&st, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "GENERATION=2\nRELOADING=0\nMONOTONIC_USEC=99\n");
	CHECK_INT_EQ(reload_state_parse(buf, &back), 0);
	CHECK(back.generation == 2 && !back.reloading && back.stamp_usec == 99);
	CHECK_INT_EQ(reload_state_parse("RELOADING=1\n", &back), -EINVAL);
}

static void
test_protocols(void)
{
	struct notify_msg m;
	const char msg[] = "STATUS=Starting up\nREADY=1\nMAINPID=4711\nBOGUS\nERRNO=2\n";
	notify_parse(msg, sizeof(msg) - 1, &m);
	CHECK(m.ready);
	CHECK(!m.stopping);
	CHECK_INT_EQ(m.mainpid, 4711);
	CHECK_INT_EQ(m.errno_value, 2);
	CHECK_STR_EQ(m.status, "Starting up");
	notify_parse("READY=0\nMAINPID=x\nSTOPPING=1", 28, &m);
	CHECK(!m.ready);
	CHECK(m.stopping);
	CHECK_INT_EQ(m.mainpid, 0);
	notify_parse("READY=1x", 8, &m);
	CHECK(!m.ready);

	unsigned char st[20] = { 0 };
	struct runit_status rs;
	st[12] = 0x39, st[13] = 0x30, st[17] = 'u', st[19] = 1;
	CHECK_INT_EQ(runit_status_parse(st, 20, &rs), 0);
	CHECK_INT_EQ(rs.pid, 12345);
	CHECK(rs.want_up && rs.state == RUNIT_RUN);
	CHECK(runit_status_problem(&rs) == NULL);
	st[19] = 0;
	CHECK_INT_EQ(runit_status_parse(st, 20, &rs), 0);
	CHECK_STR_EQ(runit_status_problem(&rs), "down");
	st[17] = 'd';
	CHECK_INT_EQ(runit_status_parse(st, 20, &rs), 0);
	CHECK(runit_status_problem(&rs) == NULL); /* wanted down */
	st[17] = 'x';
	CHECK_INT_EQ(runit_status_parse(st, 20, &rs), -EINVAL);
	CHECK_INT_EQ(runit_status_parse(st, 19, &rs), -EINVAL);
	CHECK_INT_EQ(runit_stat_parse("run\n", &rs), 0);
	CHECK(runit_status_problem(&rs) == NULL);
	CHECK_INT_EQ(runit_stat_parse("run, want down\n", &rs), 0);
	CHECK_STR_EQ(runit_status_problem(&rs), "stopping");
	CHECK_INT_EQ(runit_stat_parse("down\n", &rs), 0);
	CHECK_STR_EQ(runit_status_problem(&rs), "down");
	CHECK_INT_EQ(runit_stat_parse("running\n", &rs), -EINVAL);

	struct proc_stat ps;
	CHECK_INT_EQ(proc_stat_parse("123 (a) b) c) Z 1 77 0 0", &ps), 0);
	CHECK_INT_EQ(ps.state, 'Z');
	CHECK_INT_EQ(ps.ppid, 1);
	CHECK_INT_EQ(ps.pgrp, 77);
	CHECK_INT_EQ(proc_stat_parse("garbage", &ps), -EINVAL);
}

/* CPU seconds envfile_parse takes for n distinct assignments (best of rounds). */
static double
envfile_cpu(size_t n, int rounds)
{
	char *text = xmalloc(n * 24 + 1), *p = text;
	double best = 1e9;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "VAR_%zu=value %zu\n", i, i);
	for (int round = 0; round < rounds; round++) {
		struct strv env = { 0 };
		clock_t t0 = clock();

		CHECK_INT_EQ(envfile_parse(text, &env, NULL), 0);
		double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
		CHECK_INT_EQ(env.n, n);
		best = cpu < best ? cpu : best;
		strv_done(&env);
	}
	free(text);
	return best;
}

/* Issue 14 item 6: --env-file is linear in the number of variables. CPU
 * time for n and 4n: linear work gives a ratio near 4, the old in-place
 * replace (a scan of every earlier variable) about 16; 8 separates them
 * with room for noise. */
static void
test_time_bounds_env_file(void)
{
	double small = envfile_cpu(10000, 3), big = envfile_cpu(40000, 1);

	if (!(big < 8 * small + 0.01))
		fprintf(stderr, "envfile: %.3f s for 10000, %.3f s for 40000\n", small, big);
	CHECK(big < 8 * small + 0.01);
}

/* Issue 14 item 9: supervise/klein.result, the failed state's record. */
static void
test_health_result(void)
{
	struct svc_result r;

	CHECK_INT_EQ(svc_result_parse("RESULT=exit-code\nEXIT_CODE=exited\nEXIT_STATUS=2\n", &r),
		     0);
	CHECK_STR_EQ(r.result, "exit-code");
	CHECK_STR_EQ(r.exit_code, "exited");
	CHECK_STR_EQ(r.exit_status, "2");
	CHECK(svc_result_failed(&r));
	CHECK(r.nrestarts == 0);
	CHECK_INT_EQ(svc_result_parse("X=1\nRESULT=success", &r), 0);
	CHECK(!svc_result_failed(&r));
	CHECK_STR_EQ(r.exit_code, "");
	/* systemctl's NRestarts: digits only, else none. */
	CHECK_INT_EQ(svc_result_parse("RESULT=success\nNRESTARTS=12\n", &r), 0);
	CHECK(r.nrestarts == 12);
	CHECK_INT_EQ(svc_result_parse("RESULT=success\nNRESTARTS=-3\n", &r), 0);
	CHECK(r.nrestarts == 0);
	CHECK_INT_EQ(svc_result_parse("EXIT_CODE=exited\n", &r), -EINVAL);
	CHECK_INT_EQ(svc_result_parse("", &r), -EINVAL);
}

int
main(void)
{
	RUN(test_envfile);
	RUN(test_expand);
	RUN(test_rlimit);
	RUN(test_time_and_signals);
	RUN(test_pwdb);
	RUN(test_ident);
	RUN(test_protocols);
	RUN(test_reload_state);
	RUN(test_health_result);
	RUN(test_time_bounds_env_file);
	return check_done();
}
