/* SPDX-License-Identifier: MIT */
/* Value grammar tests: porter-reference.md §3.H vectors. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "check.h"
#include "lib/values.h"
#include "status_list.h"

#define SEC 1000000ULL

static int
lim(const char *key, const char *v, uint64_t s, uint64_t h)
{
	uint64_t a, b;

	return parse_rlimit(key, v, &a, &b) == 0 && a == s && b == h;
}

static int
sec(const char *v, uint64_t want)
{
	uint64_t t;

	return parse_sec(v, &t) == 0 && t == want;
}

int
main(void)
{
	uint64_t a, b;
	unsigned m;
	int n;
	unsigned char st[256] = { 0 }, sg[65] = { 0 };

	CHECK(parse_boolean("on") == 1 && parse_boolean("True") == 1 && parse_boolean("0") == 0 &&
	      parse_boolean("OFF") == 0 && parse_boolean("maybe") == -EINVAL);
	/* H01-H05 */
	CHECK(lim("LimitNOFILE", "55", 55, 55));
	CHECK(lim("LimitNOFILE", "55:66", 55, 66));
	CHECK(lim("LimitNOFILE", "infinity", VALUE_INFINITY, VALUE_INFINITY));
	CHECK(lim("LimitNOFILE", "infinity:infinity", VALUE_INFINITY, VALUE_INFINITY));
	CHECK(parse_rlimit("LimitNOFILE", "10:20:30", &a, &b) < 0);
	CHECK(parse_rlimit("LimitNOFILE", "wat:wat", &a, &b) < 0);
	CHECK(parse_rlimit("LimitNOFILE", "66:wat", &a, &b) < 0);
	CHECK(parse_rlimit("LimitNOFILE", "200:100", &a, &b) == -EILSEQ);
	CHECK(lim("LimitCPU", "56", 56, 56));
	CHECK(lim("LimitCPU", "57s", 57, 57));
	CHECK(lim("LimitCPU", "40s:1m", 40, 60));
	CHECK(lim("LimitCPU", "1234ms", 2, 2));
	CHECK(lim("LimitRTTIME", "58", 58, 58));
	CHECK(lim("LimitRTTIME", "58:60", 58, 60));
	CHECK(lim("LimitRTTIME", "59s", 59 * SEC, 59 * SEC));
	CHECK(lim("LimitCPU", "1min:2min", 60, 120));
	CHECK(lim("LimitAS", "1G", 1073741824ULL, 1073741824ULL));
	CHECK(lim("LimitCORE", "infinity", VALUE_INFINITY, VALUE_INFINITY));
	CHECK(lim("LimitMEMLOCK", "64K", 65536, 65536));
	CHECK(lim("LimitNICE", "-5", 25, 25));
	/* H06/H07 */
	CHECK(sec("111 m", 6660 * SEC));
	CHECK(sec("111m", 6660 * SEC));
	CHECK(sec("1min 30s", 90 * SEC));
	CHECK(sec("2 h 3 min", 7380 * SEC));
	CHECK(sec("999ms", 999000));
	CHECK(sec("0.5", SEC / 2));
	CHECK(sec("2.25min", 135 * SEC));
	CHECK(sec("1y", 31557600ULL * SEC));
	CHECK(sec("5min 20s", 320 * SEC));
	CHECK(sec("infinity", VALUE_INFINITY));
	CHECK(parse_sec("xxs", &a) < 0 && parse_sec("", &a) < 0 && parse_sec("-1", &a) < 0 &&
	      parse_sec("12.34.56", &a) < 0 && parse_sec("3.sec", &a) < 0);
	/* H09 */
	CHECK(parse_signal("INT") == SIGINT && parse_signal("SIGINT") == SIGINT &&
	      parse_signal("9") == SIGKILL && parse_signal("FOO") < 0 && parse_signal("0") < 0 &&
	      parse_signal("SIGRTMIN+1") == SIGRTMIN + 1);
	CHECK_STR_EQ(signal_name(SIGTERM), "SIGTERM");
	/* H10 */
	CHECK(parse_nice("-21", &n) == -ERANGE && parse_nice("-5", &n) == 0 && n == -5 &&
	      parse_nice("x", &n) == -EINVAL);
	/* H11 */
	CHECK(parse_mode("027", &m) == 0 && m == 027 && parse_mode("0777", &m) == 0 && m == 0777 &&
	      parse_mode("999", &m) < 0 && parse_mode("-1", &m) < 0 && parse_mode("17777", &m) < 0);
	CHECK(parse_oom_score_adjust("-1000", &n) == 0 && n == -1000 &&
	      parse_oom_score_adjust("1001", &n) == -ERANGE);
	CHECK(parse_exit_status_list("0 1 SIGHUP TERM 300 bogus", st, sg) == 2 && st[0] && st[1] &&
	      sg[SIGHUP] && sg[SIGTERM] && !st[2]);
	return check_done();
}
