/* SPDX-License-Identifier: MIT */
/* Word splitting and Exec line tests: porter-reference.md §3.B vectors. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/words.h"

static struct diag dg;
static struct exec_command *cmds;
static size_t ncmds;

/* No specifiers here except %n -> "t.service" and an unknown %z. */
static int
resolve(void *ctx, const char *in, char **out)
{
	(void)ctx;
	if (strstr(in, "%z"))
		return -EBADSLT;
	*out = strdup(in);
	return *out ? 0 : -ENOMEM;
}

static int
parse(const char *value)
{
	for (size_t i = 0; i < ncmds; i++)
		exec_command_done(&cmds[i]);
	free(cmds);
	cmds = NULL;
	ncmds = 0;
	diag_done(&dg);
	return exec_parse(value, resolve, NULL, &cmds, &ncmds, &dg, "t", 1);
}

/* Whether command i has path and exactly the given argv (NULL-terminated). */
static int
is_cmd(size_t i, unsigned flags, const char *path, ...)
{
	va_list ap;
	size_t k = 0;
	const char *a;
	int ok;

	if (i >= ncmds || strcmp(cmds[i].path, path) || cmds[i].flags != flags)
		return 0;
	va_start(ap, path);
	ok = 1;
	while ((a = va_arg(ap, const char *))) {
		if (k >= cmds[i].argc || strcmp(cmds[i].argv[k], a))
			ok = 0;
		k++;
	}
	va_end(ap);
	return ok && k == cmds[i].argc;
}

static int
has_diag(const char *msg)
{
	for (size_t i = 0; i < dg.n; i++)
		if (strstr(dg.v[i].message, msg))
			return 1;
	return 0;
}

static void
split_tests(void)
{
	const char *p;
	char *w;
	char **v;
	size_t n;

	p = "\"e\"f g\"h i\"";
	CHECK(word_extract(&p, &w, NULL, WORD_UNQUOTE) == 1 && !strcmp(w, "ef"));
	free(w);
	CHECK(word_extract(&p, &w, NULL, WORD_UNQUOTE) == 1 && !strcmp(w, "gh i"));
	free(w);
	CHECK(word_extract(&p, &w, NULL, WORD_UNQUOTE) == 0);
	p = "'unbalanced";
	CHECK(word_extract(&p, &w, NULL, WORD_UNQUOTE) == -EINVAL);
	p = "a\\x20b \\s \"x\\ty\" \\u00e9 \\101";
	CHECK(words_split(p, WORD_UNQUOTE | WORD_CUNESCAPE, &v, &n) == 0 && n == 5);
	CHECK_STR_EQ(v[0], "a b");
	CHECK_STR_EQ(v[1], " ");
	CHECK_STR_EQ(v[2], "x\ty");
	CHECK_STR_EQ(v[3], "\xc3\xa9");
	CHECK_STR_EQ(v[4], "A");
	words_free(v);
	CHECK(words_split("x\\ y", WORD_UNQUOTE | WORD_CUNESCAPE, &v, &n) == -EINVAL);
	CHECK(words_split("x\\ y", WORD_UNQUOTE | WORD_CUNESCAPE | WORD_UNESCAPE_RELAX, &v, &n) ==
		      0 &&
	      n == 1);
	CHECK_STR_EQ(v[0], "x\\ y");
	words_free(v);
	CHECK(words_split("trail\\", WORD_UNQUOTE | WORD_CUNESCAPE, &v, &n) == -EINVAL);
	CHECK(words_split("   ", 0, &v, &n) == 0 && n == 0);
	words_free(v);
}

