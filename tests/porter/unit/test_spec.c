/* SPDX-License-Identifier: MIT */
/* Specifier tests: porter-reference.md §3.F vectors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/specifier.h"

static char out[4096];

static const char *
ex(const char *name, const char *in)
{
	struct spec_ctx c = { .name = name, .fragment = "/lib/systemd/system/x.service" };
	char *s = NULL;
	int r = spec_expand(&c, in, 0, &s);

	spec_ctx_done(&c);
	if (r < 0) {
		snprintf(out, sizeof(out), "ERR%d", -r);
		return out;
	}
	snprintf(out, sizeof(out), "%s", s);
	free(s);
	return out;
}

int
main(void)
{
	/* F01 */
	CHECK_STR_EQ(ex("blah.service", "%n|%N|%p|%P|%i|%I|%j|%J|%f"),
		     "blah.service|blah|blah|blah|||blah|blah|/blah");
	/* F02 */
	CHECK_STR_EQ(ex("a.service", "%%|%%s|x%,y|%"), "%|%s|x%,y|%");
	/* F03 */
	CHECK_STR_EQ(
		ex("foo-x@bar-baz.service", "%i|%I|%p|%P|%n|%N|%f|%j|%J"),
		"bar-baz|bar/baz|foo-x|foo/x|foo-x@bar-baz.service|foo-x@bar-baz|/bar/baz|x|x");
	/* F04 */
	CHECK_STR_EQ(
		ex("foo@a-b\\x2dc\\x20d.service", "%i|%I|%f|%n|%N|%p|%P"),
		"a-b\\x2dc\\x20d|a/b-c d|/a/b-c d|foo@a-b\\x2dc\\x20d.service|foo@a-b\\x2dc\\x20d|foo|foo");
	/* F05 */
	CHECK_STR_EQ(
		ex("blah-blah\\x2d.service", "%n|%N|%p|%P|%i|%I|%j|%J|%f"),
		"blah-blah\\x2d.service|blah-blah\\x2d|blah-blah\\x2d|blah/blah-|||blah\\x2d|blah-|/blah/blah-");
	/* F07: the system manager's directories and credentials. */
	CHECK_STR_EQ(
		ex("a.service", "%t %S %C %L %E %T %V %u %U %g %G %h %s"),
		"/run /var/lib /var/cache /var/log /etc /tmp /var/tmp root 0 root 0 /root /bin/sh");
	CHECK_STR_EQ(
		ex("a.service", "%d %y %Y"),
		"/run/credentials/a.service /lib/systemd/system/x.service /lib/systemd/system");
	/* F13 */
	CHECK_STR_EQ(ex("zzb\\x20zzc.service", "%N|%n|%f|%P|%p"),
		     "zzb\\x20zzc|zzb\\x20zzc.service|/zzb zzc|zzb zzc|zzb\\x20zzc");
	/* %f needs a valid escaped path. */
	CHECK_STR_EQ(ex("e@--.service", "%f"), "ERR"
					       "22");
	CHECK_STR_EQ(ex("e@foo-.service", "%f"), "ERR"
						 "22");
	CHECK_STR_EQ(ex("e@-.service", "%f"), "/");
	/* Unknown specifiers: "Invalid slot". */
	CHECK_STR_EQ(ex("a.service", "x%z"), "ERR"
					     "57");
	CHECK_STR_EQ(ex("a.service", "%D"), "ERR"
					    "57");
	/* Host values are present (not checked for content: they vary). */
	CHECK(strncmp(ex("a.service", "%H"), "ERR", 3));
	CHECK(strncmp(ex("a.service", "%v|%a|%o|%w|%l|%q"), "ERR", 3));
	/* Names. */
	CHECK(unit_name_is_valid("foo@bar.service") && unit_name_is_valid("foo@.service") &&
	      !unit_name_is_valid("foo") && !unit_name_is_valid("@x.service") &&
	      !unit_name_is_valid("a b.service"));
	return check_done();
}
