/* SPDX-License-Identifier: MIT */
/* Line/section parser tests: porter-reference.md §3.A vectors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/unitfile.h"

static const char *const sections[] = { "Section", "Unit", "Service", "Install", NULL };

/* Parses text; returns the last value of key (static copy) or NULL. */
static char last[2 * 1024 * 1024];
static int last_rc;
static struct diag dg;

static const char *
value_of(const char *text, size_t len, const char *key)
{
	struct unit_entries e = { 0 };
	const char *ret = NULL;

	diag_done(&dg);
	last_rc = unit_parse("t", text, len, sections, &e, &dg);
	for (size_t i = 0; i < e.n; i++)
		if (!strcmp(e.v[i].key, key)) {
			snprintf(last, sizeof(last), "%s", e.v[i].value);
			ret = last;
		}
	unit_entries_done(&e);
	return ret;
}

#define V(text, key) value_of(text, sizeof(text) - 1, key)

static int
has_diag(const char *msg, unsigned line)
{
	for (size_t i = 0; i < dg.n; i++)
		if (strstr(dg.v[i].message, msg) && (!line || dg.v[i].line == line))
			return 1;
	return 0;
}

int
main(void)
{
	char *big;

	CHECK_STR_EQ(V("[Section]\nsetting1=1\n", "setting1"), "1");	       /* A01 */
	CHECK_STR_EQ(V("[Section]\nsetting1=1", "setting1"), "1");	       /* A02 */
	CHECK_STR_EQ(V("\n\n\n\n[Section]\n\n\nsetting1=1", "setting1"), "1"); /* A03 */
	CHECK_STR_EQ(V("[Section]\n[Section]\nsetting1=1\nsetting1=    2 \t\nsetting1=    1\n",
		       "setting1"),
		     "1"); /* A04 */
	CHECK_STR_EQ(
		V("[Section]\n[Section]\nsetting1=1\nsetting1=2\\\n   \nsetting1=1\n", "setting1"),
		"1");								   /* A05 */
	CHECK_STR_EQ(V("[Section]\nsetting1=1\\\n2\\\n3\n", "setting1"), "1 2 3"); /* A06 */
	CHECK_STR_EQ(V("[Section]\n#hogehoge\\\nsetting1=1\\\n2\\\n3\n", "setting1"), "1 2 3");
	CHECK_STR_EQ(V("[Section]\nsetting1=1\\\n2\\\n3\\\\\\\\\n", "setting1"),
		     "1 2 3\\\\\\\\"); /* A08 */
	/* A09 */
	CHECK_STR_EQ(V("[Section]\nsetting1=1\\\\\\\n\\\\2\n", "setting1"), "1\\\\ \\\\2");

	/* A13: one line over 1 MiB fails the file; exactly 1 MiB is fine. */
	big = malloc(UNIT_LINE_MAX + 4096);
	memcpy(big, "[Section]\n", 10);
	memset(big + 10, 'x', UNIT_LINE_MAX + 1);
	CHECK(value_of(big, 10 + UNIT_LINE_MAX + 1, "x") == NULL);
	CHECK(last_rc == -ENOBUFS);
	memcpy(big + 10, "s=", 2);
	CHECK(value_of(big, 10 + UNIT_LINE_MAX, "s") != NULL && last_rc == 0);
	/* A14: continuation lines totalling more than 1 MiB. */
	{
		size_t n = 10;

		while (n < UNIT_LINE_MAX + 2000) {
			memset(big + n, 'y', 998);
			big[n + 998] = '\\';
			big[n + 999] = '\n';
			n += 1000;
		}
		memcpy(big + 10, "s=", 2);
		value_of(big, n, "s");
		CHECK(last_rc == -ENOBUFS);
	}
	free(big);

	/* A15: unknown sections warn, X- sections are silent. */
	CHECK_STR_EQ(V("[Section]\nsetting1=2\n[NoWarnSection]\nsetting1=3\n"
		       "[X-Section]\nsetting1=3\n",
		       "setting1"),
		     "2");
	CHECK(has_diag("Unknown section 'NoWarnSection'. Ignoring.", 3));
	CHECK(!has_diag("X-Section", 0));
	/* A16/A17 */
	CHECK_STR_EQ(V("[Service]\nExecStart=/bin/true\nKeyWithoutEquals\n=value\n", "ExecStart"),
		     "/bin/true");
	CHECK(has_diag("Missing '=', ignoring line.", 3));
	CHECK(has_diag("Missing key name before '=', ignoring line.", 4));
	/* A18: bad headers fail the file. */
	V("[Unit] junk\nDescription=x\n", "Description");
	CHECK(last_rc == -EBADMSG && has_diag("Invalid section header '[Unit] junk'", 1));
	V("[Unit\n", "Description");
	CHECK(last_rc == -EBADMSG);
	/* A22: BOM, CRLF, indented comments, spaces around '='. */
	CHECK_STR_EQ(
		V("\xef\xbb\xbf[Service]\nType=oneshot\nExecStart=/bin/echo crlf\r\n  ; c\n\t# c\n  Nice = 3\n",
		  "ExecStart"),
		"/bin/echo crlf");
	CHECK_STR_EQ(V("\xef\xbb\xbf[Service]\nNice = 3\n", "Nice"), "3");
	/* A23/A24: .include is not an include. */
	V(".include /x\n[Service]\n.include /etc/foo\n", "x");
	CHECK(has_diag("Assignment outside of section. Ignoring.", 1));
	CHECK(has_diag("Missing '=', ignoring line.", 3));
	/* A25: comments inside a continuation are dropped. */
	CHECK_STR_EQ(
		V("[Service]\nExecStart=/bin/echo a \\\n# comment inside\n  b \\\n; another\n  c\n",
		  "ExecStart"),
		"/bin/echo a    b    c");
	/* A26: continuation pending at EOF. */
	CHECK_STR_EQ(V("[Service]\nExecStart=/bin/echo ok1 \\", "ExecStart"), "/bin/echo ok1");
	/* A27 */
	CHECK_STR_EQ(V("[Service]\n# comment ending in backslash \\\nUser=daemon\n", "User"),
		     "daemon");
	/* A28: an empty line ends a continuation. */
	CHECK_STR_EQ(V("[Service]\nEnvironment=A=1 \\\n\nEnvironment=B=2\n", "Environment"), "B=2");
	/* A29 */
	CHECK_STR_EQ(V("[Service]\nGroup = daemon  \n", "Group"), "daemon");
	/* Line numbers of a continued line: the last physical line. */
	V("[Service]\nA=1\\\n2\nB\n", "A");
	CHECK(has_diag("Missing '='", 4));
	/* A continuation pending at EOF is reported one line further. */
	V("[Service]\nNice=-99 \\\n", "Nice");
	V("[Service]\nA \\", "A");
	CHECK(has_diag("Missing '='", 3));
	/* CR alone, LFCR and NUL end lines. */
	CHECK_STR_EQ(V("[Service]\rUser=a\n\rGroup=b\0Nice=1", "Group"), "b");
	CHECK_STR_EQ(V("[Service]\rUser=a\n\rGroup=b\0Nice=1", "Nice"), "1");
	/* Invalid UTF-8 fails the file, like systemd. */
	V("[Unit]\nDescription=bad \xff\n", "Description");
	CHECK(last_rc == -EINVAL && has_diag("String is not UTF-8 clean", 2));
	/* The second BOM is not stripped. */
	CHECK(V("\xef\xbb\xbf[Service]\n\xef\xbb\xbfNice=3\n", "Nice") == NULL);
	CHECK(V("\xef\xbb\xbf[Service]\n\xef\xbb\xbfNice=3\n", "\xef\xbb\xbfNice") != NULL);
	/* Bytes never crash: all 256 byte values in a line. */
	{
		char buf[300];

		memcpy(buf, "[Service]\nK=", 12);
		for (int i = 0; i < 256; i++)
			buf[12 + i] = (char)i;
		value_of(buf, 268, "K");
		CHECK(1);
	}
	diag_done(&dg);
	return check_done();
}