int
main(void)
{
	split_tests();
	CHECK(parse("/RValue r1") == 0 && is_cmd(0, 0, "/RValue", "/RValue", "r1", NULL)); /* B01 */
	CHECK(parse("/RValue///slashes r1///") == 0 &&
	      is_cmd(0, 0, "/RValue/slashes", "/RValue///slashes", "r1///", NULL)); /* B02 */
	CHECK(parse("/RValue/ argv0 r1") == -ENOEXEC &&
	      has_diag("Executable path specifies a directory")); /* B03 */
	CHECK(parse("@/RValue///slashes2 ///argv0 r1") == 0 &&
	      is_cmd(0, 0, "/RValue/slashes2", "///argv0", "r1", NULL)); /* B04 */
	CHECK(parse("@/RValue") == -ENOEXEC);				 /* B05 */
	CHECK(parse("-@/RValue///slashes3 argv0a r1") == 0 &&
	      is_cmd(0, EXEC_IGNORE_FAILURE, "/RValue/slashes3", "argv0a", "r1", NULL)); /* B07 */
	CHECK(parse("@-/RValue///slashes4 argv0b r1") == 0 &&
	      is_cmd(0, EXEC_IGNORE_FAILURE, "/RValue/slashes4", "argv0b", "r1", NULL)); /* B08 */
	CHECK(parse("--/RValue argv0 r1") == 0 && ncmds == 0);				 /* B09 */
	CHECK(parse("-@-/RValue argv0 r1") == 0 && ncmds == 0);				 /* B10 */
	CHECK(parse("-@/RValue argv0 r1 ; /goo/goo boo") == 0 && ncmds == 2 &&
	      is_cmd(0, EXEC_IGNORE_FAILURE, "/RValue", "argv0", "r1", NULL) &&
	      is_cmd(1, 0, "/goo/goo", "/goo/goo", "boo", NULL));		/* B11 */
	CHECK(parse("-@/RValue argv0 r1 ; ; /goo/goo boo") == 0 && ncmds == 2); /* B12 */
	CHECK(parse("-@/RValue argv0 r1 ; ") == 0 && ncmds == 1);		/* B13 */
	CHECK(parse("-@/RValue argv0 r1 ;") == 0 && ncmds == 1);
	CHECK(parse("-@/RValue argv0 r1 ';'") == 0 &&
	      is_cmd(0, EXEC_IGNORE_FAILURE, "/RValue", "argv0", "r1", ";", NULL)); /* B14 */
	CHECK(parse("/bin/find \\;") == 0 && is_cmd(0, 0, "/bin/find", "/bin/find", ";", NULL));
	CHECK(parse("/sbin/find \\; /x") == 0 &&
	      is_cmd(0, 0, "/sbin/find", "/sbin/find", ";", "/x", NULL)); /* B16 */
	CHECK(parse("/sbin/find \\;x") == 0 &&
	      is_cmd(0, 0, "/sbin/find", "/sbin/find", "\\;x", NULL)); /* B17 */
	CHECK(parse("/bin/find \\073") == 0 && is_cmd(0, 0, "/bin/find", "/bin/find", ";", NULL));
	CHECK(parse("\"/PATH WITH SPACES/daemon\" -1 -2") == 0 &&
	      is_cmd(0, 0, "/PATH WITH SPACES/daemon", "/PATH WITH SPACES/daemon", "-1", "-2",
		     NULL)); /* B20 */
	CHECK(parse("\"/PATH\\sWITH\\sSPACES/daemon\" '-1 -2'") == 0 &&
	      is_cmd(0, 0, "/PATH WITH SPACES/daemon", "/PATH WITH SPACES/daemon", "-1 -2",
		     NULL));		      /* B23 */
	CHECK(parse("/path\\a") == -ENOEXEC); /* B25 */
	CHECK(parse("/path\\\\") == -ENOEXEC);
	CHECK(parse("/path\\s") == 0 && is_cmd(0, 0, "/path ", "/path ", NULL)); /* B26 */
	CHECK(parse("/bin/grep '\\w+\\K'") == 0 &&
	      is_cmd(0, 0, "/bin/grep", "/bin/grep", "\\w+\\K", NULL));		  /* B27 */
	CHECK(parse("/path 'foo") == -ENOEXEC && has_diag("Unbalanced quoting")); /* B29 */
	CHECK(parse("- /path") == 0 && ncmds == 0 && has_diag("Empty path in command line"));
	CHECK(parse("-") == 0 && ncmds == 0); /* B30 */
	CHECK(parse("/bin/echo ok2 'a;b' a;b \\; ; /bin/echo ok3 ;") == 0 && ncmds == 2 &&
	      is_cmd(0, 0, "/bin/echo", "/bin/echo", "ok2", "a;b", "a;b", ";", NULL) &&
	      is_cmd(1, 0, "/bin/echo", "/bin/echo", "ok3", NULL)); /* B32 */
	CHECK(parse("/bin/echo \"e\"f g\"h i\" a\\x20b \"\\s\" x\\ y") == 0 &&
	      is_cmd(0, 0, "/bin/echo", "/bin/echo", "ef", "gh i", "a b", " ", "x\\ y", NULL) &&
	      has_diag("Ignoring unknown escape sequences: \"x\\ y\"")); /* B33 */
	CHECK(parse("/bin/echo\\x20x y") == 0 &&
	      is_cmd(0, 0, "/bin/echo x", "/bin/echo x", "y", NULL)); /* B34 */
	CHECK(parse("echo relative") == 0 && is_cmd(0, 0, "echo", "echo", "relative", NULL));
	CHECK(parse("/bin/echo %z") == -ENOEXEC && has_diag("Invalid slot")); /* B37 */
	CHECK(parse("-/bin/echo %z") == 0 && ncmds == 0);
	CHECK(parse("-@:/bin/echo argv0name real1") == 0 &&
	      is_cmd(0, EXEC_IGNORE_FAILURE | EXEC_NO_ENV_EXPAND, "/bin/echo", "argv0name", "real1",
		     NULL)); /* B38 */
	CHECK(parse("/bin/echo ';' \\; x\\; \"${A}\" $A $A$A") == 0 &&
	      is_cmd(0, 0, "/bin/echo", "/bin/echo", ";", ";", "x\\;", "${A}", "$A", "$A$A",
		     NULL)); /* B42 */
	CHECK(parse("/bin/echo a # b ; c") == 0 && ncmds == 2 &&
	      is_cmd(0, 0, "/bin/echo", "/bin/echo", "a", "#", "b", NULL) &&
	      is_cmd(1, 0, "c", "c", NULL)); /* B43 */
	/* Prefixes: '+' with '!' is invalid; "!!" is ambient. */
	CHECK(parse("+/bin/true") == 0 &&
	      is_cmd(0, EXEC_FULL_PRIVILEGES, "/bin/true", "/bin/true", NULL));
	CHECK(parse("!!/bin/true") == 0 && is_cmd(0, EXEC_AMBIENT, "/bin/true", "/bin/true", NULL));
	CHECK(parse("!/bin/true") == 0 &&
	      is_cmd(0, EXEC_NO_SETUID, "/bin/true", "/bin/true", NULL));
	CHECK(parse("+!/bin/true") == -ENOEXEC);
	CHECK(parse("/bin/echo a ; \\;") == -ENOEXEC &&
	      has_diag("Executable name contains special characters: \\;"));
	/* Path helpers. */
	{
		char p1[] = "/a//b/./c/", p2[] = "a/./b", p3[] = "/";

		path_simplify(p1);
		path_simplify(p2);
		path_simplify(p3);
		CHECK_STR_EQ(p1, "/a/b/c");
		CHECK_STR_EQ(p2, "a/b");
		CHECK_STR_EQ(p3, "/");
		CHECK(!path_is_normalized("../x") && !path_is_normalized("a/../b") &&
		      path_is_normalized("a/b"));
	}
	parse("/x");
	parse("/x");
	for (size_t i = 0; i < ncmds; i++)
		exec_command_done(&cmds[i]);
	free(cmds);
	diag_done(&dg);
	return check_done();
}
