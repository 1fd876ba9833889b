/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/: user names, signal names, config-file reading, UTF-8, env names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lib/conffile.h"
#include "lib/creds.h"
#include "lib/envname.h"
#include "lib/pwdb.h"
#include "lib/status.h"
#include "lib/utf8.h"
#include "lib/values.h"

/* The cases porter/load.c's user_name_ok() is checked against (systemd 252). */
static void
test_user_names(void)
{
	CHECK(user_name_valid("www-data"));
	CHECK(user_name_valid("0"));
	CHECK(user_name_valid("4294967294"));
	CHECK(user_name_valid("Foo Bar"));
	CHECK(user_name_valid("a.b"));
	CHECK(!user_name_valid(""));
	CHECK(!user_name_valid("4294967295"));
	CHECK(!user_name_valid("65535"));
	CHECK(!user_name_valid("-1"));
	CHECK(!user_name_valid("a:b"));
	CHECK(!user_name_valid("a/b"));
	CHECK(!user_name_valid(" a"));
	CHECK(!user_name_valid("a "));
	CHECK(!user_name_valid(".."));
	CHECK(!user_name_valid("a\tb"));
}

static void
test_signals(void)
{
	char buf[32];

	CHECK_STR_EQ(signal_abbrev(SIGTERM, buf, sizeof(buf)), "TERM");
	CHECK_STR_EQ(signal_abbrev(200, buf, sizeof(buf)), "200");
	CHECK_STR_EQ(status_signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL");
	CHECK_STR_EQ(status_signal_name(200, buf, sizeof(buf)), "signal 200");
	CHECK_STR_EQ(signal_name(SIGHUP), "SIGHUP");
	CHECK(signal_default_terminates(SIGTERM) && !signal_default_terminates(SIGCHLD));
	CHECK(signal_default_dumps_core(SIGSEGV) && !signal_default_dumps_core(SIGTERM));
}

static void
test_conffile(void)
{
	char path[] = "/tmp/klein-test-lib-XXXXXX";
	char text[] = "a = 1 # note\n/* two\nlines */ b = \"#x\" // end\n";
	char *got = NULL;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CHECK_INT_EQ(conf_read_file(path, 1024, &got), 0);
	CHECK_STR_EQ(got, text);
	/* Comments become blanks, newlines stay: libconfuse's lines are right. */
	conf_blank_comments(got);
	CHECK_STR_EQ(got, "a = 1       \n      \n         b = \"#x\"       \n");
	free(got);
	CHECK_INT_EQ(conf_read_file(path, 10, &got), -EFBIG);
	unlink(path);
	CHECK_INT_EQ(conf_read_file(path, 1024, &got), -ENOENT);
	/* Issue 14 item 7: a FIFO (no writer) or a device is refused at once. */
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_INT_EQ(conf_read_file(path, 1024, &got), -EBADFD);
	unlink(path);
	CHECK_INT_EQ(conf_read_file("/dev/zero", 1024, &got), -EBADFD);
	CHECK_INT_EQ(conf_read_file("/dev/null", 1024, &got), 0); /* "no config" */
	CHECK_STR_EQ(got, "");
	free(got);
	CHECK_STR_EQ(conf_read_error(-EBADFD), "not a regular file");
	conf_blank_comments(NULL);
}

static void
test_utf8_and_names(void)
{
	CHECK_INT_EQ(utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
	CHECK_INT_EQ(utf8_len((const unsigned char *)"\xc0\x80", 2), 0);     /* overlong */
	CHECK_INT_EQ(utf8_len((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
	CHECK_INT_EQ(utf8_len((const unsigned char *)"\xe2\x82", 2), 0);     /* cut short */
	CHECK(utf8_valid("caf\xc3\xa9"));
	CHECK(!utf8_valid("\xef\xb7\x90")); /* U+FDD0, a noncharacter */
	CHECK(unichar_valid(0x10ffff - 2) && !unichar_valid(0xfffe) && !unichar_valid(0xd800));
	CHECK(env_name_valid("_A1", 3) && !env_name_valid("1A", 2) && !env_name_valid("A-B", 3));
	CHECK(env_name_valid("AB=C", 2));
	CHECK(env_name_exportable("A-B") && !env_name_exportable(".x") && !env_name_exportable(""));
}

/* systemd's credential_name_valid(), credential_glob_valid(), cunescape()
 * with NUL bytes, unbase64mem()'s errors. */
static void
test_credentials(void)
{
	char *got = NULL, *long_name = malloc(300);
	size_t len = 0;
	memset(long_name, 'a', 299);
	long_name[299] = '\0';
	CHECK(credential_name_valid("tls.key") && credential_name_valid("a b"));
	CHECK(!credential_name_valid("") && !credential_name_valid("a/b") &&
	      !credential_name_valid("a:b") && !credential_name_valid("..") &&
	      !credential_name_valid("a\tb") && !credential_name_valid("\xc3\xa9") &&
	      !credential_name_valid(long_name));
	CHECK(credential_glob_valid("*") && credential_glob_valid("app.*") &&
	      credential_glob_valid("app"));
	CHECK(!credential_glob_valid("a*b") && !credential_glob_valid("a?") &&
	      !credential_glob_valid("[a]*") && !credential_glob_valid("**") &&
	      !credential_glob_valid("") && !credential_glob_valid("a/*"));
	CHECK(fdname_valid("") && fdname_valid("a/b") && !fdname_valid("a:b"));
	CHECK_INT_EQ(credential_unescape("a\\x00b\\n\\000\\u00e9", &got, &len), 0);
	CHECK_INT_EQ((int)len, 7);
	CHECK(got && !memcmp(got, "a\0b\n\0\xc3\xa9", 7));
	free(got);
	CHECK_INT_EQ(credential_unescape("a\\q", &got, &len), -EINVAL);
	CHECK_INT_EQ(credential_unescape("a\\", &got, &len), -EINVAL);
	CHECK_INT_EQ(base64_check("aGVsbG8=\n"), 0);
	CHECK_INT_EQ(base64_check("abc"), -EPIPE);
	CHECK_INT_EQ(base64_check("ab!c"), -EINVAL);
	CHECK_INT_EQ(base64_check("ab=c"), -EINVAL);
	free(long_name);
}

int
main(void)
{
	RUN(test_user_names);
	RUN(test_signals);
	RUN(test_conffile);
	RUN(test_utf8_and_names);
	RUN(test_credentials);
	return check_done();
}
